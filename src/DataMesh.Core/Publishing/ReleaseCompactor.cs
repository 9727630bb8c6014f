using System.Globalization;
using DataMesh.Engine;
using DataMesh.Pipeline;
using DataMesh.Specs;
using DataMesh.Storage;

namespace DataMesh.Publishing;

/// <summary>
/// Rewrites the small files of a product version's newest snapshot into fewer, larger ones, as a new release with
/// exactly the same rows: appends and partition replaces each add a file, and a reader pays per file (one request and
/// one footer each). Compaction is due when the snapshot holds at least <see cref="ReleaseCompactionOptions.MinSmallFiles"/>
/// files smaller than <see cref="ReleaseCompactionOptions.SmallFileBytes"/>; only those are rewritten, per Hive folder
/// (a partition's rows stay in its partition), into files of up to <see cref="ReleaseCompactionOptions.TargetFileBytes"/>;
/// large files are referenced as they are. It is also due when the deletion files of merges drop at least
/// <see cref="ReleaseCompactionOptions.DeletedShare"/> of the stored rows: every file with a deletion file is then
/// rewritten without the rows it drops (the deletions are folded into the data), whatever its size.
/// <para>The new release is published like any other: claimed create-only, its files uploaded, then its manifest, all
/// under the version's <see cref="PublishLock"/> and only if the release compacted is still the newest (a publish
/// that landed meanwhile wins: nothing is written and the next pass compacts the new newest). Its changes record zero
/// rows added, replaced or removed in the product's mode; its files are marked <see cref="ReleaseFile.Rewritten"/> (their
/// rows are not changes, so <c>read: changes</c> consumers receive nothing); its quality, schema, contract and lineage are
/// the compacted release's (same rows, same sources). Earlier releases are untouched, so time travel reads them as before.</para>
/// </summary>
public sealed class ReleaseCompactor
{
    private readonly MeshStorage _storage;
    private readonly ReleaseCompactionOptions _options;
    private readonly TimeProvider _time;

