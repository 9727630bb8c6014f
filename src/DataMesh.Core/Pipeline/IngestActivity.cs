using DataMesh.Specs;
using Microsoft.DurableTask;

namespace DataMesh.Pipeline;

/// <summary>
/// Stage 1: pins the run's landing blobs (ETag, size, SHA-256) and copies them into the run's folder.
/// Activities run at least once: this one only reads storage and overwrites its own run folder, so it is idempotent.
/// </summary>
public sealed class IngestActivity(PipelineRuntime runtime) : TaskActivity<IngestInput, IngestResult>
{
    public override async Task<IngestResult> RunAsync(TaskActivityContext context, IngestInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var spec = runtime.Products.Get(input.ProductId);
        var workspace = runtime.Workspace(input.RunId);
        var assigned = await AssignAsync(spec, input.LandingBlobs, CancellationToken.None).ConfigureAwait(false);
        var files = new List<IngestedFile>();
        var index = 0;
        foreach (var (inputName, blobName) in assigned)
        {
            files.Add(await LandingFiles.DownloadAsync(runtime, spec, workspace, inputName, blobName, index++, CancellationToken.None).ConfigureAwait(false));
        }

        return new IngestResult(files) { Version = spec.Version };
    }

    /// <summary>
    /// Maps each blob to the landing input whose path holds it (longest path wins); a landing input the trigger
    /// did not name reads the newest blob under its path.
    /// </summary>
    private async Task<List<(string Input, string Blob)>> AssignAsync(ProductSpec spec, IReadOnlyList<string> blobs, CancellationToken cancellationToken)
    {
        var landingInputs = spec.Inputs.Where(i => i.IsLanding).OrderByDescending(i => i.Landing!.Path.Length).ToList();
        var assigned = new List<(string Input, string Blob)>();
        foreach (var blob in blobs.Distinct(StringComparer.Ordinal))
        {
            LandingFiles.ValidateName(blob);
            var owner = landingInputs.FirstOrDefault(i => blob.StartsWith(i.Landing!.Path, StringComparison.Ordinal))
                ?? throw new PipelineStageException("ingest", $"Landing blob '{blob}' is not under any landing path of {spec.Id} ({string.Join(", ", landingInputs.Select(i => i.Landing!.Path))}).");
            assigned.Add((owner.Name, blob));
        }

        foreach (var input in landingInputs.Where(i => assigned.All(a => a.Input != i.Name)))
        {
            var newest = await NewestBlobAsync(spec, input.Landing!.Path, cancellationToken).ConfigureAwait(false)
                ?? throw new PipelineStageException("ingest", $"Input '{input.Name}' of {spec.Id} has no file under landing path '{input.Landing!.Path}'.");
            assigned.Add((input.Name, newest));
        }

        return assigned;
    }

    private async Task<string?> NewestBlobAsync(ProductSpec spec, string prefix, CancellationToken cancellationToken)
    {
        string? newest = null;
        var newestTime = DateTimeOffset.MinValue;
        await foreach (var item in runtime.Storage.Landing(spec.Domain).GetBlobsAsync(new Azure.Storage.Blobs.Models.GetBlobsOptions { Prefix = prefix }, cancellationToken).ConfigureAwait(false))
        {
            var modified = item.Properties.LastModified ?? DateTimeOffset.MinValue;
            if (modified > newestTime)
            {
                (newest, newestTime) = (item.Name, modified);
            }
        }

        return newest;
    }
}
