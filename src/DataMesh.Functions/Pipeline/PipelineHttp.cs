using System.Net;
using System.Text.Json;
using DataMesh.Functions.Configuration;
using DataMesh.Pipeline;
using Microsoft.Azure.Functions.Worker.Http;

namespace DataMesh.Functions.Pipeline;

/// <summary>What the operator routes (<c>RunProduct</c>, <c>Backfill</c>, <c>CancelRun</c>, quarantine) share: the operator check, the product check, a bounded JSON body read and a JSON error.</summary>
internal static class PipelineHttp
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// 401 for a refused bearer token, 403 naming the app role for a caller who is not an operator (<paramref name="needs"/>
    /// says what the route does: "A backfill needs"); null when an operator calls.
    /// </summary>
    public static async Task<HttpResponseData?> RefuseUnlessOperatorAsync(HttpRequestData request, AppServiceAuthentication authentication, string needs, CancellationToken cancellationToken)
    {
        var (caller, refusal) = await authentication.IdentifyAsync(request, cancellationToken);
        if (caller is null)
        {
            return await Catalog.CatalogApi.InvalidTokenAsync(request, refusal ?? "the bearer token is refused", cancellationToken);
        }

        return caller.IsOperator
            ? null
            : await ErrorAsync(request, HttpStatusCode.Forbidden, $"{needs} the {Consumption.DataReader.OperatorRole} app role (a bearer token validated by App Service authentication).", cancellationToken);
    }

    /// <summary>404 naming the products this app serves when <paramref name="id"/> is not one of them; null when it is.</summary>
    public static async Task<HttpResponseData?> RefuseUnknownProductAsync(HttpRequestData request, IProductRegistry products, string id, CancellationToken cancellationToken) =>
        products.All.Any(p => p.Id == id)
            ? null
            : await ErrorAsync(request, HttpStatusCode.NotFound, $"Product '{id}' is not served by this app (known: {string.Join(", ", products.All.Select(p => p.Id))}).", cancellationToken);

    /// <summary>
    /// The JSON body as <typeparamref name="T"/> (default when there is none), read whole but never past
    /// <paramref name="maxBytes"/>; else the answer to give instead: 413 (with <paramref name="tooLargeHint"/>, what to do),
    /// or 400 saying the body must be <paramref name="shape"/> and why it is not.
    /// </summary>
    public static async Task<(T? Body, HttpResponseData? Refused)> ReadJsonAsync<T>(HttpRequestData request, int maxBytes, string shape, string? tooLargeHint, CancellationToken cancellationToken)
    {
        using var buffered = new MemoryStream();
        if (!await TryReadBoundedAsync(request, buffered, maxBytes, cancellationToken))
        {
            return (default, await ErrorAsync(request, HttpStatusCode.RequestEntityTooLarge, $"The body is larger than {maxBytes} bytes{(tooLargeHint is null ? "" : ": " + tooLargeHint)}.", cancellationToken));
        }

        try
        {
            return (buffered.Length == 0 ? default : JsonSerializer.Deserialize<T>(buffered.ToArray(), Json), null);
        }
        catch (JsonException ex)
        {
            return (default, await ErrorAsync(request, HttpStatusCode.BadRequest, $"The body must be {shape}: {ex.Message}", cancellationToken));
        }
    }

    /// <summary>
    /// Reads the whole body into <paramref name="into"/> (on ASP.NET Core it does not seek, and empty means "no body"),
    /// never more than <paramref name="maxBytes"/>: false as soon as it would exceed them.
    /// </summary>
    public static async Task<bool> TryReadBoundedAsync(HttpRequestData request, MemoryStream into, int maxBytes, CancellationToken cancellationToken)
    {
        if (!request.Body.CanRead)
        {
            return true;
        }

        var chunk = new byte[8192];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (into.Length + read > maxBytes)
            {
                return false;
            }

            into.Write(chunk, 0, read);
        }

        return true;
    }

    /// <summary>A JSON <c>{ "error": ... }</c> answer with <paramref name="status"/>.</summary>
    public static async Task<HttpResponseData> ErrorAsync(HttpRequestData request, HttpStatusCode status, string error, CancellationToken cancellationToken)
    {
        var response = request.CreateResponse(status);
        response.Headers.Add("Content-Type", "application/json; charset=utf-8");
        await JsonSerializer.SerializeAsync(response.Body, new { error }, Json, cancellationToken);
        return response;
    }
}
