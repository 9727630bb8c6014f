using System.Net.Http.Headers;
using System.Text.Json;

namespace DataMesh.Catalog;

/// <summary>
/// A domain app's client of the mesh hub's catalog API: registers its products at start-up (<c>POST {endpoint}registrations</c>)
/// and asks who reads a product's columns across the mesh (<c>GET {endpoint}products/{id}/readers</c>), with the domain app's own identity as a bearer token. A failure to get
/// an answer (network, timeout, any status but 200) is an <see cref="HttpRequestException"/>; the caller decides what
/// not knowing means (the publish gate refuses: <see cref="Publishing.PublishGate"/>).
/// </summary>
public sealed class HubCatalogClient
{
    private readonly HttpClient _http;
    private readonly Func<CancellationToken, ValueTask<string?>> _token;

    /// <param name="http">The client requests go through (shared, with its timeout).</param>
    /// <param name="endpoint">The hub's catalog API base, e.g. <c>https://func-hub.azurewebsites.net/api/</c>.</param>
    /// <param name="token">The bearer token of the caller (the domain app's managed identity, for the mesh API); null sends none.</param>
    public HubCatalogClient(HttpClient http, Uri endpoint, Func<CancellationToken, ValueTask<string?>>? token = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(endpoint);
        _http = http;
        Endpoint = endpoint.AbsoluteUri.EndsWith('/') ? endpoint : new Uri(endpoint.AbsoluteUri + "/");
        _token = token ?? (_ => ValueTask.FromResult<string?>(null));
    }

    /// <summary>The hub's catalog API base.</summary>
    public Uri Endpoint { get; }

    /// <summary>The product's readers across the mesh, as the hub's registrations say, to <paramref name="depth"/> hops.</summary>
    /// <exception cref="HttpRequestException">The hub did not answer, or answered anything but 200 with a readers document.</exception>
    public async Task<CatalogReaders> GetReadersAsync(string productId, int depth = 1, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(productId);
        var uri = new Uri(Endpoint, $"products/{Uri.EscapeDataString(productId)}/readers?depth={depth}");
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        var body = await SendAsync(request, cancellationToken).ConfigureAwait(false);
        try
        {
            return JsonSerializer.Deserialize<CatalogReaders>(body, CatalogJson.Options)
                ?? throw new HttpRequestException($"GET {uri} answered an empty readers document.");
        }
        catch (JsonException ex)
        {
            throw new HttpRequestException($"GET {uri} answered a body that is not a readers document: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// Registers this domain's products with the hub (<c>POST {endpoint}registrations</c>, <see cref="ProductRegistrationIntake"/>):
    /// what a domain app does at start-up, so its products' reads count in other domains' publish gates before it ever
    /// publishes. The hub takes the domain from this app's token, not from <paramref name="registrations"/>.
    /// </summary>
    /// <exception cref="HttpRequestException">The hub did not answer, or answered anything but 2xx (its status in <see cref="HttpRequestException.StatusCode"/>).</exception>
    /// <param name="registrations">The registrations to record.</param>
    /// <param name="complete">True when they are every product of this app's domain: the hub withdraws the others'.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    public async Task RegisterAsync(IReadOnlyList<ProductRegistration> registrations, bool complete = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(registrations);
        var uri = new Uri(Endpoint, ProductRegistrationIntake.Route);
        using var request = new HttpRequestMessage(HttpMethod.Post, uri)
        {
            Content = JsonContent(new ProductRegistrationIntake.Body(registrations) { Complete = complete }),
        };
        await SendAsync(request, cancellationToken).ConfigureAwait(false);
    }

    private static ByteArrayContent JsonContent(ProductRegistrationIntake.Body body)
    {
        var content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(body, Events.ProductEventJson.Options));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        return content;
    }

    /// <summary>Sends <paramref name="request"/> with this app's bearer token; the body of a 2xx answer, else an <see cref="HttpRequestException"/>.</summary>
    private async Task<string> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var uri = request.RequestUri!;
        string? token;
        try
        {
            token = await _token(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // No identity, no answer: the same for the caller as a hub that cannot be reached.
            throw new HttpRequestException($"no token for the hub's catalog API ({uri.GetLeftPart(UriPartial.Authority)}): {ex.Message}", ex);
        }

        if (token is { Length: > 0 })
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        try
        {
            using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw new HttpRequestException($"{request.Method} {uri} answered {(int)response.StatusCode}: {(body.Length > 300 ? body[..300] : body)}", null, response.StatusCode);
            }

            return body;
        }
        catch (TaskCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            // The client's own timeout (DataMesh__Hub__Timeout in a domain app): a hub that accepts and never answers.
            throw new HttpRequestException($"{request.Method} {uri} did not answer within {Seconds(_http.Timeout)} (DataMesh__Hub__Timeout)", ex);
        }
    }

    private static string Seconds(TimeSpan timeout) =>
        timeout == System.Threading.Timeout.InfiniteTimeSpan ? "its timeout" : $"{timeout.TotalSeconds:0.###} s";
}
