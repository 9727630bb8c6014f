using DataMesh.Pipeline;
using DataMesh.Storage;
using DataMesh.Triggers;
using Grpc.Core;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;

namespace DataMesh.Functions.Pipeline;

/// <summary>
/// Starts pipeline runs from the deliveries on <c>pipeline-triggers</c>: blob arrivals in the landing container (Event
/// Grid schema) and releases of upstream products (CloudEvents from the mesh topic). Idempotent: the run id comes from
/// the blob's account, container, name and ETag (never its URL), or from the upstream event id, and a run that exists
/// in any state is never started again (the local engine's rule too).
/// Irrelevant events are logged and dropped; a malformed body throws, so after the retries it lands in
/// <c>pipeline-triggers-poison</c>.
/// </summary>
public sealed partial class PipelineTrigger(PipelineTriggerRouter router, ILogger<PipelineTrigger> logger)
{
    [Function(nameof(PipelineTrigger))]
    public async Task RunAsync(
        [QueueTrigger(MeshStorage.PipelineTriggersQueue, Connection = "AzureWebJobsStorage")] string body,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        foreach (var route in await router.RouteAsync(body, cancellationToken))
        {
            if (route.Request is { } request)
            {
                await StartAsync(client, request, route.Reason, cancellationToken);
            }
            else
            {
                LogDropped(logger, route.Reason);
            }
        }
    }

    private async Task StartAsync(DurableTaskClient client, PipelineRequest request, string reason, CancellationToken cancellationToken)
    {
        // Check before writing: starting an id whose run has completed would replace that run, not collapse into it.
        var existing = await client.GetInstanceAsync(request.RunId, getInputsAndOutputs: false, cancellationToken);
        if (existing is not null)
        {
            LogDuplicate(logger, request.RunId, existing.RuntimeStatus.ToString());
            return;
        }

        try
        {
            await client.ScheduleNewOrchestrationInstanceAsync(
                nameof(DataProductPipeline), request, new StartOrchestrationOptions(request.RunId), cancellationToken);
            LogScheduled(logger, request.RunId, request.ProductId, reason);
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.AlreadyExists)
        {
            // A concurrent delivery of the same write got there first.
            LogDuplicate(logger, request.RunId, "just started");
        }
    }

    [LoggerMessage(EventId = 3100, Level = LogLevel.Information, Message = "Run {RunId} of {ProductId} scheduled: {Reason}")]
    private static partial void LogScheduled(ILogger logger, string runId, string productId, string reason);

    [LoggerMessage(EventId = 3101, Level = LogLevel.Information, Message = "Run {RunId} already exists ({Status}): duplicate delivery ignored")]
    private static partial void LogDuplicate(ILogger logger, string runId, string status);

    [LoggerMessage(EventId = 3102, Level = LogLevel.Information, Message = "Delivery dropped: {Reason}")]
    private static partial void LogDropped(ILogger logger, string reason);
}
