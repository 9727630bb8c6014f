using Microsoft.DurableTask;

namespace DataMesh.Pipeline;

/// <summary>
/// Ends a stuck or cancelled run's story once the host has terminated its orchestration. First it settles the run
/// (<see cref="SettleRunActivity"/>): the run is decided terminated unless its publish decided first. Terminated: it
/// announces <c>PipelineRunFailed</c> with the reason (nothing quarantined: the landing input stays for a re-run) and cleans
/// the run's staged data and workspace. Its publish first: the release stands, so it archives the inputs and announces the
/// release as the run would have, the termination said in its error. Scheduled once per stuck run (its instance id
/// derives from the run id), so the outcome is announced exactly once however often the detector sees the run.
/// Deterministic: all work is in the activities.
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
        SettledRun settled;
        try
        {
            settled = await context.CallActivityAsync<SettledRun>(nameof(SettleRunActivity), new SettleRunInput(input.RunId, input.ProductId), DataProductPipeline.StageRetry);
        }
        catch (TaskFailedException ex)
        {
            // Storage failed it every time: announced as terminated, with that said (the decision, made or not, stands:
            // a publish that decided first has its release, which the catalog learns from the next settling or release).
            settled = SettledRun.NothingPublished;
            result = result with { Error = $"{result.Error}; whether its publish had committed could not be settled: {ex.FailureDetails.ErrorMessage}" };
        }

        AnnounceInput announce;
        if (settled is { Published: { } published, Publish: { } publish })
        {
            // The publish decided before the termination did: the release is the run's, its inputs the release's.
            string? archiveError = null;
            try
            {
                await context.CallActivityAsync<IReadOnlyList<string>>(
                    nameof(ArchiveActivity), new ArchiveInput(input.RunId, input.ProductId, input.Version, published.Release, publish.Landing.Select(f => f.Blob).ToList()), DataProductPipeline.StageRetry);
            }
            catch (TaskFailedException ex)
            {
                archiveError = $"; archive failed: {ex.FailureDetails.ErrorMessage}; the inputs stay in landing (their bytes are refused as duplicates if they arrive again)";
            }

            result = new PipelineResult
            {
                Status = PipelineStatus.Published,
                Product = input.ProductId,
                Version = input.Version,
                RunId = input.RunId,
                Release = published.Release,
                Rows = published.Rows,
                Location = published.Location,
                Quality = (published.Quality ?? publish.Quality).Rules,
                Inputs = publish.Output.Inputs,
                Upstream = publish.Upstream,
                Error = $"{Committed(input.Reason, published.Release)}{archiveError}",
            };
            announce = new AnnounceInput(result, published, publish, publish.Quality) { LandingBlobs = input.LandingBlobs, StartedAt = now };
        }
        else
        {
            announce = new AnnounceInput(result, null, null, null) { LandingBlobs = input.LandingBlobs, StartedAt = now, FailureReason = input.Cause };
        }

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

    /// <summary>
    /// What a terminated run whose publish decided first says: the termination (its reason, whose promise of "nothing
    /// published" no longer holds) and that its release stands.
    /// </summary>
    internal static string Committed(string reason, int release)
    {
        var cut = reason.IndexOf("; nothing published", StringComparison.Ordinal) is var nothing and >= 0 ? nothing
            : reason.IndexOf(" (its work was lost or hangs)", StringComparison.Ordinal) is var lost and >= 0 ? lost + " (its work was lost or hangs)".Length
            : reason.Length;
        return $"{reason[..cut].TrimEnd(',', ' ')}; too late: its publish had already committed release {release}, which stands (announced, its inputs archived)";
    }
}
