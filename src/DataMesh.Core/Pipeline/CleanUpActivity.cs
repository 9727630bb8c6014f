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
        return StageTracing.RunAsync(runtime, "cleanup", input.RunId, input.ProductId, input.Attempt, () => StageTimeLimit.RunAsync(runtime.Products.Get(input.ProductId), "cleanup", token => CleanUpAsync(input, token)));
    }

    private async Task<bool> CleanUpAsync(CleanUpInput input, CancellationToken cancellationToken)
    {
        var spec = runtime.Products.Get(input.ProductId);
        var staging = runtime.StorageFor(spec.Domain).Staging(spec.Domain);
        await foreach (var blob in staging.GetBlobsAsync(new Azure.Storage.Blobs.Models.GetBlobsOptions { Prefix = StagedOutput.Prefix(spec.Name, input.RunId) }, cancellationToken).ConfigureAwait(false))
        {
            await staging.DeleteBlobIfExistsAsync(blob.Name, cancellationToken: cancellationToken).ConfigureAwait(false);
        }

        if (runtime.Options.CleanUpWorkDirectory)
        {
            // The folder leaves at once; its files are deleted in the background.
            _ = runtime.Trash.Discard(runtime.Workspace(input.RunId));
        }

        runtime.ForgetRun(input.RunId);
        return true;
    }
}
