using DataMesh.Catalog;
using DataMesh.Consumption;
using DataMesh.Core.Tests.Events;
using DataMesh.Events;
using DataMesh.Publishing;
using DataMesh.Specs;
using DataMesh.Testing;

namespace DataMesh.Core.Tests.Publishing;

/// <summary>What readers see of a release retention let go: not in the catalog's list, refused by name with its rule.</summary>
[Collection("azurite")]
public sealed class ExpiredReleaseTests(AzuriteFixture azurite)
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Sweep_WithCatalogRetirement_ExpiredReleasesLeaveTheCatalogList()
    {
        // Arrange: releases 1-3 in storage and in the catalog; keep the newest 1.
        var storage = azurite.CreateMeshStorage();
        await MaintainedReleases.PublishAsync(storage, 3, T0, new CatalogProjection(storage));
        var retention = new ReleaseRetention(storage, new ReleaseRetentionOptions
        {
            ReaderCacheDirectories = [],
            OnExpired = new CatalogReleaseRetirement(storage).RemoveAsync,
        }, new ManualClock(T0));

        // Act
        await retention.SweepAsync("finance", "ledger-emea", new RetentionSpec { Releases = 1 });

        // Assert: the list holds the newest only, and the product's latest release is unchanged.
        var reader = new CatalogReader(storage);
        Assert.Equal([3], (await reader.GetReleasesAsync("finance.ledger-emea")).Select(r => r.Release));
        Assert.Equal(3, (await reader.GetProductAsync("finance.ledger-emea"))!.LatestRelease);
    }

    [Fact]
    public async Task Sweep_AnnouncingExpiry_CatalogDropsTheReleaseOnTheReleaseExpiredEvent()
    {
        // Arrange: releases 1-3 in storage and in the catalog; keep the newest 1; expiries are announced, not written.
        var storage = azurite.CreateMeshStorage();
        var projection = new CatalogProjection(storage);
        await MaintainedReleases.PublishAsync(storage, 3, T0, projection);
        var events = new RecordingPublisher();
        var retention = new ReleaseRetention(storage, new ReleaseRetentionOptions
        {
            ReaderCacheDirectories = [],
            OnExpired = new MaintenanceAnnouncer(new AnnouncementOutbox(storage), events).OnExpiredAsync,
        }, new ManualClock(T0));
        await retention.SweepAsync("finance", "ledger-emea", new RetentionSpec { Releases = 1 });

        // Act: the catalog applies what retention announced (twice: a redelivery changes nothing).
        foreach (var cloudEvent in events.Sent.Concat(events.Sent))
        {
            await projection.ApplyAsync(cloudEvent);
        }

        // Assert: one ReleaseExpired per expired release, and the catalog's list holds the newest only.
        Assert.Equal(
            [("DataMesh.ReleaseExpired", "finance.ledger-emea/1.2.0/1"), ("DataMesh.ReleaseExpired", "finance.ledger-emea/1.2.0/2")],
            events.Sent.Select(e => (e.Type, e.Subject!)).Order());
        var reader = new CatalogReader(storage);
        Assert.Equal([3], (await reader.GetReleasesAsync("finance.ledger-emea")).Select(r => r.Release));
        Assert.Equal(3, (await reader.GetProductAsync("finance.ledger-emea"))!.LatestRelease);
    }

    [Fact]
    public async Task CompactedAsync_CompactionRelease_IsAnnouncedAndTheCatalogRecordsIt()
    {
        // Arrange: release 1 of two small files, in the catalog; compaction writes release 2.
        var storage = azurite.CreateMeshStorage();
        using var chain = new SnapshotChain(storage, "finance", "ledger-emea", "1.2.0");
        await chain.WriteAsync(1, T0, [("part-0.parquet", 0, 10), ("part-1.parquet", 10, 20)], mode: OutputMode.Append);
        var projection = new CatalogProjection(storage);
        await projection.ApplyAsync(ProductEventFactory.CreateProductVersionPublished(SampleEvents.Published(release: 1)));
        var result = await new ReleaseCompactor(storage, new ReleaseCompactionOptions { MinSmallFiles = 2, WorkDirectory = Path.GetTempPath() }, new ManualClock(T0.AddDays(1)))
            .CompactAsync("finance", "ledger-emea", "1.2.0", OutputMode.Append);
        Assert.Equal(CompactionStatus.Compacted, result.Status);

        // Act
        var announced = await ReleaseAnnouncements.CompactedAsync(storage, MaintainedReleases.Spec("finance", "ledger-emea", "1.2.0"), result);
        await projection.ApplyAsync(announced);

        // Assert: a ProductVersionPublished of release 2 with the snapshot's rows; the catalog lists it as the latest.
        Assert.Equal(("DataMesh.ProductVersionPublished", "finance.ledger-emea/1.2.0/2"), (announced.Type, announced.Subject));
        var reader = new CatalogReader(storage);
        Assert.Equal([1, 2], (await reader.GetReleasesAsync("finance.ledger-emea")).Select(r => r.Release).Order());
        var product = await reader.GetProductAsync("finance.ledger-emea");
        Assert.Equal((2, 20L), (product!.LatestRelease, (await reader.GetReleasesAsync("finance.ledger-emea")).Single(r => r.Release == 2).Rows));
    }

    [Fact]
    public async Task GetReleaseRows_ExpiredRelease_Answers410NamingTheRetention()
    {
        // Arrange
        var storage = azurite.CreateMeshStorage();
        using var chain = new SnapshotChain(storage, "finance", "ledger-emea");
        await chain.WriteAsync(1, T0, [("part-0.parquet", 0, 3)], mode: OutputMode.Replace);
        await chain.WriteAsync(2, T0, [("part-0.parquet", 3, 6)], mode: OutputMode.Replace);
        await new ReleaseRetention(storage, new ReleaseRetentionOptions { ReaderCacheDirectories = [] }, new ManualClock(T0))
            .SweepAsync("finance", "ledger-emea", new RetentionSpec { Releases = 1 });
        var cache = Directory.CreateTempSubdirectory("dm-expired-api-");
        try
        {
            var api = new CatalogHttpApi(
                new CatalogReader(storage),
                releases: new ReleaseReader(storage, cache.FullName),
                access: (id, _) => Task.FromResult<ReleaseAccess?>(new ReleaseAccess("finance", "public", [], null)));

            // Act
            var expired = await api.HandleAsync("GET", "/api/products/finance.ledger-emea/releases/1.0.0/1/rows", "", DataReader.Anonymous);
            var retained = await api.HandleAsync("GET", "/api/products/finance.ledger-emea/releases/1.0.0/2/rows", "", DataReader.Anonymous);
            var openApi = await api.HandleAsync("GET", "/api/openapi.json", "", DataReader.Anonymous);

            // Assert
            Assert.Equal(410, expired.StatusCode);
            Assert.Contains("release-expired", expired.Body, StringComparison.Ordinal);
            Assert.Contains("output.retention { releases: 1 }", expired.Body, StringComparison.Ordinal);
            Assert.Equal(200, retained.StatusCode);
            using var document = System.Text.Json.JsonDocument.Parse(openApi.Body);
            var paths = document.RootElement.GetProperty("paths");
            Assert.All(
                new[] { "rows", "files" },
                route => Assert.True(paths.GetProperty($"/api/products/{{id}}/releases/{{version}}/{{release}}/{route}").GetProperty("get").GetProperty("responses").TryGetProperty("410", out _)));
        }
        finally
        {
            cache.Delete(recursive: true);
        }
    }
}
