using System.Net;
using System.Text.Json;
using DataMesh.Functions.Configuration;
using Microsoft.Azure.Functions.Worker.Http;

namespace DataMesh.Functions.Pipeline;

/// <summary>What the operator routes (<c>RunProduct</c>, <c>Backfill</c>, <c>CancelRun</c>, quarantine) share: the operator check, a bounded body read and a JSON error.</summary>
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
