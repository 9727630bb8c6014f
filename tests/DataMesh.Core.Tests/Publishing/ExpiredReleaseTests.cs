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
        var storage = azurite.CreateStorage();
        using var chain = new SnapshotChain(storage, "finance", "ledger-emea", "1.2.0");
        var projection = new CatalogProjection(storage);
        for (var release = 1; release <= 3; release++)
        {
            await chain.WriteAsync(release, T0, [("part-0.parquet", release, release + 1)], mode: OutputMode.Replace);
            await projection.ApplyAsync(ProductEventFactory.CreateProductVersionPublished(SampleEvents.Published(release: release)));
        }

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
    public async Task GetReleaseRows_ExpiredRelease_Answers410NamingTheRetention()
    {
        // Arrange
        var storage = azurite.CreateStorage();
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