    public ReleaseCompactor(MeshStorage storage, ReleaseCompactionOptions? options = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(storage);
        _storage = storage;
        _options = options ?? new ReleaseCompactionOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.MinSmallFiles, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.TargetFileBytes, 1);
        _time = time ?? TimeProvider.System;
    }

    /// <summary>The run id of the compaction of <paramref name="version"/>#<paramref name="basedOn"/>: the same on a retry, so a retried compaction finds its claim.</summary>
    public static string RunId(string version, int basedOn) => $"compaction-{version}-{basedOn.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>Compacts every product's current version where it is due.</summary>
    public async Task<IReadOnlyList<CompactionResult>> CompactAsync(IEnumerable<ProductSpec> products, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(products);
        var results = new List<CompactionResult>();
        foreach (var spec in products)
        {
            results.Add(await CompactAsync(spec.Domain, spec.Name, spec.Version, spec.Output.Mode, MergeKeyOf(spec), cancellationToken).ConfigureAwait(false));
        }

        return results;
    }

    /// <summary>The column whose bounds compacted files record: a merge product's first key column (what its merges prune on).</summary>
    public static string? MergeKeyOf(ProductSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return spec.Output.Mode == OutputMode.Merge && spec.Output.Key.Count > 0 ? spec.Output.Key[0] : null;
    }

    /// <summary>
    /// Compacts the newest snapshot of <paramref name="productName"/> <paramref name="version"/> when it is due; each file it
    /// writes records the bounds of <paramref name="keyColumn"/> (a merge product's first key, <see cref="MergeKeyOf"/>).
    /// </summary>
    public async Task<CompactionResult> CompactAsync(string domain, string productName, string version, OutputMode mode, string? keyColumn = null, CancellationToken cancellationToken = default)
    {
        var productId = $"{domain}.{productName}";
        var store = new ReleaseStore(_storage.Products(domain));
        if (await NewestAsync(store, productName, version, cancellationToken).ConfigureAwait(false) is not { } newest)
        {
            return new CompactionResult(CompactionStatus.NoRelease, productId, version, null, null, 0, 0);
        }

        var manifest = await store.ReadManifestAsync(newest.Folder, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"{productId} {version}#{newest.Release}: its manifest vanished while read.");
        var count = manifest.Files.Count;
        var deletedRows = manifest.Files.Sum(f => f.Deletes?.Rows ?? 0);
        var deletedDue = deletedRows > 0 && deletedRows >= (manifest.Rows + deletedRows) * _options.DeletedShare;
        if (manifest.Files.Count(f => f.Size < _options.SmallFileBytes) < _options.MinSmallFiles && !deletedDue)
        {
            return new CompactionResult(CompactionStatus.NotNeeded, productId, version, newest.Release, null, count, count);
        }

        using var plan = await BuildAsync(domain, productName, version, mode, keyColumn, newest.Release, manifest, cancellationToken).ConfigureAwait(false);
        return plan.ReducesFiles || plan.FoldsDeletions
            ? await CommitAsync(plan, cancellationToken).ConfigureAwait(false)
            : new CompactionResult(CompactionStatus.NotNeeded, productId, version, newest.Release, null, count, count);
    }

    /// <summary>
    /// Rewrites the small files of the newest snapshot locally, whether or not compaction is due; null when the version
    /// has no release. Nothing is written to storage until <see cref="CommitAsync"/>. The caller disposes the plan.
    /// </summary>
    public async Task<CompactionPlan?> PrepareAsync(string domain, string productName, string version, OutputMode mode, string? keyColumn = null, CancellationToken cancellationToken = default)
    {
        var store = new ReleaseStore(_storage.Products(domain));
        if (await NewestAsync(store, productName, version, cancellationToken).ConfigureAwait(false) is not { } newest
            || await store.ReadManifestAsync(newest.Folder, cancellationToken).ConfigureAwait(false) is not { } manifest)
        {
            return null;
        }

        return await BuildAsync(domain, productName, version, mode, keyColumn, newest.Release, manifest, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Publishes a prepared compaction as a new release, under the version's publish lock, if the release it compacted is
    /// still the newest; otherwise writes nothing and answers <see cref="CompactionStatus.BaseMoved"/>.
    /// </summary>
    public async Task<CompactionResult> CommitAsync(CompactionPlan plan, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var productId = $"{plan.Domain}.{plan.ProductName}";
        var before = plan.BaseManifest.Files.Count;
        var store = new ReleaseStore(_storage.Products(plan.Domain));
        await using var held = await PublishLock.AcquireAsync(store.Container, plan.ProductName, plan.Version, timeout: PublishLock.MaintenanceTimeout, cancellationToken: cancellationToken).ConfigureAwait(false);
        var newest = await NewestAsync(store, plan.ProductName, plan.Version, cancellationToken).ConfigureAwait(false);
        if (newest?.Release != plan.BasedOn)
        {
            return new CompactionResult(CompactionStatus.BaseMoved, productId, plan.Version, plan.BasedOn, null, before, before);
        }

        var runId = RunId(plan.Version, plan.BasedOn);
        var release = await store.ClaimReleaseAsync(plan.ProductName, plan.Version, runId, cancellationToken).ConfigureAwait(false);
        var folder = ReleaseStore.Folder(plan.ProductName, plan.Version, release);
        var written = new Dictionary<string, ReleaseFile>(StringComparer.Ordinal);
        foreach (var (path, local, rows, key) in plan.Written)
        {
            var uploaded = await store.UploadFileAsync(folder, path, local, cancellationToken).ConfigureAwait(false);
            written[path] = uploaded with { Rows = rows, Rewritten = true, Key = key };
        }

        // The contract snapshot goes along: the next publish checks its contract against the newest release's.
        var baseFolder = ReleaseStore.Folder(plan.ProductName, plan.Version, plan.BasedOn);
        if (await store.ReadTextAsync(baseFolder + PublishGate.ContractSnapshotName, cancellationToken).ConfigureAwait(false) is { } contract)
        {
            await store.Container.GetBlobClient(folder + PublishGate.ContractSnapshotName).UploadAsync(BinaryData.FromString(contract), overwrite: true, cancellationToken).ConfigureAwait(false);
        }

        var files = new List<ReleaseFile>(written.Values);
        files.AddRange(plan.Referenced);
        var toWrite = plan.BaseManifest with
        {
            Release = release,
            RunId = runId,
            CreatedAt = _time.GetUtcNow(),
            Files = files,
            Changes = new ReleaseChanges
            {
                Mode = plan.Mode,
                BasedOn = plan.BasedOn,
                FilesWritten = written.Count,
                FilesReferenced = plan.Referenced.Count,
                Compaction = true,
            },
        };

        // Its announcement is recorded (outbox) before the manifest exists: once it does, nothing can lose the event.
        if (_options.BeforeManifest is { } recordAnnouncement)
        {
            await recordAnnouncement(toWrite, cancellationToken).ConfigureAwait(false);
        }

        var manifest = await store.WriteManifestAsync(folder, toWrite, cancellationToken).ConfigureAwait(false);
        return new CompactionResult(CompactionStatus.Compacted, productId, plan.Version, plan.BasedOn, manifest.Release, before, manifest.Files.Count);
    }

    private static Task<(string Version, int Release, string Folder)?> NewestAsync(ReleaseStore store, string productName, string version, CancellationToken cancellationToken) =>
        store.LatestReleaseAsync(productName, v => v.ToString() == version, cancellationToken);

    private async Task<CompactionPlan> BuildAsync(string domain, string productName, string version, OutputMode mode, string? keyColumn, int basedOn, ReleaseManifest manifest, CancellationToken cancellationToken)
    {
        var work = Path.Combine(_options.WorkDirectory, "datamesh-compact-" + Guid.NewGuid().ToString("N")[..12]);
        var plan = new CompactionPlan(domain, productName, version, mode, basedOn, manifest, work);
        try
        {
            var container = _storage.Products(domain);
            var chunks = new List<(string Folder, List<ReleaseFile> Files)>();
            foreach (var group in manifest.Files.GroupBy(f => HiveFolder(f.Path), StringComparer.Ordinal))
            {
                var chunk = new List<ReleaseFile>();
                long bytes = 0;
                foreach (var file in group.Where(f => f.Size < _options.SmallFileBytes || f.Deletes is not null))
                {
                    if (chunk.Count > 0 && bytes + file.Size > _options.TargetFileBytes)
                    {
                        chunks.Add((group.Key, chunk));
                        (chunk, bytes) = ([], 0);
                    }

                    chunk.Add(file);
                    bytes += file.Size;
                }

                chunks.Add((group.Key, chunk));
            }

            // A chunk of one file gains nothing, unless the rewrite folds its deletion file: else it is referenced like the large ones.
            chunks.RemoveAll(c => c.Files.Count < 2 && c.Files.All(f => f.Deletes is null));
            var rewritten = chunks.SelectMany(c => c.Files).ToHashSet();
            plan.Referenced.AddRange(manifest.Files.Where(f => !rewritten.Contains(f)).Select(f => f.ReferencedFrom(basedOn, version, version)));
            if (chunks.Count == 0)
            {
                return plan;
            }

            var input = Path.Combine(work, "in");
            var output = Path.Combine(work, "out");
            // The release's rows in clear, under the temp path by default: a folder only this user enters.
            PrivateDirectory.Ensure(work);
            Directory.CreateDirectory(input);
            Directory.CreateDirectory(output);
            using var session = await DuckDbSession.OpenLockedAsync(new DuckDbSessionOptions
            {
                AllowedDirectories = [work],
                TempDirectory = Path.Combine(work, "tmp"),
                Limits = EngineLimits.Process.Side,
                PreserveInsertionOrder = true,
                Cancellation = cancellationToken,
            }).ConfigureAwait(false);
            var downloaded = 0;
            for (var i = 0; i < chunks.Count; i++)
            {
                var (hiveFolder, members) = chunks[i];
                var locals = new List<string>();
                foreach (var file in members)
                {
                    var local = Path.Combine(input, (downloaded++).ToString("D6", CultureInfo.InvariantCulture) + ".parquet");
                    if (file.Deletes is null)
                    {
                        await container.GetBlobClient(ReleaseStore.FileBlobName(productName, version, basedOn, file)).DownloadToAsync(local, cancellationToken).ConfigureAwait(false);
                    }
                    else
                    {
                        // The rows the file's deletion file drops are folded away: the compacted file holds only the rest.
                        var (data, deletes) = (local + ".data", local + ".deletes");
                        await container.GetBlobClient(ReleaseStore.FileBlobName(productName, version, basedOn, file)).DownloadToAsync(data, cancellationToken).ConfigureAwait(false);
                        await container.GetBlobClient(ReleaseStore.FileBlobName(productName, version, basedOn, file.Deletes)).DownloadToAsync(deletes, cancellationToken).ConfigureAwait(false);
                        DeletionFiles.Apply(session, data, deletes, local, cancellationToken);
                    }

                    locals.Add(local);
                }

                var path = (hiveFolder.Length == 0 ? "" : hiveFolder + "/") + $"compacted-{i.ToString("D5", CultureInfo.InvariantCulture)}.parquet";
                var target = Path.Combine(output, path.Replace('/', Path.DirectorySeparatorChar));
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);

                // The files' own columns, in their order: no Hive columns from the path (the folder keeps them for readers).
                // A merge product's rows are sorted by its key, as a merge writes them, so row groups' bounds stay narrow.
                var source = $"read_parquet({Sql.List(locals)}, hive_partitioning = false)";
                var order = keyColumn is null ? "" : $" ORDER BY {Sql.Identifier(keyColumn)}";
                session.Execute($"COPY (SELECT * FROM {source}{order}) TO {Sql.Literal(target)} (FORMAT parquet, COMPRESSION zstd)", cancellationToken);
                var rows = Convert.ToInt64(session.Scalar($"SELECT count(*) FROM read_parquet({Sql.Literal(target)})"), CultureInfo.InvariantCulture);

                // A merge reads only files whose key bounds may hold a changed key: the compacted file records its own.
                var key = keyColumn is null ? null : KeyBounds.Of(session, target, keyColumn, KeyBounds.TypeOf(session, source, keyColumn));
                plan.Written.Add((path, target, rows, key));
            }

            return plan;
        }
        catch
        {
            plan.Dispose();
            throw;
        }
    }

    /// <summary>The Hive folder of a file's path (<c>day=2026-11-02</c> of <c>day=2026-11-02/part-0.parquet</c>); empty at the release's root.</summary>
    private static string HiveFolder(string path)
    {
        var slash = path.LastIndexOf('/');
        return slash < 0 ? "" : path[..slash];
    }
}
