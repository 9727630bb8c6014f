using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Azure.Core;

namespace DataMesh.Deployment;

/// <summary>
/// The few Microsoft Graph v1.0 calls the deployment hooks make, as plain REST over one <see cref="HttpClient"/> with a
/// bearer token from the given credential (in a hook: <c>AzureDeveloperCliCredential</c>, the azd sign-in).
/// </summary>
/// <remarks>
/// Plain REST rather than the Microsoft.Graph SDK: the hooks make six kinds of call on two resource types, while the
/// SDK's generated model is tens of megabytes and a Kiota runtime for the CLI to carry. The endpoint is a parameter
/// so a sovereign cloud (or a test's local stand-in) is one setting away.
/// </remarks>
public sealed class GraphClient
{
    private readonly HttpClient _http;
    private readonly TokenCredential _credential;
    private readonly string[] _scopes;

    /// <summary>A client for <paramref name="endpoint"/> (e.g. <c>https://graph.microsoft.com/</c>).</summary>
    public GraphClient(HttpClient http, TokenCredential credential, Uri endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        _http = http ?? throw new ArgumentNullException(nameof(http));
        _credential = credential ?? throw new ArgumentNullException(nameof(credential));
        Endpoint = endpoint.AbsoluteUri.EndsWith('/') ? endpoint : new Uri(endpoint.AbsoluteUri + "/");
        _scopes = [Endpoint.AbsoluteUri + ".default"];
    }

    /// <summary>The Graph endpoint, with its trailing '/'.</summary>
    public Uri Endpoint { get; }

    /// <summary>The absolute URL of a v1.0 path (as printed in the commands a person with the right role can run).</summary>
    public string Url(string path) => Endpoint.AbsoluteUri + "v1.0/" + path;

    /// <summary>GET a v1.0 path; null when Graph answers 404.</summary>
    /// <exception cref="GraphRequestException">Graph refused the call, or no token could be had.</exception>
    public async Task<JsonNode?> GetAsync(string path, CancellationToken cancellationToken) =>
        await SendAsync(HttpMethod.Get, path, null, notFoundIsNull: true, cancellationToken).ConfigureAwait(false);

    /// <summary>POST a JSON body to a v1.0 path; the created object.</summary>
    /// <exception cref="GraphRequestException">Graph refused the call, or no token could be had.</exception>
    public async Task<JsonNode?> PostAsync(string path, JsonNode body, CancellationToken cancellationToken) =>
        await SendAsync(HttpMethod.Post, path, body, notFoundIsNull: false, cancellationToken).ConfigureAwait(false);

    /// <summary>PATCH a v1.0 path with a JSON body (Graph answers 204).</summary>
    /// <exception cref="GraphRequestException">Graph refused the call, or no token could be had.</exception>
    public async Task PatchAsync(string path, JsonNode body, CancellationToken cancellationToken) =>
        await SendAsync(HttpMethod.Patch, path, body, notFoundIsNull: false, cancellationToken).ConfigureAwait(false);

    private async Task<JsonNode?> SendAsync(HttpMethod method, string path, JsonNode? body, bool notFoundIsNull, CancellationToken cancellationToken)
    {
        AccessToken token;
        try
        {
            token = await _credential.GetTokenAsync(new TokenRequestContext(_scopes), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Azure.Identity's credential exceptions are not Azure.Core types: one error a hook can handle, with the cause.
            throw new GraphRequestException(0, "SignIn", $"no token for {Endpoint.Host}: {FirstLine(ex.Message)}", method.Method, Url(path), ex);
        }

        using var request = new HttpRequestMessage(method, Url(path));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.Token);
        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        }

        using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound && notFoundIsNull)
        {
            return null;
        }

        if (!response.IsSuccessStatusCode)
        {
            var (code, message) = ErrorOf(text);
            throw new GraphRequestException((int)response.StatusCode, code, message, method.Method, Url(path));
        }

        return string.IsNullOrWhiteSpace(text) ? null : JsonNode.Parse(text);
    }

    private static (string Code, string Message) ErrorOf(string text)
    {
        try
        {
            var error = JsonNode.Parse(text)?["error"];
            return (error?["code"]?.GetValue<string>() ?? "", error?["message"]?.GetValue<string>() ?? FirstLine(text));
        }
        catch (System.Text.Json.JsonException)
        {
            return ("", FirstLine(text));
        }
    }

    private static string FirstLine(string text)
    {
        var line = text.AsSpan().Trim();
        var end = line.IndexOfAny('\r', '\n');
        return (end < 0 ? line : line[..end]).ToString();
    }
}
