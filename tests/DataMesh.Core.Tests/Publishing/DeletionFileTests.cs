using DataMesh.Consumption;
using DataMesh.Contracts;
using DataMesh.Engine;
using DataMesh.Publishing;
using DataMesh.Specs;
using DataMesh.Storage;
using DataMesh.Testing;
using static DataMesh.Core.Tests.Publishing.MergeSnapshotWorkspace;

namespace DataMesh.Core.Tests.Publishing;

/// <summary>
/// Merge-on-read on Azurite + DuckDB: a merge into a large file writes the new rows and a deletion file of the positions
/// it drops (<see cref="ReleaseFile.Deletes"/>), the file itself referenced unchanged; readers (release cache and time
/// travel), the next merge, retention and compaction apply the deletion files, so every release reads back as the upsert
/// of its runs. Row sets are compared, not counts.
/// </summary>
[Collection("azurite")]
public sealed class DeletionFileTests(AzuriteFixture azurite) : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly MergeSnapshotWorkspace _workspace = new(azurite, "datamesh-deletion-files-");

    [Fact]
    public async Task BuildAsync_MergeFewKeysIntoLargeFile_WritesDeletionFileAndReferencesTheFileUnchanged()
    {
        // Arrange: release 1 holds ids 0-999 in one file; files of 100 rows or more get deletion files.
        using var chain = _workspace.Chain("staff-dv");
        var r1 = await chain.WritePlanAsync(1, T0, await Builder(chain).BuildAsync(null, [("part-00000.parquet", Output([.. Enumerable.Range(0, 1000)], "row"))]));
        var loaded = Assert.Single(r1.Files);

        // Act: ids 150 and 151 change, 5000 is new.
        var plan = await Builder(chain).BuildAsync(new SnapshotBase("1.0.0", 1, r1), [("part-00000.parquet", Output([150, 151, 5000]))]);
        var r2 = await chain.WritePlanAsync(2, T0.AddDays(1), plan);

        // Assert: release 1's file referenced with its checksum, a deletion file of its 2 dropped rows, no rewrite.
        Assert.DoesNotContain(plan.Own, f => f.Rewritten);
        var referenced = Assert.Single(r2.Files, f => f.Release == 1);
        Assert.Equal((loaded.Path, loaded.Sha256, 998L), (referenced.Path, referenced.Sha256, referenced.Rows));
        Assert.Equal(("part-del-00000.parquet", (int?)null, 2L), (referenced.Deletes!.Path, referenced.Deletes.Release, referenced.Deletes.Rows));
        Assert.Equal((1L, 2L, 0L), (plan.Changes.RowsAdded, plan.Changes.RowsReplaced, plan.Changes.RowsRemoved));
        Assert.Equal(1001L, r2.Rows);
        Assert.Equal(Expected(Enumerable.Range(0, 1000).Where(i => i is not 150 and not 151), [150, 151, 5000]), await ReadAsync(chain, 2));
        Assert.Equal(Expected(Enumerable.Range(0, 1000), []), await ReadAsync(chain, 1));
    }

    [Fact]
    public async Task EnsureLocal_SecondReaderOfTheSameFileAndDeletionFile_ReusesTheAppliedFileWithoutRewriting()
    {
        // Arrange: release 1 holds ids 0-999 in one file; release 2 changes 150 and 151 (a deletion file on that file);
        // release 3 adds 6000 only, so it references the same file with the same deletion file.
        using var chain = _workspace.Chain("staff-dv-once");
        var r1 = await chain.WritePlanAsync(1, T0, await Builder(chain).BuildAsync(null, [("part-00000.parquet", Output([.. Enumerable.Range(0, 1000)], "row"))]));
        var r2 = await chain.WritePlanAsync(2, T0.AddDays(1), await Builder(chain).BuildAsync(new SnapshotBase("1.0.0", 1, r1), [("part-00000.parquet", Output([150, 151, 5000]))]));
        var r3 = await chain.WritePlanAsync(3, T0.AddDays(2), await Builder(chain).BuildAsync(new SnapshotBase("1.0.0", 2, r2), [("part-00000.parquet", Output([6000]))]));
        var applied = new DeletionFileCache(Path.Combine(_workspace.Work.FullName, "applied"));

        // Act: release 2 read by two readers (each its own cache folder, as two runs or two hosts' caches), then release 3.
        var first = await ReadAsync(chain, 2, applied);
        var second = await ReadAsync(chain, 2, applied);
        var third = await ReadAsync(chain, 3, applied);

        // Assert: the pair was rewritten once and copied for the two later reads; every read has the snapshot's rows.
        Assert.Equal(2, r3.Files.Single(f => f.Release == 1).Deletes!.Release);
        Assert.Equal((1, 2), (applied.Applied, applied.Reused));
        var expected = Expected(Enumerable.Range(0, 1000).Where(i => i is not 150 and not 151), [150, 151, 5000]);
        Assert.Equal(expected, first);
        Assert.Equal(expected, second);
        Assert.Equal(Sorted(expected.Append("6000|new 6000")), third);
    }

    [Fact]
    public async Task BuildAsync_MergeChainWithDeletionFiles_EveryReleaseReadsBackAsTheUpsertOfItsRuns()
    {
        // Arrange: a load of 2000 ids in one file, then six merges of random keys (some new, some changed twice); a
        // dictionary applies the same upserts. Files of 50 rows or more get deletion files until half their rows go.
        using var chain = _workspace.Chain("staff-dv-chain");
        var random = new Random(1150);
        var expected = Enumerable.Range(0, 2000).ToDictionary(i => i, i => $"{i}|row {i}");
        var snapshots = new List<List<string>> { Sorted(expected.Values) };
        var manifest = await chain.WritePlanAsync(1, T0, await Builder(chain, deletionMinRows: 50).BuildAsync(null, [("part-00000.parquet", Output([.. expected.Keys], "row"))]));
        for (var release = 2; release <= 7; release++)
        {
            var keys = Enumerable.Range(0, random.Next(1, 200)).Select(_ => random.Next(0, 2600)).Distinct().ToList();
            var label = $"r{release}";
            var plan = await Builder(chain, deletionMinRows: 50).BuildAsync(new SnapshotBase("1.0.0", release - 1, manifest), [("part-00000.parquet", Output(keys, label))]);
            foreach (var key in keys)
            {
                expected[key] = $"{key}|{label} {key}";
            }

            // Act
            manifest = await chain.WritePlanAsync(release, T0.AddDays(release), plan);
            snapshots.Add(Sorted(expected.Values));

            // Assert: the snapshot is the upsert of every run, its row count too.
            Assert.Equal(snapshots[^1], await ReadAsync(chain, release));
            Assert.Equal(expected.Count, manifest.Rows);
        }

        // Assert: deletion files were written (the load's file never rewritten while under half dropped), and time travel
        // reads every release exactly as it was published.
        Assert.Contains(manifest.Files, f => f.Deletes is not null);
        for (var release = 1; release <= 7; release++)
        {
            Assert.Equal(snapshots[release - 1], await ReadAsync(chain, release));
        }
    }

    [Fact]
    public async Task BuildAsync_MergeDropsMostOfAFile_RewritesItAndFoldsItsDeletionFile()
    {
        // Arrange: release 2 gives the 200-row file a deletion file of 10 rows.
        using var chain = _workspace.Chain("staff-dv-fold");
        var r1 = await chain.WritePlanAsync(1, T0, await Builder(chain).BuildAsync(null, [("part-00000.parquet", Output([.. Enumerable.Range(0, 200)], "row"))]));
        var r2 = await chain.WritePlanAsync(2, T0.AddDays(1), await Builder(chain).BuildAsync(new SnapshotBase("1.0.0", 1, r1), [("part-00000.parquet", Output([.. Enumerable.Range(0, 10)]))]));
        Assert.NotNull(Assert.Single(r2.Files, f => f.Release == 1).Deletes);

        // Act: 100 more of its rows change, past half of what it stores.
        var plan = await Builder(chain).BuildAsync(new SnapshotBase("1.0.0", 2, r2), [("part-00000.parquet", Output([.. Enumerable.Range(10, 100)]))]);
        var r3 = await chain.WritePlanAsync(3, T0.AddDays(2), plan);

        // Assert: the file is rewritten without the 110 rows; no deletion file is left.
        Assert.Equal(90L, Assert.Single(plan.Own, f => f.Rewritten).Rows);
        Assert.All(r3.Files, f => Assert.Null(f.Deletes));
        Assert.Equal((0L, 100L, 0L), (plan.Changes.RowsAdded, plan.Changes.RowsReplaced, plan.Changes.RowsRemoved));
        Assert.Equal(Expected(Enumerable.Range(110, 90), Enumerable.Range(0, 110)), await ReadAsync(chain, 3));
    }

    [Fact]
    public async Task Compact_SnapshotWithDeletionFiles_FoldsThemIntoANewReleaseOfTheSameRows()
    {
        // Arrange: a 1000-row file with a deletion file of 200 rows (20% of what it stores).
        using var chain = _workspace.Chain("staff-dv-compact");
        var r1 = await chain.WritePlanAsync(1, T0, await Builder(chain).BuildAsync(null, [("part-00000.parquet", Output([.. Enumerable.Range(0, 1000)], "row"))]));
        var r2 = await chain.WritePlanAsync(2, T0.AddDays(1), await Builder(chain).BuildAsync(new SnapshotBase("1.0.0", 1, r1), [("part-00000.parquet", Output([.. Enumerable.Range(300, 200)]))]));
        Assert.NotNull(Assert.Single(r2.Files, f => f.Release == 1).Deletes);
        var before = await ReadAsync(chain, 2);
        var compactor = new ReleaseCompactor(_workspace.Storage, new ReleaseCompactionOptions { WorkDirectory = _workspace.Work.FullName }, new ManualClock(T0.AddDays(2)));

        // Act
        var result = await compactor.CompactAsync("hr", "staff-dv-compact", "1.0.0", OutputMode.Merge, keyColumn: "id");

        // Assert: release 3 has no deletion file, the same rows; release 2 still reads as published.
        Assert.Equal((CompactionStatus.Compacted, (int?)3), (result.Status, result.Release));
        var r3 = await chain.Store.ReadManifestAsync(ReleaseStore.Folder("staff-dv-compact", "1.0.0", 3));
        Assert.All(r3!.Files, f => Assert.Null(f.Deletes));
        Assert.Equal(1000L, r3.Rows);
        Assert.Equal(before, await ReadAsync(chain, 3));
        Assert.Equal(before, await ReadAsync(chain, 2));
    }

    [Fact]
    public async Task FindFile_DeletionFileOfAReferencedFile_IsServedByTheFilesRoute()
    {
        // Arrange
        using var chain = _workspace.Chain("staff-dv-files");
        var r1 = await chain.WritePlanAsync(1, T0, await Builder(chain).BuildAsync(null, [("part-00000.parquet", Output([.. Enumerable.Range(0, 500)], "row"))]));
        await chain.WritePlanAsync(2, T0.AddDays(1), await Builder(chain).BuildAsync(new SnapshotBase("1.0.0", 1, r1), [("part-00000.parquet", Output([7]))]));
        var reader = new ReleaseReader(_workspace.Storage, Path.Combine(_workspace.Work.FullName, "cache-files"));
        var selected = await reader.SelectAsync("hr.staff-dv-files", "1.0.0#2");

        // Act
        var file = selected!.FindFile("part-del-00000.parquet");
        await using var stream = await reader.OpenFileAsync(selected, file!, 0, file!.Size);
        var local = Path.Combine(_workspace.Work.FullName, "deletes.parquet");
        await using (var target = File.Create(local))
        {
            await stream.CopyToAsync(target);
        }

        // Assert: the positions a raw reader drops from release 1's file: id 7's.
        Assert.Equal(["7"], Query($"SELECT {DeletionFiles.PositionColumn}::VARCHAR FROM read_parquet({Sql.Literal(local)})"));
    }

    public void Dispose() => _workspace.Dispose();

    /// <summary>A snapshot builder of the chain's product; files of <paramref name="deletionMinRows"/> rows or more get deletion files.</summary>
    private SnapshotBuilder Builder(SnapshotChain chain, int deletionMinRows = 100) => _workspace.Builder(chain, deletionMinRows: deletionMinRows);

    private string Output(IReadOnlyList<int> ids, string label = "new") => _workspace.Output(ids, label);

    /// <summary>Release <paramref name="release"/>'s rows (<c>id|label</c>, sorted) as a reader gets them: through the release cache, time travel naming it.</summary>
    private async Task<List<string>> ReadAsync(SnapshotChain chain, int release, DeletionFileCache? applied = null)
    {
        var reader = new ReleaseReader(_workspace.Storage, Path.Combine(_workspace.Work.FullName, "cache-" + Guid.NewGuid().ToString("N")[..8])) { AppliedDeletes = applied };
        var selected = await reader.SelectAsync(chain.ProductId, $"1.0.0#{release}");
        using var local = await reader.EnsureLocalAsync(selected!);
        return Query($"SELECT id || '|' || label FROM read_parquet({Sql.List(local.Files)})");
    }
}
