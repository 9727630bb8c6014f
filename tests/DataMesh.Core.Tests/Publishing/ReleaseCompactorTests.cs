using DataMesh.Publishing;
using DataMesh.Specs;
using DataMesh.Testing;

namespace DataMesh.Core.Tests.Publishing;

/// <summary>Compaction on Azurite + DuckDB: same rows in fewer files, serialised with publishing, earlier releases untouched.</summary>
[Collection("azurite")]
public sealed class ReleaseCompactorTests(AzuriteFixture azurite)
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Compact_MergeProductSmallFiles_CompactedFilesRecordTheKeyBounds()
    {
        // Arrange: a merge product's snapshot of 16 small files, ids 0-1599, in a shuffled file order.
        var storage = azurite.CreateMeshStorage();
        using var chain = new SnapshotChain(storage, "hr", "staff-merge");
        await chain.WriteAsync(1, T0, [.. Enumerable.Range(0, 16).OrderBy(i => (i * 7) % 16).Select(i => ($"part-{i}.parquet", i * 100, i * 100 + 100))], mode: OutputMode.Merge, keyBounds: true);
        var compactor = new ReleaseCompactor(storage, new ReleaseCompactionOptions { MinSmallFiles = 16 }, new ManualClock(T0.AddDays(1)));

        // Act
        var result = await compactor.CompactAsync("hr", "staff-merge", "1.0.0", OutputMode.Merge, keyColumn: "id");

        // Assert: one compacted file whose bounds a later merge can prune on, the same rows.
        Assert.Equal(CompactionStatus.Compacted, result.Status);
        var compacted = await chain.Store.ReadManifestAsync(ReleaseStore.Folder("staff-merge", "1.0.0", 2));
        Assert.NotNull(compacted);
        Assert.Equal(new KeyRange("id", "0", "1599"), Assert.Single(compacted.Files).Key);
        Assert.Equal((0L, 0L, 1600L, 1600L), await chain.CompareAsync(1, 2));
    }

    [Fact]
    public async Task Compact_Session_RunsWithTheLimitsOfASessionOutsideRuns()
    {
        // Arrange
        var storage = azurite.CreateMeshStorage();
        using var chain = new SnapshotChain(storage, "finance", "ledger-limits");
        await chain.WriteAsync(1, T0, [.. Enumerable.Range(0, 16).Select(i => ($"part-{i}.parquet", i * 10, i * 10 + 10))]);
        var compactor = new ReleaseCompactor(storage, new ReleaseCompactionOptions { MinSmallFiles = 16 }, new ManualClock(T0.AddDays(1)));
        using var spans = new DataMesh.Core.Tests.Engine.SessionSpans();

        // Act
        var result = await compactor.CompactAsync("finance", "ledger-limits", "1.0.0", OutputMode.Append);

        // Assert: maintenance runs beside runs in the instance's share for it (EngineLimits.Side), not a fixed 1GB.
        Assert.Equal(CompactionStatus.Compacted, result.Status);
        Assert.NotEmpty(spans.Opened);
        Assert.All(spans.Opened, opened => Assert.Equal(DataMesh.Core.Tests.Engine.SessionSpans.AsDuckDbReports(DataMesh.Pipeline.EngineLimits.Process.Side), opened));
    }

    [Fact]
    public async Task Compact_ManySmallFiles_SameRowsInFewerFilesPerPartition()
    {
        // Arrange: an appended, partitioned table of 20 small files in two partition folders over two releases.
        var storage = azurite.CreateMeshStorage();
        using var chain = new SnapshotChain(storage, "finance", "ledger");
        var r1 = await chain.WriteAsync(1, T0, [.. Enumerable.Range(0, 10).Select(i => ($"day={i % 2}/part-{i}.parquet", i * 100, i * 100 + 100))]);
        await chain.WriteAsync(2, T0, [.. Enumerable.Range(10, 10).Select(i => ($"day={i % 2}/part-{i}.parquet", i * 100, i * 100 + 100))], [r1]);
        var idsOf2 = await chain.IdsAsync(2);
        var compactor = new ReleaseCompactor(storage, new ReleaseCompactionOptions { MinSmallFiles = 16 }, new ManualClock(T0.AddDays(1)));

        // Act
        var result = await compactor.CompactAsync("finance", "ledger", "1.0.0", OutputMode.Append);

        // Assert: one file per partition folder, the same rows (both ways), and release 2 reads as before.
        Assert.Equal(CompactionStatus.Compacted, result.Status);
        Assert.Equal((2, 3, 20, 2), (result.BasedOn, result.Release, result.FilesBefore, result.FilesAfter));
        var compacted = await chain.Store.ReadManifestAsync(ReleaseStore.Folder("ledger", "1.0.0", 3));
        Assert.NotNull(compacted);
        Assert.Equal(["day=0/compacted-00000.parquet", "day=1/compacted-00001.parquet"], compacted.Files.Select(f => f.Path).Order(StringComparer.Ordinal));
        Assert.All(compacted.Files, f => Assert.True(f.Release is null && f.Rewritten && f.Rows == 1000));
        Assert.Equal(2000, compacted.Rows);
        var changes = compacted.Changes!;
        Assert.Equal(
            (OutputMode.Append, (int?)2, 0L, 0L, 0L, 2, 0),
            (changes.Mode, changes.BasedOn, changes.RowsAdded, changes.RowsReplaced, changes.RowsRemoved, changes.FilesWritten, changes.FilesReferenced));
        Assert.Equal((0L, 0L, 2000L, 2000L), await chain.CompareAsync(2, 3));
        Assert.Equal(idsOf2, await chain.IdsAsync(2));
        Assert.Equal(20, (await chain.Store.ReadManifestAsync(ReleaseStore.Folder("ledger", "1.0.0", 2)))!.Files.Count);
    }

    [Fact]
    public async Task Compact_LargeFilesBesideSmallOnes_LargeOnesReferenced()
    {
        // Arrange: 16 small files and one "large" one (the threshold set under its size).
        var storage = azurite.CreateMeshStorage();
        using var chain = new SnapshotChain(storage, "stock", "moves");
        var r1 = await chain.WriteAsync(1, T0, [("big.parquet", 0, 200_000)]);
        await chain.WriteAsync(2, T0, [.. Enumerable.Range(1, 16).Select(i => ($"part-{i}.parquet", 200_000 + i * 10, 200_000 + i * 10 + 10))], [r1]);
        var big = r1.Files.Single().Size;
        var compactor = new ReleaseCompactor(storage, new ReleaseCompactionOptions { MinSmallFiles = 16, SmallFileBytes = big - 1 });

        // Act
        var result = await compactor.CompactAsync("stock", "moves", "1.0.0", OutputMode.Append);

        // Assert
        Assert.Equal(CompactionStatus.Compacted, result.Status);
        var compacted = (await chain.Store.ReadManifestAsync(ReleaseStore.Folder("moves", "1.0.0", 3)))!;
        Assert.Equal(2, compacted.Files.Count);
        Assert.Contains(compacted.Files, f => f.Path == "big.parquet" && f.Release == 1);
        Assert.Equal((0L, 0L, 200_160L, 200_160L), await chain.CompareAsync(2, 3));
    }

    [Fact]
    public async Task Compact_FewSmallFiles_NotNeededAndNothingWritten()
    {
        // Arrange
        var storage = azurite.CreateMeshStorage();
        using var chain = new SnapshotChain(storage, "hr", "staff");
        await chain.WriteAsync(1, T0, [.. Enumerable.Range(0, 5).Select(i => ($"part-{i}.parquet", i, i + 1))]);
        var compactor = new ReleaseCompactor(storage);

        // Act
        var result = await compactor.CompactAsync("hr", "staff", "1.0.0", OutputMode.Append);

        // Assert
        Assert.Equal(CompactionStatus.NotNeeded, result.Status);
        Assert.Equal([1], await chain.Store.ListReleasesAsync("staff", "1.0.0"));
    }

    [Fact]
    public async Task Commit_BaseMovedAfterPrepare_RefusedAndNothingClaimed()
    {
        // Arrange: compaction prepared on #1, then a publish lands #2 before it commits.
        var storage = azurite.CreateMeshStorage();
        using var chain = new SnapshotChain(storage, "sales", "orders");
        var r1 = await chain.WriteAsync(1, T0, [.. Enumerable.Range(0, 4).Select(i => ($"part-{i}.parquet", i * 10, i * 10 + 10))]);
        var compactor = new ReleaseCompactor(storage);
        using var plan = await compactor.PrepareAsync("sales", "orders", "1.0.0", OutputMode.Append);
        Assert.NotNull(plan);
        Assert.True(plan.ReducesFiles);
        await chain.WriteAsync(2, T0, [("part-9.parquet", 90, 100)], [r1]);

        // Act
        var result = await compactor.CommitAsync(plan);

        // Assert: nothing claimed or written beside #1 and #2.
        Assert.Equal(CompactionStatus.BaseMoved, result.Status);
        Assert.Null(result.Release);
        Assert.Equal([1, 2], await chain.Store.ListReleasesAsync("orders", "1.0.0"));
        await foreach (var blob in chain.Store.Container.GetBlobsAsync(new Azure.Storage.Blobs.Models.GetBlobsOptions { Prefix = "orders/1.0.0/3/" }))
        {
            Assert.Fail($"compaction left {blob.Name}");
        }
    }

    [Fact]
    public async Task Compact_ThenRetentionDeletesTheSmallFiles_CompactedReleaseReadsTheSameRows()
    {
        // Arrange: 16 small files over two releases, compacted into #3; then retention keeps #3 only.
        var storage = azurite.CreateMeshStorage();
        using var chain = new SnapshotChain(storage, "finance", "journal");
        var r1 = await chain.WriteAsync(1, T0, [.. Enumerable.Range(0, 8).Select(i => ($"part-{i}.parquet", i * 10, i * 10 + 10))]);
        await chain.WriteAsync(2, T0, [.. Enumerable.Range(8, 8).Select(i => ($"part-{i}.parquet", i * 10, i * 10 + 10))], [r1]);
        var idsOf2 = await chain.IdsAsync(2);
        var compacted = await new ReleaseCompactor(storage, new ReleaseCompactionOptions { MinSmallFiles = 16 }).CompactAsync("finance", "journal", "1.0.0", OutputMode.Append);
        var retention = new ReleaseRetention(storage, new ReleaseRetentionOptions { ReaderCacheDirectories = [], GracePeriod = TimeSpan.Zero }, new ManualClock(T0));

        // Act
        var swept = await retention.SweepAsync("finance", "journal", new RetentionSpec { Releases = 1 });

        // Assert: every small file is gone, only the compacted one is left, and it holds #2's rows exactly.
        Assert.Equal((CompactionStatus.Compacted, 3), (compacted.Status, compacted.Release));
        Assert.Equal(16, swept.DeletedFiles.Count);
        Assert.Equal(["journal/1.0.0/3/compacted-00000.parquet"], await chain.DataBlobsAsync());
        Assert.Equal(idsOf2, await chain.IdsAsync(3));
    }
}
