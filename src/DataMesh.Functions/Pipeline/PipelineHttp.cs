using System.Net;
using System.Text.Json;
using Microsoft.Azure.Functions.Worker.Http;

namespace DataMesh.Functions.Pipeline;

/// <summary>What the operator routes that start runs (<c>RunProduct</c>, <c>Backfill</c>) share: a bounded body read and a JSON error.</summary>
internal static class PipelineHttp
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

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
