using DataMesh.Publishing;
using Microsoft.DurableTask;

namespace DataMesh.Pipeline;

/// <summary>
/// Stage 4: writes the release: claims its number (create-only), uploads the Parquet, then the manifest last and
/// create-only. Idempotent: a retry of the same run finds its claim and its manifest and returns the same release.
/// </summary>
public sealed class PublishActivity(PipelineRuntime runtime) : TaskActivity<PublishInput, PublishResult>
{
    public override async Task<PublishResult> RunAsync(TaskActivityContext context, PublishInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var spec = runtime.Products.Get(input.ProductId);
        var workspace = runtime.Workspace(input.RunId);
        var store = new ReleaseStore(runtime.Storage.Products(spec.Domain));

        var release = await store.ClaimReleaseAsync(spec.Name, spec.Version, input.RunId).ConfigureAwait(false);
        var folder = ReleaseStore.Folder(spec.Name, spec.Version, release);
        var existing = await store.ReadManifestAsync(folder).ConfigureAwait(false);
        if (existing is null)
        {
            var locals = await StagedOutput.EnsureLocalAsync(runtime, spec.Domain, workspace, input.Output, CancellationToken.None).ConfigureAwait(false);
            var uploads = input.Output.Files.Zip(locals, (relative, local) => store.UploadFileAsync(folder, relative, local));
            var files = await Task.WhenAll(uploads).ConfigureAwait(false);
            existing = await store.WriteManifestAsync(folder, new ReleaseManifest
            {
                ProductId = spec.Id,
                Version = spec.Version,
                Release = release,
                RunId = input.RunId,
                CreatedAt = runtime.Time.GetUtcNow(),
                Rows = input.Output.Rows,
                Schema = input.Output.Schema,
                SchemaHash = input.Output.SchemaHash,
                Files = files,
                Quality = input.Quality,
                Lineage = new ReleaseLineage(input.Landing.Select(f => f.Blob).ToList(), []) { Inputs = input.Output.Inputs },
                ContractId = $"{spec.Contract.Id}@{spec.Contract.Version}",
            }).ConfigureAwait(false);
        }

        var location = store.Container.Uri.AbsoluteUri.TrimEnd('/') + "/" + folder;
        return new PublishResult(existing.Release, location, existing.Rows, existing.SchemaHash);
    }
}
