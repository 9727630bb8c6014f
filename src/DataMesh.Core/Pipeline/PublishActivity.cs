using DataMesh.Engine;
using DataMesh.Publishing;
using DataMesh.Telemetry;
using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;

namespace DataMesh.Pipeline;

/// <summary>
/// Stage 4: writes the release as a snapshot of the product's table (<see cref="SnapshotBuilder"/>, per output mode) under
/// the product version's <see cref="PublishLock"/>: judges the table-level rules on the snapshot (a refusal returns
/// <see cref="PublishResult.Refused"/> and writes nothing), claims a number above its base (create-only), uploads the
/// files it writes, then the manifest last and create-only. Idempotent: a retry of the same run finds its claim and
/// manifest and returns the same release.
/// </summary>
public sealed partial class PublishActivity(PipelineRuntime runtime) : TaskActivity<PublishInput, PublishResult>
{
    public override Task<PublishResult> RunAsync(TaskActivityContext context, PublishInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return StageTracing.RunAsync(runtime, "publish", input.RunId, input.ProductId, input.Attempt, () => StageTimeLimit.RunAsync(runtime.ProductsOf(input.RunId).Get(input.ProductId), "publish", token => PublishAsync(input, token), runtime.CancellationOf(input.RunId)),
            (span, published) => span.SetTag(TelemetryAttributes.Release, published.Release).SetTag(TelemetryAttributes.Rows, published.Rows).SetTag(TelemetryAttributes.Bytes, published.Bytes));
    }

