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
        if (await PipelineHttp.RefuseUnknownProductAsync(request, products, id, cancellationToken) is { } unknown)
        {
            return unknown;
        }

        var (body, invalid) = await PipelineHttp.ReadJsonAsync<RunBody>(
            request, MaxBodyBytes, "{ \"landingBlobs\": [\"...\"] } or empty", "name the landing blobs by prefix instead", cancellationToken);
        if (invalid is not null)
        {
            return invalid;
        }

        var runId = $"{id}-http-{time.GetUtcNow():yyyyMMddTHHmmssfff}-{Guid.NewGuid().ToString("N")[..8]}";
        var pipelineRequest = new PipelineRequest { RunId = runId, ProductId = id, LandingBlobs = body?.LandingBlobs ?? [], Trigger = "http" };
        await client.ScheduleNewOrchestrationInstanceAsync(nameof(DataProductPipeline), pipelineRequest, new StartOrchestrationOptions(runId), cancellationToken);
        LogStarted(logger, runId, id);
        return await client.CreateCheckStatusResponseAsync(request, runId, cancellationToken);
    }

    [LoggerMessage(EventId = 3103, Level = LogLevel.Information, Message = "Run {RunId} of {ProductId} started on demand")]
    private static partial void LogStarted(ILogger logger, string runId, string productId);

    private sealed record RunBody(IReadOnlyList<string>? LandingBlobs);
}
