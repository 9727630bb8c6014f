using DataMesh.Publishing;
using DataMesh.Telemetry;
using Microsoft.DurableTask;

namespace DataMesh.Pipeline;

/// <summary>
/// Stage 1, one activity per landing file (the orchestrator fans out): pins the blob (ETag, size, SHA-256), copies
/// it into the run's folder and inspects it as it arrives (<see cref="LandingFileInspector"/>); an arrival whose bytes the
/// product already published is refused as a duplicate of that run. Activities run at least once: this one only reads
/// storage and overwrites its own file in the run folder, so it is idempotent.
/// </summary>
public sealed class IngestActivity(PipelineRuntime runtime) : TaskActivity<IngestInput, IngestedFile>
{
    public override Task<IngestedFile> RunAsync(TaskActivityContext context, IngestInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return StageTracing.RunAsync(runtime, "ingest", input.RunId, input.ProductId, input.Attempt, () => StageTimeLimit.RunAsync(runtime.ProductsOf(input.RunId).Get(input.ProductId), "ingest", token => IngestAsync(input, token), runtime.CancellationOf(input.RunId)),
            (span, file) => span.SetTag(TelemetryAttributes.Input, file.InputName).SetTag(TelemetryAttributes.Blob, file.Blob.Name).SetTag(TelemetryAttributes.Bytes, file.Blob.Size));
    }

    private async Task<IngestedFile> IngestAsync(IngestInput input, CancellationToken cancellationToken)
    {
        var spec = runtime.ProductsOf(input.RunId).Get(input.ProductId);
        await CleanUpActivity.ThrowIfTerminatedAsync(runtime, spec, input.RunId, "ingest", cancellationToken).ConfigureAwait(false);
        var port = spec.Inputs.FirstOrDefault(i => i.Name == input.File.InputName && i.IsLanding)
            ?? throw new InputRejectedException($"{spec.Id} has no landing input '{input.File.InputName}'.");
        LandingFiles.ValidateName(input.File.BlobName);
        var workspace = runtime.Workspace(input.RunId);
        var ingested = await LandingFiles.DownloadAsync(
            runtime, spec, workspace, input.File, (content, length) => LandingFileInspector.Inspect(content, length, input.File.BlobName, port.Landing!), cancellationToken).ConfigureAwait(false);
        if (input.RefuseDuplicates
            && await new PublishedInputIndex(runtime.StorageFor(spec.Domain).Products(spec.Domain)).FindAsync(spec.Name, ingested.Blob.Sha256, cancellationToken).ConfigureAwait(false) is { } earlier
            && earlier.RunId != input.RunId)
        {
            throw new InputRejectedException(
                $"Landing file '{LandingBlobNames.Printable(input.File.BlobName)}' of {spec.Id} is a duplicate of run {earlier.RunId}: the same bytes (SHA-256 {earlier.Sha256}) arrived as '{LandingBlobNames.Printable(earlier.Blob)}' and were published in release {earlier.Version}#{earlier.Release}; nothing is published again (run the product on demand to rebuild from them on purpose).");
        }

        await runtime.Options.Faults.InjectAsync(PipelineFaults.AfterIngest, input.RunId).ConfigureAwait(false);

        // Copied before looking: a copy made after the terminated run's clean-up emptied its folder goes too.
        await CleanUpActivity.ThrowIfTerminatedWhileRunningAsync(runtime, spec, input.RunId, "ingest", "its copy of the input removed").ConfigureAwait(false);
        return ingested;
    }
}
