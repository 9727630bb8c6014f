using DataMesh.Engine;
using DataMesh.Publishing;
using DataMesh.Telemetry;
using Microsoft.DurableTask;

namespace DataMesh.Pipeline;

/// <summary>
/// Stage 4: writes the release: claims its number (create-only), uploads the Parquet, then the manifest last and
/// create-only. Idempotent: a retry of the same run finds its claim and its manifest and returns the same release.
/// </summary>
public sealed class PublishActivity(PipelineRuntime runtime) : TaskActivity<PublishInput, PublishResult>
{
    public override Task<PublishResult> RunAsync(TaskActivityContext context, PublishInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return StageTracing.RunAsync(runtime.Products, "publish", input.RunId, input.ProductId, input.Attempt, () => PublishAsync(input),
            (span, published) => span.SetTag(TelemetryAttributes.Release, published.Release).SetTag(TelemetryAttributes.Rows, published.Rows).SetTag(TelemetryAttributes.Bytes, published.Bytes));
    }

    private async Task<PublishResult> PublishAsync(PublishInput input)
    {
        var spec = runtime.Products.Get(input.ProductId);
        var workspace = runtime.Workspace(input.RunId);
        var store = new ReleaseStore(runtime.Storage.Products(spec.Domain));

        // Governance again at publish, before a release number is claimed (a refused run leaves no gap): the mesh
        // policies, and no breaking change under the same major version. Both are idempotent on a retry.
        PublishGate.CheckPolicies(spec, runtime.Products, runtime.Policies, runtime.Time);
        await PublishGate.CheckCompatibilityAsync(spec, store).ConfigureAwait(false);

        var release = await store.ClaimReleaseAsync(spec.Name, spec.Version, input.RunId).ConfigureAwait(false);
        var folder = ReleaseStore.Folder(spec.Name, spec.Version, release);
        var existing = await store.ReadManifestAsync(folder).ConfigureAwait(false);
        if (existing is null)
        {
            var locals = await StagedOutput.EnsureLocalAsync(runtime, spec.Domain, workspace, input.Output, CancellationToken.None).ConfigureAwait(false);
            var (published, schema) = ApplyMasking(spec, workspace, input.Output, locals);
            var uploads = input.Output.Files.Zip(published, (relative, local) => store.UploadFileAsync(folder, relative, local));
            var files = await Task.WhenAll(uploads).ConfigureAwait(false);
            await store.Container.GetBlobClient(folder + PublishGate.ContractSnapshotName)
                .UploadAsync(BinaryData.FromString(await File.ReadAllTextAsync(spec.Contract.Path).ConfigureAwait(false)), overwrite: true).ConfigureAwait(false);
            await runtime.Options.Faults.InjectAsync(PipelineFaults.BeforeManifest, input.RunId).ConfigureAwait(false);
            existing = await store.WriteManifestAsync(folder, new ReleaseManifest
            {
                ProductId = spec.Id,
                Version = spec.Version,
                Release = release,
                RunId = input.RunId,
                CreatedAt = runtime.Time.GetUtcNow(),
                Rows = input.Output.Rows,
                Schema = schema,
                SchemaHash = ReferenceEquals(schema, input.Output.Schema) ? input.Output.SchemaHash : TransformActivity.SchemaHash(schema),
                Files = files,
                Quality = input.Quality,
                Lineage = new ReleaseLineage(input.Landing.Select(f => f.Blob).ToList(), input.Upstream) { Inputs = input.Output.Inputs },
                ContractId = $"{spec.Contract.Id}@{spec.Contract.Version}",
            }).ConfigureAwait(false);
        }

        // The release exists: its landing files' bytes are now the product's (create-only, so a retry or a later run
        // leaves the first publisher's entry). Same bytes arriving again are refused at ingest as a duplicate.
        var index = new PublishedInputIndex(store.Container);
        foreach (var landing in input.Landing.Select(f => f.Blob).DistinctBy(b => b.Sha256))
        {
            await index.RecordAsync(spec.Name, new PublishedInput(landing.Sha256, spec.Id, spec.Version, existing.Release, existing.RunId, landing.Name, landing.ETag)).ConfigureAwait(false);
        }

        await runtime.Options.Faults.InjectAsync(PipelineFaults.AfterManifest, input.RunId).ConfigureAwait(false);
        var location = store.Container.Uri.AbsoluteUri.TrimEnd('/') + "/" + folder;
        return new PublishResult(existing.Release, location, existing.Rows, existing.SchemaHash) { Bytes = existing.Files.Sum(f => f.Size) };
    }

    /// <summary>Rewrites the output with the contract's masking (file by file, same layout), or returns it as is.</summary>
    private (IReadOnlyList<string> Files, IReadOnlyList<OutputColumn> Schema) ApplyMasking(
        Specs.ProductSpec spec, RunWorkspace workspace, TransformResult output, IReadOnlyList<string> locals)
    {
        string? select;
        try
        {
            select = Masking.SelectList(spec.Contract, output.Schema, runtime.Options.MaskingSalt);
        }
        catch (InvalidOperationException ex)
        {
            throw new PipelineStageException("publish", $"{spec.Id}: {ex.Message}", ex);
        }

        if (select is null)
        {
            return (locals, output.Schema);
        }

        if (Directory.Exists(workspace.MaskedDirectory))
        {
            Directory.Delete(workspace.MaskedDirectory, recursive: true);
        }

        using var session = DuckDbSession.OpenLocked(new DuckDbSessionOptions
        {
            AllowedDirectories = [workspace.OutputDirectory, workspace.MaskedDirectory],
            TempDirectory = workspace.TempDirectory,
            MemoryLimit = runtime.Options.MemoryLimit,
            Threads = runtime.Options.Threads,
        });
        var masked = new List<string>();
        foreach (var (relative, local) in output.Files.Zip(locals))
        {
            var target = Path.Combine(workspace.MaskedDirectory, relative.Replace('/', Path.DirectorySeparatorChar));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            session.Execute(
                $"COPY (SELECT {select} FROM read_parquet({Sql.Literal(local)})) TO {Sql.Literal(target)} (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE {runtime.Options.RowGroupSize})");
            masked.Add(target);
        }

        var schema = session.Query(
            $"SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet({Sql.List(masked)}))",
            r => new OutputColumn(r.GetString(0), r.GetString(1)));
        return (masked, schema);
    }
}
