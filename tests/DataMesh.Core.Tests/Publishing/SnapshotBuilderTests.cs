using System.Globalization;
using DataMesh.Contracts;
using DataMesh.Engine;
using DataMesh.Publishing;
using DataMesh.Specs;
using DataMesh.Testing;
using static DataMesh.Core.Tests.Publishing.MergeSnapshotWorkspace;

namespace DataMesh.Core.Tests.Publishing;

/// <summary>
/// A merge's snapshot on Azurite + DuckDB: base files whose key bounds (<see cref="ReleaseFile.Key"/>) hold no key of the
/// output are referenced without being read; manifests without bounds still merge, reading every base file.
/// </summary>
[Collection("azurite")]
public sealed class SnapshotBuilderTests(AzuriteFixture azurite) : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly MergeSnapshotWorkspace _workspace = new(azurite, "datamesh-snapshot-builder-");

    [Fact]
    public async Task BuildAsync_MergeKeysInOneFilesBounds_ReadsAndRewritesOnlyThatFile()
    {
        // Arrange: ids 0-99 in a.parquet, 100-199 in b.parquet, their bounds in the manifest; the output replaces id 150
        // and adds id 250 (above every file's bounds).
        using var chain = _workspace.Chain("staff-bounds");
        var r1 = await chain.WriteAsync(1, T0, [("a.parquet", 0, 100), ("b.parquet", 100, 200)], mode: OutputMode.Merge, keyBounds: true);
        var builder = Builder(chain);

        // Act
        var plan = await builder.BuildAsync(new SnapshotBase("1.0.0", 1, r1), [("part-00000.parquet", Output([150, 250]))]);

        // Assert: a.parquet is referenced and was never downloaded; b.parquet is rewritten without id 150.
        Assert.Equal(["b.parquet"], plan.Scanned.Select(f => f.Path));
        Assert.Equal(["b.parquet"], Downloaded(builder));
        var referenced = Assert.Single(plan.Referenced);
        Assert.Equal(("a.parquet", 1), (referenced.Path, referenced.Release));
        var rewrite = Assert.Single(plan.Own, f => f.Rewritten);
        Assert.Equal((99L, new KeyRange("id", "100", "199")), (rewrite.Rows, rewrite.Key));
        Assert.Equal(new KeyRange("id", "150", "250"), Assert.Single(plan.Own, f => !f.Rewritten).Key);
        Assert.Equal((1L, 1L, 0L), (plan.Changes.RowsAdded, plan.Changes.RowsReplaced, plan.Changes.RowsRemoved));
        Assert.Equal(Expected([.. Enumerable.Range(0, 200).Where(i => i != 150)], [150, 250]), await RowsAsync(chain, plan));
    }

    [Fact]
    public async Task BuildAsync_MergeOnManifestWithoutKeyBounds_ReadsEveryFileAndRewritesOnlyTheTouchedOne()
    {
        // Arrange: the same table as a manifest written before key bounds.
        using var chain = _workspace.Chain("staff-old");
        var r1 = await chain.WriteAsync(1, T0, [("a.parquet", 0, 100), ("b.parquet", 100, 200)], mode: OutputMode.Merge);
        var builder = Builder(chain);

        // Act
        var plan = await builder.BuildAsync(new SnapshotBase("1.0.0", 1, r1), [("part-00000.parquet", Output([150, 250]))]);

        // Assert
        Assert.Equal(["a.parquet", "b.parquet"], plan.Scanned.Select(f => f.Path).Order(StringComparer.Ordinal));
        Assert.Equal(("a.parquet", 1), plan.Referenced.Select(f => (f.Path, f.Release)).Single());
        Assert.Equal(99L, Assert.Single(plan.Own, f => f.Rewritten).Rows);
        Assert.Equal(Expected([.. Enumerable.Range(0, 200).Where(i => i != 150)], [150, 250]), await RowsAsync(chain, plan));
    }

    [Fact]
    public async Task BuildAsync_MergeFirstLoadInShuffledOrder_WritesKeySortedFilesOfBoundedRows()
    {
        // Arrange: ids 0-999 in a shuffled order, files of at most 100 rows.
        using var chain = _workspace.Chain("staff-sorted");
        var builder = Builder(chain, mergeFileRows: 100);
        var ids = Enumerable.Range(0, 1000).OrderBy(i => (i * 7919) % 1000).ToList();

        // Act
        var plan = await builder.BuildAsync(null, [("part-00000.parquet", Output(ids))]);

        // Assert: ten files of consecutive ids, each with its bounds; every row once.
        Assert.Equal(
            Enumerable.Range(0, 10).Select(f => (100L, new KeyRange("id", (f * 100).ToString(CultureInfo.InvariantCulture), ((f * 100) + 99).ToString(CultureInfo.InvariantCulture)))),
            plan.Own.Select(f => (f.Rows, f.Key!)).OrderBy(f => int.Parse(f.Item2.Min, CultureInfo.InvariantCulture)));
        Assert.All(plan.Own, f => Assert.False(f.Rewritten));
        Assert.Equal((1000L, 0L, 0L), (plan.Changes.RowsAdded, plan.Changes.RowsReplaced, plan.Changes.RowsRemoved));
        Assert.Equal(Expected([], ids), await RowsAsync(chain, plan));
    }

    [Fact]
    public async Task BuildAsync_MergeFewKeysAfterSortedLoad_RewritesOnlyTheTouchedFilesAndReferencesTheRestUnchanged()
    {
        // Arrange: release 1 is a merge load of ids 0-999 (shuffled) in files of 100 rows, published as publish does.
        using var chain = _workspace.Chain("staff-few");
        var load = await Builder(chain, mergeFileRows: 100).BuildAsync(null, [("part-00000.parquet", Output([.. Enumerable.Range(0, 1000).OrderBy(i => (i * 7919) % 1000)], "row"))]);
        var r1 = await chain.WritePlanAsync(1, T0, load);
        var builder = Builder(chain, mergeFileRows: 100);

        // Act: ids 150 and 151 change, 5000 is new.
        var plan = await builder.BuildAsync(new SnapshotBase("1.0.0", 1, r1), [("part-00000.parquet", Output([150, 151, 5000]))]);

        // Assert: only the file of ids 100-199 was read and rewritten; the nine others are release 1's files, checksums unchanged.
        var touched = Assert.Single(r1.Files, f => f.Key!.Min == "100");
        Assert.Equal([touched.Path], plan.Scanned.Select(f => f.Path));
        Assert.Equal([Path.GetFileName(touched.Path)], Downloaded(builder));
        Assert.Equal(
            r1.Files.Where(f => f != touched).Select(f => (f.Path, 1, f.Sha256)).Order(),
            plan.Referenced.Select(f => (f.Path, f.Release!.Value, f.Sha256)).Order());
        var rewrite = Assert.Single(plan.Own, f => f.Rewritten);
        Assert.Equal((98L, new KeyRange("id", "100", "199")), (rewrite.Rows, rewrite.Key));
        Assert.Equal((1L, 2L, 0L), (plan.Changes.RowsAdded, plan.Changes.RowsReplaced, plan.Changes.RowsRemoved));
        Assert.Equal(Expected([.. Enumerable.Range(0, 1000).Where(i => i is not 150 and not 151)], [150, 151, 5000]), await RowsAsync(chain, plan, 1));
    }

    [Fact]
    public async Task BuildAsync_MergeChainOfRandomChanges_SnapshotEqualsUpsertOfEveryRun()
    {
        // Arrange: a load of 500 ids in files of 40 rows, then five merges of random keys (some new) into the chain, each
        // published before the next; a dictionary applies the same upserts.
        using var chain = _workspace.Chain("staff-chain");
        var random = new Random(16);
        var expected = Enumerable.Range(0, 500).ToDictionary(i => i, i => $"{i}|new {i}");
        var labels = Enumerable.Range(2, 5).ToDictionary(r => r, r => $"r{r}");
        var manifest = await chain.WritePlanAsync(1, T0, await Builder(chain, mergeFileRows: 40).BuildAsync(null, [("part-00000.parquet", Output([.. expected.Keys]))]));
        SnapshotPlan plan = null!;
        for (var release = 2; release <= 6; release++)
        {
                var keys = Enumerable.Range(0, random.Next(1, 30)).Select(_ => random.Next(0, 700)).Distinct().ToList();
            plan = await Builder(chain, mergeFileRows: 40).BuildAsync(new SnapshotBase("1.0.0", release - 1, manifest), [("part-00000.parquet", Output(keys, labels[release]))]);
            foreach (var key in keys)
            {
                expected[key] = $"{key}|{labels[release]} {key}";
            }

            // Act
            manifest = await chain.WritePlanAsync(release, T0.AddDays(release), plan);

            // Assert: the snapshot is the upsert of every run; its file count stays near the load's.
            Assert.Equal([.. expected.Values.Order(StringComparer.Ordinal)], await RowsAsync(chain, plan, release));
            Assert.Equal(expected.Count, manifest.Rows);
        }

        Assert.True(plan.Scanned.Count < manifest.Files.Count, $"the last merge read {plan.Scanned.Count} of {manifest.Files.Count} files");
    }

    public void Dispose() => _workspace.Dispose();

    private SnapshotBuilder Builder(SnapshotChain chain, int mergeFileRows = SnapshotBuilder.DefaultMergeFileRows) => _workspace.Builder(chain, mergeFileRows);

    private string Output(IReadOnlyList<int> ids, string label = "new") => _workspace.Output(ids, label);

    /// <summary>Names of the base files the builder downloaded.</summary>
    private static List<string> Downloaded(SnapshotBuilder builder) =>
        Directory.Exists(builder.BaseDirectory)
            ? [.. Directory.EnumerateFiles(builder.BaseDirectory, "*.parquet", SearchOption.AllDirectories).Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal)]
            : [];

    /// <summary>The plan's snapshot rows (<c>id|label</c>, sorted): its own files and its referenced ones read from storage.</summary>
    private async Task<List<string>> RowsAsync(SnapshotChain chain, SnapshotPlan plan, int release = 2)
    {
        var files = plan.Own.Select(f => f.LocalPath).ToList();
        foreach (var file in plan.Referenced)
        {
            var local = Path.Combine(_workspace.Work.FullName, "read", Guid.NewGuid().ToString("N") + ".parquet");
            Directory.CreateDirectory(Path.GetDirectoryName(local)!);
            await chain.Store.Container.GetBlobClient(ReleaseStore.FileBlobName(chain.Name, chain.Version, release, file)).DownloadToAsync(local);
            files.Add(local);
        }

        return Query($"SELECT id || '|' || label FROM read_parquet({Sql.List(files)}, hive_partitioning = false)");
    }
}
