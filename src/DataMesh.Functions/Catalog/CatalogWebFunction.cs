using System.Net;
using DataMesh.Catalog;
using DataMesh.Functions.Configuration;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;
using Microsoft.Extensions.Configuration;

namespace DataMesh.Functions.Catalog;

/// <summary>
/// The web catalog in the hub app, at <c>/api/catalog/</c>: the static files of <see cref="CatalogWebAssets"/>, the same
/// ones <c>datamesh up</c> serves. Anonymous, as they hold no data. With the app's token validation configured
/// (<c>DataMesh__Authentication__TenantId</c> and <c>__ClientId</c>), the page signs people in with Entra ID
/// (<see cref="CatalogSignIn"/>, served as <c>sign-in.json</c>) and calls the API with their bearer token; no key in any URL.
/// </summary>
public sealed class CatalogWebFunction(IConfiguration configuration)
{
    private readonly CatalogSignIn? _signIn = SignInOf(configuration);

    /// <summary>The UI's root below the host's route prefix.</summary>
    public const string RoutePrefix = "catalog";

    [Function("CatalogWeb")]
    public async Task<HttpResponseData> ServeAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "head", Route = RoutePrefix + "/{*path}")] HttpRequestData request,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);

        // The path as sent (still encoded): the assets match exact names only, so nothing decoded twice can escape.
        var absolute = request.Url.AbsolutePath;
        var root = "/api/" + RoutePrefix;
        var index = absolute.IndexOf(root, StringComparison.OrdinalIgnoreCase);
        var below = index < 0 ? "" : absolute[(index + root.Length)..];
        if (below.Length == 0)
        {
            // Relative links in index.html need the trailing slash.
            var redirect = request.CreateResponse(HttpStatusCode.Redirect);
            redirect.Headers.Add("Location", absolute + "/" + request.Url.Query);
            return redirect;
        }

        var ifNoneMatch = request.Headers.TryGetValues("If-None-Match", out var tags) ? string.Join(",", tags) : null;
        var answer = CatalogWebAssets.Default.Serve(request.Method, below.TrimStart('/'), ifNoneMatch, _signIn);
        var response = request.CreateResponse((HttpStatusCode)answer.StatusCode);
        response.Headers.Add("Content-Type", answer.ContentType);
        foreach (var (name, value) in answer.Headers)
        {
            response.Headers.Add(name, value);
        }

        if (answer.Body.Length > 0)
        {
            await response.Body.WriteAsync(answer.Body, cancellationToken);
        }

        return response;
    }

    /// <summary>
    /// The page's sign-in: the tenant and the mesh API's client id the app validates tokens with (one registration is
    /// both the API and the catalog's SPA); null without them.
    /// </summary>
    internal static CatalogSignIn? SignInOf(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(BearerTokenValidator.Section);
        return CatalogSignIn.For(section["Instance"] ?? BearerTokenValidator.DefaultInstance, section["TenantId"], section["ClientId"]);
    }
}
