using System.Net;
using System.Text.Json;
using DataMesh.Pipeline;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;

namespace DataMesh.Functions.Pipeline;

/// <summary>
/// <c>POST api/products/{id}/runs</c>: runs a product on demand (e.g. after fixing its SQL, over the files already in
/// landing). Body, optional: <c>{ "landingBlobs": ["ledger/emea/2026-10.csv"] }</c> — blob names, or prefixes ending
/// in '/'; without it each landing input reads its newest blob. Answers 202 with the run id and the Durable status URLs.
/// </summary>
public sealed partial class RunProductFunction(IProductRegistry products, TimeProvider time, ILogger<RunProductFunction> logger)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Largest request body read (a list of landing blob names).</summary>
    private const int MaxBodyBytes = 64 * 1024;

    [Function("RunProduct")]
    public async Task<HttpResponseData> RunAsync(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "products/{id}/runs")] HttpRequestData request,
        string id,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(client);
        if (!products.All.Any(p => p.Id == id))
        {
            return await ErrorAsync(request, HttpStatusCode.NotFound, $"Product '{id}' is not served by this app (known: {string.Join(", ", products.All.Select(p => p.Id))}).", cancellationToken);
        }

        // Read whole first (bounded): on ASP.NET Core the body does not seek, and an empty one means "no body".
        using var buffered = new MemoryStream();
        if (!await PipelineHttp.TryReadBoundedAsync(request, buffered, MaxBodyBytes, cancellationToken))
        {
            return await ErrorAsync(request, HttpStatusCode.RequestEntityTooLarge, $"The body is larger than {MaxBodyBytes} bytes: name the landing blobs by prefix instead.", cancellationToken);
        }

        RunBody? body = null;
        if (buffered.Length > 0)
        {
            try
            {
                buffered.Position = 0;
                body = await JsonSerializer.DeserializeAsync<RunBody>(buffered, Json, cancellationToken);
            }
            catch (JsonException ex)
            {
                return await ErrorAsync(request, HttpStatusCode.BadRequest, $"The body must be {{ \"landingBlobs\": [\"...\"] }} or empty: {ex.Message}", cancellationToken);
            }
        }

        var runId = $"{id}-http-{time.GetUtcNow():yyyyMMddTHHmmssfff}-{Guid.NewGuid().ToString("N")[..8]}";
        var pipelineRequest = new PipelineRequest { RunId = runId, ProductId = id, LandingBlobs = body?.LandingBlobs ?? [], Trigger = "http" };
        await client.ScheduleNewOrchestrationInstanceAsync(nameof(DataProductPipeline), pipelineRequest, new StartOrchestrationOptions(runId), cancellationToken);
        LogStarted(logger, runId, id);
        return await client.CreateCheckStatusResponseAsync(request, runId, cancellationToken);
    }

    private static Task<HttpResponseData> ErrorAsync(HttpRequestData request, HttpStatusCode status, string error, CancellationToken cancellationToken) =>
        PipelineHttp.ErrorAsync(request, status, error, cancellationToken);

    [LoggerMessage(EventId = 3103, Level = LogLevel.Information, Message = "Run {RunId} of {ProductId} started on demand")]
    private static partial void LogStarted(ILogger logger, string runId, string productId);

    private sealed record RunBody(IReadOnlyList<string>? LandingBlobs);
}
