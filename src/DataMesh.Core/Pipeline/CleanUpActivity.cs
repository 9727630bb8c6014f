using DataMesh.Specs;
using DataMesh.Telemetry;
using Microsoft.DurableTask;

namespace DataMesh.Pipeline;

/// <summary>
/// Last step of every run: deletes the run's staged output and its local folder. Releases, quarantined inputs and
/// the landing blobs of published runs are untouched. Idempotent (deleting what is gone is a no-op).
/// </summary>
public sealed class CleanUpActivity(PipelineRuntime runtime) : TaskActivity<CleanUpInput, bool>
{
    public override Task<bool> RunAsync(TaskActivityContext context, CleanUpInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return StageTracing.RunAsync(runtime, "cleanup", input.RunId, input.ProductId, input.Attempt, () => StageTimeLimit.RunAsync(runtime.ProductsOf(input.RunId).Get(input.ProductId), "cleanup", token => CleanUpAsync(input, token)));
    }

    private async Task<bool> CleanUpAsync(CleanUpInput input, CancellationToken cancellationToken)
    {
        var spec = runtime.ProductsOf(input.RunId).Get(input.ProductId);
        if (input.Terminated)
        {
            // Decided before the staged files are listed: a stage still running stages its files before it looks at the
            // decision, so either this listing finds them or that stage finds the run terminated (and removes them
            // itself). A publish that decided first keeps its release (SettleRunActivity commits and announces it).
            await RunDecision.TerminateAsync(runtime, spec, input.RunId, cancellationToken).ConfigureAwait(false);
        }

        await RemoveScratchAsync(runtime, spec, input.RunId, cancellationToken).ConfigureAwait(false);
        runtime.ForgetRun(input.RunId);
        return true;
    }

    /// <summary>True when run <paramref name="runId"/> was decided terminated (<see cref="RunDecision"/>): its clean-up, or its settling, came before any publish.</summary>
    internal static Task<bool> TerminatedAsync(PipelineRuntime runtime, ProductSpec spec, string runId, CancellationToken cancellationToken) =>
        RunDecision.IsTerminatedAsync(runtime, spec, runId, cancellationToken);

    /// <summary>
    /// Refuses to start a stage of a run that was terminated (decided terminated, <see cref="RunDecision"/>):
    /// a terminated orchestration does not take back the activities it scheduled, and in Azure nothing stops one
    /// in-process, so each stage looks before it does anything. Not retried (<see cref="PipelineStageException"/>).
    /// </summary>
    internal static async Task ThrowIfTerminatedAsync(PipelineRuntime runtime, ProductSpec spec, string runId, string stage, CancellationToken cancellationToken)
    {
        if (await TerminatedAsync(runtime, spec, runId, cancellationToken).ConfigureAwait(false))
        {
            throw new PipelineStageException(stage, $"Run {runId} was terminated (cancelled or stuck) before this {stage} started: nothing done.");
        }
    }

    /// <summary>
    /// After a stage of run <paramref name="runId"/> wrote its scratch: when the run was decided terminated meanwhile (the
    /// clean-up may have listed before this stage wrote), removes the run's staged files and folder and refuses, saying
    /// <paramref name="undone"/>. Looks with no cancellation: what the stage wrote must not outlive the run's clean-up.
    /// </summary>
    internal static async Task ThrowIfTerminatedWhileRunningAsync(PipelineRuntime runtime, ProductSpec spec, string runId, string stage, string undone)
    {
        if (await TerminatedAsync(runtime, spec, runId, CancellationToken.None).ConfigureAwait(false))
        {
            await RemoveScratchAsync(runtime, spec, runId, CancellationToken.None).ConfigureAwait(false);
            throw new PipelineStageException(stage, $"Run {runId} was terminated (cancelled or stuck) while this {stage} ran: {undone}.");
        }
    }

    /// <summary>Deletes the run's staged files and its local folder (what a stage of it wrote: idempotent).</summary>
    internal static async Task RemoveScratchAsync(PipelineRuntime runtime, ProductSpec spec, string runId, CancellationToken cancellationToken)
    {
        var staging = runtime.StorageFor(spec.Domain).Staging(spec.Domain);
        await foreach (var blob in staging.GetBlobsAsync(new Azure.Storage.Blobs.Models.GetBlobsOptions { Prefix = StagedOutput.Prefix(spec.Name, runId) }, cancellationToken).ConfigureAwait(false))
        {
            await staging.DeleteBlobIfExistsAsync(blob.Name, cancellationToken: cancellationToken).ConfigureAwait(false);
        }

        if (runtime.Options.CleanUpWorkDirectory)
        {
            // The folder leaves at once; its files are deleted in the background.
            _ = runtime.Trash.Discard(runtime.Workspace(runId));
        }
    }
}
