using System.Globalization;
using DataMesh.Engine;
using DataMesh.Specs;

namespace DataMesh.Publishing;

/// <summary>
/// Builds a release's snapshot from its base release and the run's output, per <c>output.mode</c> (DESIGN §4):
/// <c>replace</c> the output alone; <c>append</c> every base file referenced plus the output; <c>partitions</c> the base
/// files of partitions the output does not touch referenced, the output added; <c>merge</c> an upsert on the key, where
/// only base files holding a key of the output are rewritten (without those rows) and the rest referenced. Base files are
/// never copied: append and partitions read none of them; merge reads only the files whose key bounds
/// (<see cref="ReleaseFile.Key"/>, recorded for every file it writes) may hold a key of the output, and every file of a
/// manifest written before bounds. Runs under the publish lock, so the base cannot move while it builds.
/// </summary>
public sealed class SnapshotBuilder(
    ProductSpec spec, ReleaseStore store, string directory, DuckDbSessionOptions session, int rowGroupSize,
    int mergeFileRows = SnapshotBuilder.DefaultMergeFileRows, int deletionMinRows = DeletionFiles.DefaultMinRows)
{
    /// <summary>0: an unpartitioned merge writes its output's files as they are, unsorted (<see cref="MergeFileRows"/>).</summary>
    public const int DefaultMergeFileRows = 0;

    /// <summary>
    /// When above 0, at most this many rows per file an unpartitioned merge writes from its output: the rows are sorted by
    /// the key and cut into files of consecutive keys, so each file's bounds cover a narrow key range and a later merge of
    /// clustered keys reads only the files whose ranges hold them. Off by default: the sort costs the load more than it
    /// saves a merge, since a merge no longer rewrites the files it touches (deletion files, <see cref="DeletionMinRows"/>).
    /// </summary>
    public int MergeFileRows { get; } = mergeFileRows >= 0 ? mergeFileRows : throw new ArgumentOutOfRangeException(nameof(mergeFileRows), mergeFileRows, "A merge file holds at least one row (0: unsorted files).");

    /// <summary>
    /// A file a merge touches gets a deletion file (<see cref="ReleaseFile.Deletes"/>) instead of a rewrite when it holds
    /// at least this many rows and its dropped rows stay under <see cref="DeletionFiles.MaxDeletedShare"/> of them.
    /// </summary>
    public int DeletionMinRows { get; } = deletionMinRows >= 1 ? deletionMinRows : throw new ArgumentOutOfRangeException(nameof(deletionMinRows), deletionMinRows, "At least 1.");

    private readonly Dictionary<string, string> _ownDeletes = new(StringComparer.Ordinal);

    /// <summary>Where base files read by this builder are kept locally (by version and release).</summary>
    public string BaseDirectory => Path.Combine(directory, "base");

    private string OwnDirectory => Path.Combine(directory, "own");

    private string AppliedDirectory => Path.Combine(directory, "applied");

    /// <summary>
    /// The snapshot of the next release on <paramref name="base"/> (null: the first of its table) and the run's output
    /// <paramref name="output"/> (paths relative to the release folder, and local files).
    /// </summary>
    public async Task<SnapshotPlan> BuildAsync(SnapshotBase? @base, IReadOnlyList<(string Path, string Local)> output, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(output);
        foreach (var stale in new[] { OwnDirectory, AppliedDirectory }.Where(Directory.Exists))
        {
            // Files of an earlier attempt are not this attempt's (its deletion files may differ from this one's).
            Directory.Delete(stale, recursive: true);
        }

        _ownDeletes.Clear();

        Directory.CreateDirectory(OwnDirectory);
        var rows = FooterRows(output.Select(o => o.Local));
        var own = output.Select(o => new OwnSnapshotFile(o.Path, o.Local, rows[Path.GetFullPath(o.Local)], Rewritten: false)).ToList();
        var mode = spec.Output.Mode;
        var baseFiles = @base is null ? [] : await WithRowsAsync(@base, @base.Manifest.Files.Select(f => Reference(@base, f)).ToList(), cancellationToken).ConfigureAwait(false);
        var changes = new ReleaseChanges
        {
            Mode = mode,
            BasedOn = mode == OutputMode.Replace ? null : @base?.Release,
            BasedOnVersion = mode == OutputMode.Replace || @base is null || @base.Version == spec.Version ? null : @base.Version,
        };

        SnapshotPlan plan;
        switch (mode)
        {
            case OutputMode.Append:
                plan = new SnapshotPlan { Own = own, Referenced = baseFiles, Changes = changes with { RowsAdded = own.Sum(f => f.Rows) } };
                break;
            case OutputMode.Partitions:
                plan = Partitions(own, baseFiles, changes);
                break;
            case OutputMode.Merge:
                plan = await MergeAsync(own, baseFiles, changes, cancellationToken).ConfigureAwait(false);
                break;
            default:
                plan = new SnapshotPlan { Own = own, Referenced = [], Changes = changes with { RowsAdded = own.Sum(f => f.Rows), RowsRemoved = @base?.Manifest.Rows ?? 0 } };
                break;
        }

        return plan with
        {
            Changes = plan.Changes with
            {
                Partitions = spec.Output.PartitionBy.Count == 0 ? [] : plan.Own.Where(f => !f.Rewritten).Select(f => PartitionOf(f.Path)).Distinct().Order(StringComparer.Ordinal).ToList(),
                FilesWritten = plan.Own.Count,
                FilesReferenced = plan.Referenced.Count,
            },
        };
    }

    /// <summary>
    /// Local copies of referenced files (downloaded once, kept under <see cref="BaseDirectory"/>), in order, each holding
    /// the snapshot's rows: a file with a deletion file is copied without the rows it drops.
    /// </summary>
    public async Task<List<string>> DownloadAsync(IEnumerable<ReleaseFile> referenced, CancellationToken cancellationToken = default)
    {
        var files = referenced.ToList();
        var raw = await DownloadRawAsync(files, cancellationToken).ConfigureAwait(false);
        var paths = new List<string>();
        foreach (var (file, (data, deletes)) in files.Zip(raw))
        {
            if (deletes is null)
            {
                paths.Add(data);
                continue;
            }

            var applied = Path.Combine(AppliedDirectory, RunWorkspaceName(file.Version ?? spec.Version), file.Release!.Value.ToString(CultureInfo.InvariantCulture), file.Path.Replace('/', Path.DirectorySeparatorChar));
            if (!File.Exists(applied))
            {
                Directory.CreateDirectory(Path.GetDirectoryName(applied)!);
                using var db = DuckDbSession.OpenLocked(session);
                DeletionFiles.Apply(db, data, deletes, applied + ".partial", cancellationToken);
                File.Move(applied + ".partial", applied, overwrite: true);
            }

            paths.Add(applied);
        }

        return paths;
    }

    /// <summary>Local copies of referenced files as stored, each with its deletion file's local copy (null when it has none).</summary>
    private async Task<List<(string Data, string? Deletes)>> DownloadRawAsync(IReadOnlyList<ReleaseFile> referenced, CancellationToken cancellationToken)
    {
        var paths = new List<(string, string?)>();
        foreach (var file in referenced)
        {
            var data = await DownloadOneAsync(file, cancellationToken).ConfigureAwait(false);
            string? deletes = file.Deletes switch
            {
                null => null,

                // Written by this build: not uploaded yet.
                { Release: null } own => _ownDeletes[own.Path],
                { } stored => await DownloadOneAsync(stored, cancellationToken).ConfigureAwait(false),
            };
            paths.Add((data, deletes));
        }

        return paths;
    }

    private async Task<string> DownloadOneAsync(ReleaseFile file, CancellationToken cancellationToken)
    {
        var (version, release) = (file.Version ?? spec.Version, file.Release!.Value);
        var root = Path.Combine(BaseDirectory, RunWorkspaceName(version), release.ToString(CultureInfo.InvariantCulture));
        return (await store.DownloadFilesAsync(ReleaseStore.Folder(spec.Name, version, release), [file.Path], root, cancellationToken).ConfigureAwait(false)).Single();
    }

    /// <summary>The Hive partition of a file path: its folders (<c>day=2026-11-02</c>), empty for an unpartitioned file.</summary>
    public static string PartitionOf(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var slash = path.LastIndexOf('/');
        return slash < 0 ? "" : path[..slash];
    }

    private SnapshotPlan Partitions(List<OwnSnapshotFile> own, List<ReleaseFile> baseFiles, ReleaseChanges changes)
    {
        var written = own.GroupBy(f => PartitionOf(f.Path), StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Sum(f => f.Rows), StringComparer.Ordinal);
        var dropped = baseFiles.Where(f => written.ContainsKey(PartitionOf(f.Path)))
            .GroupBy(f => PartitionOf(f.Path), StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Sum(f => f.Rows), StringComparer.Ordinal);
        long added = 0, replaced = 0, removed = 0;
        foreach (var (partition, rows) in written)
        {
            // Per partition: as many rows as it had are replaced; the surplus is added, the shortfall removed.
            var old = dropped.GetValueOrDefault(partition);
            replaced += Math.Min(old, rows);
            added += rows - Math.Min(old, rows);
            removed += old - Math.Min(old, rows);
        }

        return new SnapshotPlan
        {
            Own = own,
            Referenced = baseFiles.Where(f => !written.ContainsKey(PartitionOf(f.Path))).ToList(),
            Changes = changes with { RowsAdded = added, RowsReplaced = replaced, RowsRemoved = removed },
        };
    }

    private async Task<SnapshotPlan> MergeAsync(List<OwnSnapshotFile> output, List<ReleaseFile> baseFiles, ReleaseChanges changes, CancellationToken cancellationToken)
    {
        var deleted = spec.Output.DeleteWhen is { } deleteWhen ? $"coalesce(({deleteWhen}), false)" : "false";
        var on = string.Join(" AND ", spec.Output.Key.Select(k => $"b.{Sql.Identifier(k)} = n.{Sql.Identifier(k)}"));
        using var db = DuckDbSession.OpenLocked(
            session,
            $"CREATE VIEW incoming AS SELECT * FROM read_parquet({Sql.List(output.Select(o => o.LocalPath))})");
        var keyType = KeyType(db, "incoming");
        output = [.. output.Select(o => o with { Key = KeyRangeOf(db, o.LocalPath, keyType) })];
        var upserts = Convert.ToInt64(db.Scalar($"SELECT count(*) FILTER (WHERE NOT {deleted}) FROM incoming"), CultureInfo.InvariantCulture);

        // Base files whose key bounds hold no key of the output keep all their rows: referenced without being read.
        var candidates = Candidates(db, baseFiles, keyType);
        var scanned = baseFiles.Where((_, i) => candidates.Contains(i)).ToList();
        var baseLocal = await DownloadRawAsync(scanned, cancellationToken).ConfigureAwait(false);
        long replaced = 0, removed = 0;
        var own = new List<OwnSnapshotFile>();
        var deletions = new List<OwnSnapshotFile>();
        var referenced = baseFiles.Where((_, i) => !candidates.Contains(i)).ToList();
        if (baseLocal.Count > 0)
        {
            // Each file alone (only its key columns and row numbers are read): the positions of its rows whose key the output
            // holds, without the rows its deletion file already drops (a key found only there is new).
            var keys = string.Join(", ", spec.Output.Key.Select(k => "b." + Sql.Identifier(k)));
            var pos = DeletionFiles.PositionColumn;
            db.Execute($"CREATE TEMP TABLE hits AS SELECT 0::INTEGER AS f, 0::BIGINT AS {pos}, {keys} FROM read_parquet({Sql.Literal(baseLocal[0].Data)}, hive_partitioning = false) b LIMIT 0");
            for (var i = 0; i < baseLocal.Count; i++)
            {
                var (data, positions) = baseLocal[i];
                var source = positions is null
                    ? $"read_parquet({Sql.Literal(data)}, file_row_number = true, hive_partitioning = false)"
                    : $"(SELECT d.* FROM read_parquet({Sql.Literal(data)}, file_row_number = true, hive_partitioning = false) d ANTI JOIN read_parquet({Sql.Literal(positions)}) x ON d.file_row_number = x.{pos})";
                db.Execute($"INSERT INTO hits SELECT {i.ToString(CultureInfo.InvariantCulture)}, b.file_row_number, {keys} FROM {source} b SEMI JOIN incoming n ON {on}", cancellationToken);
            }

            var counts = db.Query(
                $"SELECT count(*) FILTER (WHERE NOT {deleted}), count(*) FILTER (WHERE {deleted}) FROM incoming n SEMI JOIN hits b ON {on}",
                r => (Convert.ToInt64(r.GetValue(0), CultureInfo.InvariantCulture), Convert.ToInt64(r.GetValue(1), CultureInfo.InvariantCulture))).Single();
            (replaced, removed) = counts;
            var hits = db.Query("SELECT f, count(*) FROM hits GROUP BY f", r => (Convert.ToInt32(r.GetValue(0), CultureInfo.InvariantCulture), Convert.ToInt64(r.GetValue(1), CultureInfo.InvariantCulture)))
                .ToDictionary(h => h.Item1, h => h.Item2);

            // Only the files holding a key of the output change; the others stay referenced as they are. A large file
            // keeps its bytes and gets a deletion file of the positions it drops (merge-on-read: the merge costs the new
            // rows, not the table); a small one, or one that would drop most of its rows, is rewritten without them.
            var (rewrites, deletionFiles) = (0, 0);
            for (var i = 0; i < scanned.Count; i++)
            {
                var (file, (local, dropped)) = (scanned[i], baseLocal[i]);
                if (!hits.TryGetValue(i, out var hit))
                {
                    referenced.Add(file);
                    continue;
                }

                var partition = PartitionOf(file.Path);
                var prefix = partition.Length == 0 ? "" : partition + "/";
                var stored = file.Rows + (file.Deletes?.Rows ?? 0);
                if (stored >= DeletionMinRows && (file.Deletes?.Rows ?? 0) + hit < stored * DeletionFiles.MaxDeletedShare)
                {
                    var path = prefix + $"part-del-{deletionFiles++:D5}.parquet";
                    var target = Target(path);
                    var positions = DeletionFiles.Write(
                        db,
                        $"SELECT {pos} FROM hits WHERE f = {i.ToString(CultureInfo.InvariantCulture)}" + (dropped is null ? "" : $" UNION ALL SELECT {pos} FROM read_parquet({Sql.Literal(dropped)})"),
                        target,
                        cancellationToken);
                    _ownDeletes[path] = target;
                    deletions.Add(new OwnSnapshotFile(path, target, positions, Rewritten: false));
                    referenced.Add(file with { Rows = file.Rows - hit, Deletes = new ReleaseFile(path, 0, "") { Rows = positions } });
                    continue;
                }

                var rewrite = prefix + $"part-rw-{rewrites++:D5}.parquet";
                var rewritten = Target(rewrite);
                db.Execute($"COPY (SELECT b.* FROM ({DeletionFiles.Select(local, dropped)}) b ANTI JOIN incoming n ON {on}) TO {Sql.Literal(rewritten)} ({CopyOptions})", cancellationToken);
                var kept = FooterRows([rewritten])[Path.GetFullPath(rewritten)];
                if (kept == 0)
                {
                    File.Delete(rewritten);
                    continue;
                }

                own.Add(new OwnSnapshotFile(rewrite, rewritten, kept, Rewritten: true) { Key = KeyRangeOf(db, rewritten, keyType) });
            }
        }

        var written = spec.Output.DeleteWhen is null ? "SELECT * FROM incoming" : $"SELECT * FROM incoming WHERE NOT {deleted}";
        if (spec.Output.PartitionBy.Count == 0 && upserts > 0 && MergeFileRows > 0)
        {
            own.AddRange(WriteSorted(db, written, keyType, cancellationToken));
        }
        else if (spec.Output.DeleteWhen is null)
        {
            own.AddRange(output);
        }
        else if (upserts > 0)
        {
            // The output's rows that delete their key are not part of the table: write the others.
            var target = Path.Combine(OwnDirectory, "new");
            Directory.CreateDirectory(target);
            // Unpartitioned (the sorted writer off, MergeFileRows 0): one file; DuckDB refuses an empty PARTITION_BY.
            db.Execute(
                spec.Output.PartitionBy.Count == 0
                    ? $"COPY ({written}) TO {Sql.Literal(Path.Combine(target, "part-0.parquet"))} ({CopyOptions})"
                    : $"COPY ({written}) TO {Sql.Literal(target)} ({CopyOptions}, PARTITION_BY ({string.Join(", ", spec.Output.PartitionBy.Select(Sql.Identifier))}), WRITE_PARTITION_COLUMNS true, FILENAME_PATTERN 'part-{{i}}', OVERWRITE_OR_IGNORE true)",
                cancellationToken);
            var files = Directory.Exists(target) ? Directory.EnumerateFiles(target, "*.parquet", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList() : [];
            var rows = FooterRows(files);
            own.AddRange(files.Where(f => rows[Path.GetFullPath(f)] > 0).Select(f => new OwnSnapshotFile(Path.GetRelativePath(target, f).Replace(Path.DirectorySeparatorChar, '/'), f, rows[Path.GetFullPath(f)], Rewritten: false)
            {
                Key = KeyRangeOf(db, f, keyType),
            }));
        }

        return new SnapshotPlan
        {
            Own = own,
            Referenced = referenced,
            Deletions = deletions,
            Scanned = scanned,
            Changes = changes with { RowsAdded = upserts - replaced, RowsReplaced = replaced, RowsRemoved = removed },
        };
    }

    /// <summary>
    /// Writes the rows of <paramref name="select"/> sorted by the key into files of at most <see cref="MergeFileRows"/>
    /// consecutive rows (<c>part-NNNNN.parquet</c> under the release's root), each with its key bounds: a later merge of a
    /// few keys then reads and rewrites only the files whose ranges hold them, and references the others.
    /// </summary>
    private List<OwnSnapshotFile> WriteSorted(DuckDbSession db, string select, string keyType, CancellationToken cancellationToken)
    {
        var target = Path.Combine(OwnDirectory, "new");
        Directory.CreateDirectory(target);
        var order = string.Join(", ", spec.Output.Key.Select(Sql.Identifier));
        var size = MergeFileRows.ToString(CultureInfo.InvariantCulture);

        // Cut points come from the first key column alone (a sort of one column, not of whole rows); each file then holds
        // the rows between two cut points, so files cover disjoint ranges whatever order the engine writes in.
        var first = Sql.Identifier(spec.Output.Key[0]);
        db.Execute($"CREATE TEMP TABLE sorted_output AS {select}", cancellationToken);
        var cuts = db.Query(
            $"SELECT CAST(k AS VARCHAR) FROM (SELECT k, row_number() OVER (ORDER BY k) AS n FROM (SELECT DISTINCT {first} AS k FROM sorted_output WHERE {first} IS NOT NULL)) WHERE (n - 1) % {size} = 0 ORDER BY k",
            r => r.GetString(0)).ToList();
        var files = new List<OwnSnapshotFile>();
        for (var i = 0; i < Math.Max(1, cuts.Count); i++)
        {
            var from = i == 0 ? "" : $"{first} >= CAST({Sql.Literal(cuts[i])} AS {keyType})";
            var below = $"{first} < CAST({Sql.Literal(cuts[Math.Min(i + 1, cuts.Count - 1)])} AS {keyType})";
            var to = i + 1 < cuts.Count ? (i == 0 ? $"({first} IS NULL OR {below})" : below) : "";
            var where = string.Join(" AND ", new[] { from, to }.Where(c => c.Length > 0));
            var path = $"part-{i.ToString("D5", CultureInfo.InvariantCulture)}.parquet";
            var local = Path.Combine(target, path);
            db.Execute(
                $"COPY (SELECT * FROM sorted_output{(where.Length == 0 ? "" : " WHERE " + where)} ORDER BY {order}) TO {Sql.Literal(local)} ({CopyOptions})",
                cancellationToken);
            files.Add(new OwnSnapshotFile(path, local, FooterRows([local])[Path.GetFullPath(local)], Rewritten: false) { Key = KeyRangeOf(db, local, keyType) });
        }

        db.Execute("DROP TABLE sorted_output");
        return files;
    }

    /// <summary>Where a file this release writes at <paramref name="path"/> (relative to its folder) is built.</summary>
    private string Target(string path)
    {
        var target = Path.Combine(OwnDirectory, path.Replace('/', Path.DirectorySeparatorChar));
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        return target;
    }

    /// <summary>The DuckDB type of the first key column in <paramref name="view"/>.</summary>
    private string KeyType(DuckDbSession db, string view) => KeyBounds.TypeOf(db, view, spec.Output.Key[0]);

    /// <summary>The bounds of the first key column in a Parquet file (<see cref="KeyBounds.Of"/>).</summary>
    private KeyRange? KeyRangeOf(DuckDbSession db, string file, string keyType) => KeyBounds.Of(db, file, spec.Output.Key[0], keyType);

    /// <summary>
    /// Indexes of the base files a merge must read: those without bounds of the current first key column, and those whose
    /// bounds hold a key of the output (a range join of the output's distinct keys with the files' bounds).
    /// </summary>
    private HashSet<int> Candidates(DuckDbSession db, List<ReleaseFile> baseFiles, string keyType)
    {
        var column = spec.Output.Key[0];
        var bounded = baseFiles.Select((f, i) => (File: f, Index: i))
            .Where(f => f.File.Key is { } key && string.Equals(key.Column, column, StringComparison.OrdinalIgnoreCase))
            .ToList();
        var candidates = Enumerable.Range(0, baseFiles.Count).Except(bounded.Select(f => f.Index)).ToHashSet();
        if (bounded.Count == 0)
        {
            return candidates;
        }

        db.Execute($"""
            CREATE TEMP TABLE bounds AS
            SELECT i, TRY_CAST(lo AS {keyType}) AS lo, TRY_CAST(hi AS {keyType}) AS hi
            FROM (VALUES {string.Join(", ", bounded.Select(f => $"({f.Index.ToString(CultureInfo.InvariantCulture)}, {Sql.Literal(f.File.Key!.Min)}, {Sql.Literal(f.File.Key.Max)})"))}) v(i, lo, hi)
            """);
        var key = Sql.Identifier(column);

        // A bound that no longer casts to the key's type says nothing: that file is read.
        candidates.UnionWith(db.Query(
            $"""
            SELECT i FROM bounds WHERE lo IS NULL OR hi IS NULL
            UNION
            SELECT DISTINCT b.i FROM bounds b JOIN (SELECT DISTINCT {key} AS k FROM incoming) n ON n.k >= b.lo AND n.k <= b.hi
            """,
            r => Convert.ToInt32(r.GetValue(0), CultureInfo.InvariantCulture)));
        return candidates;
    }

    private string CopyOptions => $"FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE {rowGroupSize.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>A base file as this release's manifest lists it: in the folder of the release that wrote it.</summary>
    private ReleaseFile Reference(SnapshotBase @base, ReleaseFile file) => file.ReferencedFrom(@base.Release, @base.Version, spec.Version);

    /// <summary>
    /// Base files with their row counts: manifests written before snapshots have none, and the files' Parquet footers are
    /// read then (once: the next manifest records them).
    /// </summary>
    private async Task<List<ReleaseFile>> WithRowsAsync(SnapshotBase @base, List<ReleaseFile> files, CancellationToken cancellationToken)
    {
        if (files.Sum(f => f.Rows) == @base.Manifest.Rows)
        {
            return files;
        }

        if (files.Count == 1)
        {
            return [files[0] with { Rows = @base.Manifest.Rows }];
        }

        var locals = await DownloadAsync(files, cancellationToken).ConfigureAwait(false);
        var rows = FooterRows(locals);
        return files.Zip(locals, (f, local) => f with { Rows = rows[Path.GetFullPath(local)] }).ToList();
    }

    /// <summary>Rows of each Parquet file (full path → rows), from their footers: no data is read.</summary>
    private Dictionary<string, long> FooterRows(IEnumerable<string> files)
    {
        var list = files.ToList();
        if (list.Count == 0)
        {
            return [];
        }

        using var db = DuckDbSession.OpenLocked(session);
        return db.Query(
                $"SELECT file_name, num_rows FROM parquet_file_metadata({Sql.List(list)})",
                r => (Path.GetFullPath(r.GetString(0)), Convert.ToInt64(r.GetValue(1), CultureInfo.InvariantCulture)))
            .ToDictionary(r => r.Item1, r => r.Item2, StringComparer.Ordinal);
    }

    private static string RunWorkspaceName(string version) => Pipeline.RunWorkspace.SafeName(version);
}