    private async Task<PublishResult> PublishAsync(PublishInput input, CancellationToken cancellationToken)
    {
        var spec = runtime.ProductsOf(input.RunId).Get(input.ProductId);
        await CleanUpActivity.ThrowIfTerminatedAsync(runtime, spec, input.RunId, "publish", cancellationToken).ConfigureAwait(false);
        var workspace = runtime.Workspace(input.RunId);
        var store = new ReleaseStore(runtime.StorageFor(spec.Domain).Products(spec.Domain));

        // Governance again at publish, before a release number is claimed (a refused run leaves no gap): the mesh
        // partition columns, the policies, no column a consumer in range reads removed or narrowed, and no breaking change under the same major version. All are idempotent on a retry.
        PublishGate.CheckPartitionColumns(spec);
        PublishGate.CheckPolicies(spec, runtime.ProductsOf(input.RunId), runtime.Policies, runtime.Time);
        var consumers = await PublishGate.CheckConsumersAsync(spec, runtime.ProductsOf(input.RunId), store, runtime.Hub, cancellationToken).ConfigureAwait(false);
        LogConsumerGate(runtime.LoggerFactory.CreateLogger<PublishActivity>(), input.RunId, consumers);
        await PublishGate.CheckCompatibilityAsync(spec, store, cancellationToken).ConfigureAwait(false);

        // One publisher of the product version at a time (PublishLock): the base read below stays the newest release
        // until this release's manifest is written, so concurrent runs each build on the one before and lose no row.
        await using var publishLock = await PublishLock.AcquireAsync(store.Container, spec.Name, spec.Version, input.RunId, cancellationToken: cancellationToken).ConfigureAwait(false);
        var claimed = await store.FindClaimAsync(spec.Name, spec.Version, input.RunId, cancellationToken).ConfigureAwait(false);
        var existing = claimed is int mine ? await store.ReadManifestAsync(ReleaseStore.Folder(spec.Name, spec.Version, mine), cancellationToken).ConfigureAwait(false) : null;
        if (existing is null)
        {
            var locals = await StagedOutput.EnsureLocalAsync(runtime, spec.Domain, workspace, input.Output, cancellationToken).ConfigureAwait(false);
            var (published, schema) = ApplyMasking(spec, workspace, input.Output, locals, cancellationToken);
            var schemaHash = ReferenceEquals(schema, input.Output.Schema) ? input.Output.SchemaHash : TransformActivity.SchemaHash(schema);
            var @base = await SnapshotBase.FindAsync(spec, store, schemaHash, cancellationToken).ConfigureAwait(false);
            var session = SnapshotSession(workspace, cancellationToken);
            var builder = new SnapshotBuilder(spec, store, workspace.SnapshotDirectory, session, runtime.Options.RowGroupSize, runtime.Options.MergeFileRows);
            var plan = await Snapshot(spec, () => builder.BuildAsync(@base, input.Output.Files.Zip(published, (relative, local) => (relative, local)).ToList(), cancellationToken)).ConfigureAwait(false);
            var quality = await Snapshot(spec, () => SnapshotQuality.JudgeAsync(
                spec, schema, input.Quality, plan, async () => [.. plan.Own.Select(f => f.LocalPath), .. await builder.DownloadAsync(plan.Referenced, cancellationToken).ConfigureAwait(false)], session)).ConfigureAwait(false);
            if (!quality.Passed)
            {
                // Refused before a number is claimed or a byte written: the previous snapshot stays current, untouched.
                return new PublishResult(0, "", plan.Rows, schemaHash) { Refused = quality };
            }

            // The base is the newest release of this version (or none yet): the new release must sort after it.
            var newest = @base is not null && @base.Version == spec.Version ? @base.Release : 0;
            var release = await store.ClaimReleaseAboveAsync(spec.Name, spec.Version, input.RunId, newest, cancellationToken).ConfigureAwait(false);
            var folder = ReleaseStore.Folder(spec.Name, spec.Version, release);
            var uploads = plan.Own.Select(async f => await store.UploadFileAsync(folder, f.Path, f.LocalPath, cancellationToken).ConfigureAwait(false) with { Rows = f.Rows, Rewritten = f.Rewritten, Key = f.Key });
            var files = await Task.WhenAll(uploads).ConfigureAwait(false);
            var referenced = await plan.UploadDeletionsAsync(store, folder, cancellationToken).ConfigureAwait(false);
            await store.Container.GetBlobClient(folder + PublishGate.ContractSnapshotName)
                .UploadAsync(BinaryData.FromString(await File.ReadAllTextAsync(spec.Contract.Path, cancellationToken).ConfigureAwait(false)), overwrite: true, cancellationToken).ConfigureAwait(false);
            await runtime.Options.Faults.InjectAsync(PipelineFaults.BeforeManifest, input.RunId).ConfigureAwait(false);
            publishLock.ThrowIfLost();

            var manifest = new ReleaseManifest
            {
                ProductId = spec.Id,
                Version = spec.Version,
                Release = release,
                RunId = input.RunId,
                CreatedAt = runtime.Time.GetUtcNow(),
                Rows = plan.Rows,
                Schema = schema,
                SchemaHash = schemaHash,
                Files = [.. files, .. referenced],
                Changes = plan.Changes,
                Quality = quality,
                Lineage = new ReleaseLineage(input.Landing.Select(f => f.Blob).ToList(), input.Upstream) { Inputs = input.Output.Inputs },
                ContractId = $"{spec.Contract.Id}@{spec.Contract.Version}",
            };

            // The commit: the run's decision (create-only, raced by a terminated run's clean-up), then the manifest. A run
            // decided terminated first never writes it, and what it wrote into the release folder goes with its claim; once
            // decided, the release is the run's whatever happens to its orchestration (SettleRunActivity finishes it).
            if (!await RunDecision.DecidePublishAsync(runtime, spec, input.RunId, manifest, input).ConfigureAwait(false))
            {
                await RemoveUncommittedAsync(store, folder).ConfigureAwait(false);
                await CleanUpActivity.RemoveScratchAsync(runtime, spec, input.RunId, CancellationToken.None).ConfigureAwait(false);
                throw new PipelineStageException("publish", $"Run {input.RunId} was terminated (cancelled or stuck) while this publish ran: release {release} not written, its files and claim removed.");
            }

            await runtime.Options.Faults.InjectAsync(PipelineFaults.AfterDecision, input.RunId).ConfigureAwait(false);
            existing = await store.WriteManifestAsync(folder, manifest, CancellationToken.None).ConfigureAwait(false);
        }

        await RecordInputsAsync(store, spec, input.Landing, existing).ConfigureAwait(false);
        await runtime.Options.Faults.InjectAsync(PipelineFaults.AfterManifest, input.RunId).ConfigureAwait(false);
        return Result(store, spec, existing);
    }

    /// <summary>What a committed release tells its run: its number, folder, rows, bytes, gate and changes.</summary>
    internal static PublishResult Result(ReleaseStore store, Specs.ProductSpec spec, ReleaseManifest manifest)
    {
        var location = store.Container.Uri.AbsoluteUri.TrimEnd('/') + "/" + ReleaseStore.Folder(spec.Name, manifest.Version, manifest.Release);
        return new PublishResult(manifest.Release, location, manifest.Rows, manifest.SchemaHash) { Bytes = manifest.Files.Sum(f => f.Size), Quality = manifest.Quality, Changes = manifest.Changes };
    }

