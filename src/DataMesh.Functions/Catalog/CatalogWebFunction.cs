using System.Net;
using DataMesh.Catalog;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;

namespace DataMesh.Functions.Catalog;

/// <summary>
/// The web catalog in the hub app, at <c>/api/catalog/</c>: the static files of <see cref="CatalogWebAssets"/>, the same
/// ones <c>datamesh up</c> serves. Anonymous, as they hold no data; the pages read the catalog through the API
/// functions, which keep their function keys (open the catalog as <c>/api/catalog/?code=KEY</c> and the pages pass the
/// key on).
/// </summary>
public sealed class CatalogWebFunction
{
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
        var answer = CatalogWebAssets.Default.Serve(request.Method, below.TrimStart('/'), ifNoneMatch);
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
}
