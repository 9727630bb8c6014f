using DataMesh.Consumption;
using DataMesh.Publishing;
using DataMesh.Specs;
using DataMesh.Testing;

namespace DataMesh.Core.Tests.Publishing;

/// <summary>Retention on Azurite: which releases expire, which files go after the grace period, and which never go.</summary>
[Collection("azurite")]
public sealed class ReleaseRetentionTests(AzuriteFixture azurite)
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Sweep_ReleasesCount_ExpiresOlderAndDeletesOnlyUnreferencedFilesAfterGrace()
    {
        // Arrange: #1 and #2 append; #3 replaces the table; #4 and #5 append to #3. Keep the newest 2 (#4, #5): #3's file
        // stays (they reference it), #1's and #2's go once the grace period has passed.
        var storage = azurite.CreateMeshStorage();
        using var chain = new SnapshotChain(storage, "finance", "ledger");
        var r1 = await chain.WriteAsync(1, T0, [("part-0.parquet", 0, 10)]);
        await chain.WriteAsync(2, T0, [("part-0.parquet", 10, 20)], [r1]);
        var r3 = await chain.WriteAsync(3, T0, [("part-0.parquet", 100, 110)], mode: OutputMode.Replace);
        var r4 = await chain.WriteAsync(4, T0, [("part-0.parquet", 110, 120)], [r3]);
        var r5 = await chain.WriteAsync(5, T0, [("part-0.parquet", 120, 130)], [r4]);
        var idsOf5 = await chain.IdsAsync(5);
        var clock = new ManualClock(T0.AddDays(1));
        var announced = new List<string>();
        var retention = new ReleaseRetention(storage, new ReleaseRetentionOptions
        {
            ReaderCacheDirectories = [],
            OnExpired = (expiry, _) =>
            {
                announced.Add($"{expiry.Version}#{expiry.Release}");
                return Task.CompletedTask;
            },
        }, clock);
        var rule = new RetentionSpec { Releases = 2 };

        // Act: expire, then sweep within the grace period, then past it, then once more.
        var first = await retention.SweepAsync("finance", "ledger", rule);
        var listed = await chain.Store.ListReleasesAsync("ledger", "1.0.0");
        var timeTravel = await Assert.ThrowsAsync<ReleaseExpiredException>(() => new ReleaseReader(storage, Path.Combine(Path.GetTempPath(), "dm-ret-" + Guid.NewGuid().ToString("N"))).SelectAsync(chain.ProductId, "1.0.0#2"));
        clock.Now = T0.AddDays(1).AddHours(23);
        var withinGrace = await retention.SweepAsync("finance", "ledger", rule);
        clock.Now = T0.AddDays(2).AddHours(1);
        var pastGrace = await retention.SweepAsync("finance", "ledger", rule);
        var again = await retention.SweepAsync("finance", "ledger", rule);

        // Assert
        Assert.Equal(["1.0.0#1", "1.0.0#2", "1.0.0#3"], first.Expired.Order(StringComparer.Ordinal));
        Assert.Empty(first.DeletedFiles);
        Assert.Equal([4, 5], listed);
        Assert.Contains("output.retention { releases: 2 }", timeTravel.Message, StringComparison.Ordinal);
        Assert.Contains("finance.ledger 1.0.0#2", timeTravel.Message, StringComparison.Ordinal);
        Assert.Empty(withinGrace.Expired);
        Assert.Empty(withinGrace.DeletedFiles);
        Assert.Equal(["ledger/1.0.0/1/part-0.parquet", "ledger/1.0.0/2/part-0.parquet"], pastGrace.DeletedFiles);
        Assert.Empty(again.DeletedFiles);
        Assert.Equal([.. chain.BlobNames(r3), .. chain.BlobNames(r4).Except(chain.BlobNames(r3)), .. chain.BlobNames(r5).Except(chain.BlobNames(r4))], await chain.DataBlobsAsync());
        Assert.Equal(idsOf5, await chain.IdsAsync(5));
        Assert.Equal(Enumerable.Range(100, 30).Select(i => (long)i), idsOf5);
        Assert.NotNull(await chain.Store.ReadManifestAsync(ReleaseStore.Folder("ledger", "1.0.0", 1)));
        Assert.Equal(["1.0.0#1", "1.0.0#1", "1.0.0#2", "1.0.0#2", "1.0.0#3", "1.0.0#3"], announced.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Sweep_Age_KeepsYoungerReleasesAndDeletesOlderFiles()
    {
        // Arrange: replace-mode releases 10, 9, 2 and 1 days old; keep 3 days.
        var storage = azurite.CreateMeshStorage();
        using var chain = new SnapshotChain(storage, "stock", "levels");
        var now = T0.AddDays(10);
        int[] ages = [10, 9, 2, 1];
        for (var release = 1; release <= 4; release++)
        {
            await chain.WriteAsync(release, now.AddDays(-ages[release - 1]), [("part-0.parquet", release * 10, release * 10 + 5)], mode: OutputMode.Replace);
        }

        var clock = new ManualClock(now);
        var retention = new ReleaseRetention(storage, new ReleaseRetentionOptions { ReaderCacheDirectories = [], GracePeriod = TimeSpan.FromHours(1) }, clock);
        var rule = new RetentionSpec { Age = TimeSpan.FromDays(3) };

        // Act
        var expired = await retention.SweepAsync("stock", "levels", rule);
        clock.Now = now.AddHours(2);
        var deleted = await retention.SweepAsync("stock", "levels", rule);

        // Assert
        Assert.Equal(["1.0.0#1", "1.0.0#2"], expired.Expired.Order(StringComparer.Ordinal));
        Assert.Equal(["levels/1.0.0/1/part-0.parquet", "levels/1.0.0/2/part-0.parquet"], deleted.DeletedFiles);
        Assert.Equal([3, 4], await chain.Store.ListReleasesAsync("levels", "1.0.0"));
        Assert.Equal(["levels/1.0.0/3/part-0.parquet", "levels/1.0.0/4/part-0.parquet"], await chain.DataBlobsAsync());
    }

    [Fact]
    public async Task Sweep_EveryReleaseOlderThanAge_NewestSurvives()
    {
        // Arrange: three releases all a year old, retention one day.
        var storage = azurite.CreateMeshStorage();
        using var chain = new SnapshotChain(storage, "hr", "staff");
        for (var release = 1; release <= 3; release++)
        {
            await chain.WriteAsync(release, T0.AddDays(-365 + release), [("part-0.parquet", release, release + 1)], mode: OutputMode.Replace);
        }

        var clock = new ManualClock(T0);
        var retention = new ReleaseRetention(storage, new ReleaseRetentionOptions { ReaderCacheDirectories = [], GracePeriod = TimeSpan.Zero }, clock);

        // Act
        var result = await retention.SweepAsync("hr", "staff", new RetentionSpec { Age = TimeSpan.FromDays(1), Releases = 1 });

        // Assert
        Assert.Equal(["1.0.0#1", "1.0.0#2"], result.Expired.Order(StringComparer.Ordinal));
        Assert.Equal([3], await chain.Store.ListReleasesAsync("staff", "1.0.0"));
        Assert.Equal(["staff/1.0.0/3/part-0.parquet"], await chain.DataBlobsAsync());
        Assert.Equal([3L], await chain.IdsAsync(3));
    }

    [Fact]
    public async Task Sweep_ReaderHoldsExpiredRelease_FilesKeptUntilTheLeaseEnds()
    {
        // Arrange: a reader picked #1 before it expired and holds it in its release cache.
        var storage = azurite.CreateMeshStorage();
        using var chain = new SnapshotChain(storage, "sales", "orders");
        await chain.WriteAsync(1, T0, [("part-0.parquet", 0, 5)], mode: OutputMode.Replace);
        await chain.WriteAsync(2, T0, [("part-0.parquet", 5, 10)], mode: OutputMode.Replace);
        var cache = Directory.CreateTempSubdirectory("dm-retention-cache-");
        try
        {
            var reader = new ReleaseReader(storage, cache.FullName);
            var selected = await reader.SelectAsync(chain.ProductId, "1.0.0#1");
            var lease = await reader.EnsureLocalAsync(selected!);
            var retention = new ReleaseRetention(storage, new ReleaseRetentionOptions { ReaderCacheDirectories = [cache.FullName], GracePeriod = TimeSpan.Zero }, new ManualClock(T0));
            var rule = new RetentionSpec { Releases = 1 };

            // Act
            var whileRead = await retention.SweepAsync("sales", "orders", rule);
            lease.Dispose();
            var afterRead = await retention.SweepAsync("sales", "orders", rule);

            // Assert
            Assert.Equal(["1.0.0#1"], whileRead.Expired);
            Assert.Equal(["1.0.0#1"], whileRead.HeldByReaders);
            Assert.Empty(whileRead.DeletedFiles);
            Assert.Empty(afterRead.HeldByReaders);
            Assert.Equal(["orders/1.0.0/1/part-0.parquet"], afterRead.DeletedFiles);
        }
        finally
        {
            cache.Delete(recursive: true);
        }
    }
}