    /// <summary>
    /// The release exists: its landing files' bytes are now the product's (create-only, so a retry or a later run leaves
    /// the first publisher's entry). Same bytes arriving again are refused at ingest as a duplicate.
    /// </summary>
    internal static async Task RecordInputsAsync(ReleaseStore store, Specs.ProductSpec spec, IReadOnlyList<IngestedFile> landing, ReleaseManifest release)
    {
        var index = new PublishedInputIndex(store.Container);
        foreach (var blob in landing.Select(f => f.Blob).DistinctBy(b => b.Sha256))
        {
            await index.RecordAsync(spec.Name, new PublishedInput(blob.Sha256, spec.Id, release.Version, release.Release, release.RunId, blob.Name, blob.ETag)).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Deletes every blob of a release folder this publish claimed and filled but did not commit (no manifest): its data
    /// and deletion files, its contract snapshot and its claim, so the number is free again. Under the publish lock, so
    /// no other writer claims meanwhile.
    /// </summary>
    internal static async Task RemoveUncommittedAsync(ReleaseStore store, string folder)
    {
        var names = new List<string>();
        await foreach (var blob in store.Container.GetBlobsAsync(new Azure.Storage.Blobs.Models.GetBlobsOptions { Prefix = folder }).ConfigureAwait(false))
        {
            names.Add(blob.Name);
        }

        // The claim last: while any file is left, the number stays this run's.
        foreach (var name in names.OrderBy(n => n == folder + ReleaseStore.ClaimName))
        {
            await store.Container.DeleteBlobIfExistsAsync(name).ConfigureAwait(false);
        }
    }

    /// <summary>The DuckDB sandbox of the snapshot work: the run's output (masked or not) and its snapshot folder, nothing else.</summary>
    private DuckDbSessionOptions SnapshotSession(RunWorkspace workspace, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(workspace.SnapshotDirectory);
        return new DuckDbSessionOptions
        {
            AllowedDirectories = [workspace.OutputDirectory, workspace.MaskedDirectory, workspace.SnapshotDirectory],
            TempDirectory = workspace.TempDirectory,
            Limits = runtime.EngineLimits.Run,
            Cancellation = cancellationToken,
        };
    }

    /// <summary>A step of the snapshot that runs the product's SQL (deleteWhen, sql rules): what DuckDB refuses is the product's fault.</summary>
    private static async Task<T> Snapshot<T>(Specs.ProductSpec spec, Func<Task<T>> step)
    {
        try
        {
            return await step().ConfigureAwait(false);
        }
        catch (DuckDB.NET.Data.DuckDBException ex)
        {
            throw new PipelineStageException("publish", $"{spec.Id}: the {spec.Output.Mode.ToString().ToLowerInvariant()} snapshot could not be built (output.deleteWhen, output.key or a quality rule of {Path.GetFileName(spec.Contract.Path)}): {ex.Message}", ex);
        }
    }

    /// <summary>Rewrites the output with the contract's masking (file by file, same layout), or returns it as is.</summary>
    private (IReadOnlyList<string> Files, IReadOnlyList<OutputColumn> Schema) ApplyMasking(
        Specs.ProductSpec spec, RunWorkspace workspace, TransformResult output, IReadOnlyList<string> locals, CancellationToken cancellationToken)
    {
        string? select;
        try
        {
            select = Masking.SelectList(spec.Contract, output.Schema, spec.Name);
        }
        catch (InvalidOperationException ex)
        {
            throw new PipelineStageException("publish", $"{spec.Id}: {ex.Message}", ex);
        }

        if (select is null)
        {
            return (locals, output.Schema);
        }

        var scopes = Masking.HashScopes(spec.Contract, spec.Name);
        var secret = runtime.Options.MaskingKeyOf(spec.Domain);
        if (scopes.Count > 0 && secret.Length == 0)
        {
            // Not the product's fault: the host lacks the domain's secret. Retried, and the input kept for a re-run.
            throw new InvalidOperationException(
                $"{spec.Id} masks columns with hash, but the host has no masking key for domain '{spec.Domain}' (PipelineOptions.MaskingKey or MaskingKeys).");
        }

        if (Directory.Exists(workspace.MaskedDirectory))
        {
            Directory.Delete(workspace.MaskedDirectory, recursive: true);
        }

        using var session = DuckDbSession.OpenLocked(new DuckDbSessionOptions
        {
            AllowedDirectories = [workspace.OutputDirectory, workspace.MaskedDirectory],
            TempDirectory = workspace.TempDirectory,
            Limits = runtime.EngineLimits.Run,
            Cancellation = cancellationToken,
        });
        for (var i = 0; i < scopes.Count; i++)
        {
            KeyedHash.Register(session, Masking.HashFunction(i), KeyedHash.ScopeKey(secret, spec.Domain, scopes[i]));
        }

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

    [LoggerMessage(EventId = 1040, Level = LogLevel.Information, Message = "Run {RunId}: consumer gate passed: {Finding}")]
    private static partial void LogConsumerGate(ILogger logger, string runId, string finding);
}
