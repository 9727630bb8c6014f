using Microsoft.DurableTask;

namespace DataMesh.Pipeline;

/// <summary>
/// Ends a stuck or cancelled run's story once the host has terminated its orchestration: announces <c>PipelineRunFailed</c> with
/// the reason (nothing quarantined: the landing input stays for a re-run) and cleans the run's staged data and
/// workspace. Scheduled once per stuck run (its instance id derives from the run id), so the failure is announced
/// exactly once however often the detector sees the run. Deterministic: all work is in the activities.
/// </summary>
public sealed class StuckRunFailure : TaskOrchestrator<StuckRun, PipelineResult>
{
    /// <summary>The instance id of the failure of run <paramref name="runId"/>: one per run.</summary>
    public static string InstanceId(string runId) => runId + "-stuck";

    public override async Task<PipelineResult> RunAsync(TaskOrchestrationContext context, StuckRun input)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(input);
        var now = new DateTimeOffset(DateTime.SpecifyKind(context.CurrentUtcDateTime, DateTimeKind.Utc));
        var result = new PipelineResult
        {
            Status = PipelineStatus.Failed,
            Product = input.ProductId,
            Version = input.Version,
            RunId = input.RunId,
            Stage = input.Stage,
            Error = input.Reason,
        };
        var announce = new AnnounceInput(result, null, null, null) { LandingBlobs = input.LandingBlobs, StartedAt = now, FailureReason = input.Cause };
        var announcing = context.CallActivityAsync<string>(nameof(AnnounceActivity), announce, DataProductPipeline.AnnounceRetry);
        var cleaning = context.CallActivityAsync<bool>(nameof(CleanUpActivity), new CleanUpInput(input.RunId, input.ProductId) { Terminated = true }, DataProductPipeline.StageRetry);
        try
        {
            await announcing;
        }
        catch (TaskFailedException ex)
        {
            // The outbox still holds the event: the relay sends it later.
            result = result with { Error = $"{result.Error}; announcement failed: {ex.FailureDetails.ErrorMessage}" };
        }

        try
        {
            await cleaning;
        }
        catch (TaskFailedException)
        {
            // Leftover scratch data is emptied with the next run's clean-up (WorkspaceTrash).
        }

        return result;
    }
}
