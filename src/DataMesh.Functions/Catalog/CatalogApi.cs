using System.Net;
using DataMesh.Catalog;
using DataMesh.Consumption;
using DataMesh.Functions.Configuration;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;

namespace DataMesh.Functions.Catalog;

/// <summary>
/// The catalog's HTTP API as Azure Functions (routes under <c>api/</c>, one function per route of
/// <see cref="CatalogHttpApi.Routes"/>). Each only hands the request to <see cref="CatalogHttpApi"/>, the same code the
/// local <c>datamesh up</c> serves. No function key: with sign-in configured (<see cref="AppServiceAuthentication.SignInRequired"/>,
/// as the Bicep always sets it) every route but the OpenAPI document answers 401 to a caller without a validated Entra
/// token (the web catalog signs people in and sends theirs). The routes that carry a product's history (releases, runs,
/// quality) answer only callers the product's access lets read its data, as the data routes do.
/// </summary>
public sealed class CatalogApi(CatalogReader catalog, AppServiceAuthentication authentication)
{
    private readonly CatalogHttpApi _api = new(catalog, requireAuthenticatedReaders: true) { RequireSignedInCallers = authentication.SignInRequired };

    [Function("ListProducts")]
    public Task<HttpResponseData> ListProductsAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "products")] HttpRequestData request,
        CancellationToken cancellationToken) => AnswerAsync(_api, request, cancellationToken);

    [Function("GetProduct")]
    public Task<HttpResponseData> GetProductAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "products/{id}")] HttpRequestData request,
        string id,
        CancellationToken cancellationToken) => AnswerAsync(_api, request, cancellationToken);

    [Function("ListReleases")]
    public Task<HttpResponseData> ListReleasesAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "products/{id}/releases")] HttpRequestData request,
        string id,
        CancellationToken cancellationToken) => AnswerAsync(_api, request, cancellationToken);

    [Function("GetRelease")]
    public Task<HttpResponseData> GetReleaseAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "products/{id}/releases/{version}/{release}")] HttpRequestData request,
        string id,
        string version,
        string release,
        CancellationToken cancellationToken) => AnswerAsync(_api, request, cancellationToken);

    [Function("ListRuns")]
    public Task<HttpResponseData> ListRunsAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "products/{id}/runs")] HttpRequestData request,
        string id,
        CancellationToken cancellationToken) => AnswerAsync(_api, request, cancellationToken);

    [Function("GetLineage")]
    public Task<HttpResponseData> GetLineageAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "products/{id}/lineage")] HttpRequestData request,
        string id,
        CancellationToken cancellationToken) => AnswerAsync(_api, request, cancellationToken);

    /// <summary>
    /// Who reads a product's columns across the mesh: what a domain app's publish gate asks before a contract change. No
    /// function key (a domain app holds none of the hub's): the caller's Entra bearer token is required instead (401
    /// without one), the domain app's managed identity's for the mesh API.
    /// </summary>
    [Function("GetReaders")]
    public Task<HttpResponseData> GetReadersAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "products/{id}/readers")] HttpRequestData request,
        string id,
        CancellationToken cancellationToken) => AnswerAsync(_api, request, cancellationToken);

    [Function("GetQualityHistory")]
    public Task<HttpResponseData> GetQualityHistoryAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "products/{id}/quality")] HttpRequestData request,
        string id,
        CancellationToken cancellationToken) => AnswerAsync(_api, request, cancellationToken);

    /// <summary>The OpenAPI document; anonymous, like most API descriptions, so tools can read it without a key.</summary>
    [Function("GetOpenApiDocument")]
    public Task<HttpResponseData> GetOpenApiDocumentAsync(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "openapi.json")] HttpRequestData request,
        CancellationToken cancellationToken) => AnswerAsync(_api, request, cancellationToken);

    /// <summary>Hands one discovery request to <paramref name="api"/>, for the caller App Service authentication validated.</summary>
    private Task<HttpResponseData> AnswerAsync(CatalogHttpApi api, HttpRequestData request, CancellationToken cancellationToken) =>
        AnswerAsync(api, request, authentication, cancellationToken);

    /// <summary>
    /// Hands one request to <paramref name="api"/> for the caller <paramref name="authentication"/> establishes; a bearer
    /// token the app refuses (forged, expired, another audience or tenant) gets 401 with the reason, and no answer.
    /// </summary>
    internal static async Task<HttpResponseData> AnswerAsync(CatalogHttpApi api, HttpRequestData request, AppServiceAuthentication authentication, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(authentication);
        var (caller, refusal) = await authentication.IdentifyAsync(request, cancellationToken);
        if (caller is null)
        {
            return await InvalidTokenAsync(request, refusal ?? "the bearer token is refused", cancellationToken);
        }

        return await AnswerAsync(api, request, caller, cancellationToken);
    }

    /// <summary>401 for a refused bearer token (RFC 6750 <c>invalid_token</c>), as a problem body naming why.</summary>
    internal static async Task<HttpResponseData> InvalidTokenAsync(HttpRequestData request, string reason, CancellationToken cancellationToken)
    {
        var response = request.CreateResponse(HttpStatusCode.Unauthorized);
        response.Headers.Add("Content-Type", "application/problem+json");
        response.Headers.Add("WWW-Authenticate", "Bearer error=\"invalid_token\"");
        var body = new System.Text.Json.Nodes.JsonObject
        {
            ["type"] = "urn:datamesh:catalog:problem:invalid-token",
            ["title"] = "Invalid bearer token",
            ["status"] = 401,
            ["detail"] = reason,
            ["error"] = reason,
        };
        await response.WriteStringAsync(body.ToJsonString(), cancellationToken);
        return response;
    }

    /// <summary>Hands one request of <paramref name="caller"/> to <paramref name="api"/> and writes its answer (JSON, problem, redirect, or a Parquet file streamed from storage).</summary>
    /// <remarks>The route values the host bound are not used: the core routes the raw path itself, as locally.</remarks>
    internal static async Task<HttpResponseData> AnswerAsync(CatalogHttpApi api, HttpRequestData request, DataReader caller, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var headers = CatalogApiRequestHeaders.From(name => request.Headers.TryGetValues(name, out var found) ? string.Join(",", found) : null);
        var answer = await api.HandleAsync(request.Method, request.Url.AbsolutePath, request.Url.Query, caller, headers, cancellationToken);
        return await CatalogApiAnswer.WriteAsync(request, answer, cancellationToken);
    }
}
