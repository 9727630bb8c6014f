using System.Text.Json;
using Microsoft.DurableTask.Client;

namespace DataMesh.Pipeline;

/// <summary>
/// What cancelling a run means on any host (Ctrl+C in the CLI, <c>datamesh runs cancel</c>, the Functions operator
/// route): its <see cref="DataProductPipeline"/> instance is terminated with a reason that starts with
/// <see cref="Marker"/>; once the termination took effect, <see cref="StuckRunSweep.FinishTerminatedAsync"/> (or any
/// later sweep or detector pass) starts the run's one <see cref="StuckRunFailure"/>, which announces
/// <c>PipelineRunFailed</c> with reason <see cref="Reason"/> and cleans the workspace; nothing is published, nothing is
/// quarantined, the landing input stays in landing; the catalog records the run as <c>Cancelled</c>.
/// </summary>
public static class RunCancellation
{
    /// <summary>The word a cancelled run's <c>PipelineRunFailed</c> carries as its reason.</summary>
    public const string Reason = "cancelled";

    /// <summary>Starts the termination reason of a cancelled run (how a later pass tells a cancellation from a stuck run).</summary>
    public const string Marker = "cancelled: ";

    private static readonly JsonSerializerOptions Json = new() { PropertyNameCaseInsensitive = true };

    /// <summary>
    /// The error a cancelled run ends with: who cancelled it, where, and what became of its input: a landed input stays in
    /// landing; a backfill's inputs (<paramref name="backfill"/>) were read from the archive and stay there.
    /// </summary>
    public static string Describe(string by, string stage, bool backfill = false) =>
        $"{Marker}by {by} at stage {stage}; nothing published, its workspace cleaned, "
        + (backfill ? "its archived inputs kept in the archive: run the backfill again" : "its landing input left in landing: drop it again or replay it");

    /// <summary>Whether a terminated run's output (its termination reason, raw or as a JSON string) marks a cancellation.</summary>
    public static bool IsCancellation(string? terminationOutput) =>
        terminationOutput is { } output && output.TrimStart('"').StartsWith(Marker, StringComparison.Ordinal);

    /// <summary>
    /// Terminates pipeline run <paramref name="runId"/> when it is still pending or running; <paramref name="by"/> says
    /// who asked (kept in the run's error). Returns what it found; a run already ended is left as it is.
    /// </summary>
    public static async Task<RunCancellationOutcome> CancelAsync(DurableTaskClient client, string runId, string by, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentException.ThrowIfNullOrEmpty(runId);
        var run = await client.GetInstanceAsync(runId, getInputsAndOutputs: true, cancellationToken).ConfigureAwait(false);
        if (run is null || run.Name != nameof(DataProductPipeline))
        {
            return RunCancellationOutcome.NotFound;
        }

        if (run.RuntimeStatus is not (OrchestrationRuntimeStatus.Pending or OrchestrationRuntimeStatus.Running or OrchestrationRuntimeStatus.Suspended))
        {
            return RunCancellationOutcome.AlreadyEnded;
        }

        await client.TerminateInstanceAsync(runId, new TerminateInstanceOptions(Describe(by, StageOf(run), IsBackfill(run))), cancellationToken).ConfigureAwait(false);
        return RunCancellationOutcome.Terminated;
    }

    /// <summary>Whether the run is a backfill (its request's trigger), its inputs read from the archive.</summary>
    internal static bool IsBackfill(OrchestrationMetadata run)
    {
        try
        {
            return run.SerializedInput is { Length: > 0 } && run.ReadInputAs<PipelineRequest>()?.Trigger == BackfillPlanner.Trigger;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>The stage a run last reported (its custom status), or <c>unknown</c>.</summary>
    internal static string StageOf(OrchestrationMetadata run)
    {
        try
        {
            return run.SerializedCustomStatus is { Length: > 0 } status && JsonSerializer.Deserialize<RunProgress>(status, Json) is { } progress ? progress.Stage : "unknown";
        }
        catch (JsonException)
        {
            return "unknown";
        }
    }
}
