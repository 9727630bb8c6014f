using System.Net;
using System.Text;
using DataMesh.Catalog;
using DataMesh.Consumption;

namespace DataMesh.Testing;

/// <summary>
/// The hub's catalog API (<see cref="CatalogHttpApi"/> over a real catalog on Azurite, as the hub app serves it: data and
/// readers routes for authenticated callers only) behind an <see cref="HttpMessageHandler"/>, so a domain app's
/// <see cref="HubCatalogClient"/> talks HTTP to it without a server. A bearer token makes the caller an authenticated
/// member (the Functions app validates it; here any token is taken as valid). Set <see cref="Unreachable"/> to fail
/// every request as a network failure does.
/// </summary>
public sealed class HubCatalogHandler(CatalogReader catalog) : HttpMessageHandler
{
    private readonly CatalogHttpApi _api = new(catalog, requireAuthenticatedReaders: true);

    /// <summary>When true, every request fails as a refused connection does.</summary>
    public bool Unreachable { get; set; }

    /// <summary>The Authorization headers received, in order.</summary>
    public List<string?> Authorizations { get; } = [];

    /// <summary>A client of this hub at <c>https://hub.test/api/</c>, sending <paramref name="token"/> as its bearer token.</summary>
    public HubCatalogClient Client(string? token = "domain-app-token") =>
        new(new HttpClient(this, disposeHandler: false), new Uri("https://hub.test/api/"), _ => ValueTask.FromResult(token));

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (Unreachable)
        {
            throw new HttpRequestException("Connection refused (hub.test:443)");
        }

        Authorizations.Add(request.Headers.Authorization?.ToString());
        var caller = request.Headers.Authorization?.Scheme == "Bearer" ? DataReader.Member : DataReader.Anonymous;
        var answer = await _api.HandleAsync(request.Method.Method, request.RequestUri!.AbsolutePath, request.RequestUri.Query, caller, cancellationToken).ConfigureAwait(false);
        return new HttpResponseMessage((HttpStatusCode)answer.StatusCode)
        {
            Content = new StringContent(answer.Body, Encoding.UTF8, "application/json"),
        };
    }
}
