using DataMesh.Publishing;
using DataMesh.Testing;
using Semver;

namespace DataMesh.Core.Tests.Publishing;

/// <summary>Finding the newest release of a product on Azurite, among versions, claims without manifests and partitions.</summary>
[Collection("azurite")]
public sealed class ReleaseStoreTests(AzuriteFixture azurite)
{
    private const string ProductId = "sales.orders";

    [Fact]
    public async Task LatestRelease_ClaimsWithoutManifestAndFilteredVersions_AreSkipped()
    {
        // Arrange: 1.0.0 #1-#3 (#3 partitioned); 1.2.0 #1, #2 claimed but never published; 1.10.0 only claimed; 2.0.0 #1.
        var storage = azurite.CreateMeshStorage();
        var file = TestRelease.ParquetLike(64);
        foreach (var release in new[] { 1, 2 })
        {
            await TestRelease.WriteAsync(storage, ProductId, "1.0.0", release, [("part-00000.parquet", file)]);
        }

        await TestRelease.WriteAsync(storage, ProductId, "1.0.0", 3, [("region=EU/part-0.parquet", file), ("region=US/part-0.parquet", file)]);
        await TestRelease.WriteAsync(storage, ProductId, "1.2.0", 1, [("part-00000.parquet", file)]);
        await TestRelease.WriteAsync(storage, ProductId, "2.0.0", 1, [("part-00000.parquet", file)]);
        var store = new ReleaseStore(storage.Products("sales"));
        Assert.Equal(2, await store.ClaimReleaseAsync("orders", "1.2.0", "run-in-flight"));
        Assert.Equal(1, await store.ClaimReleaseAsync("orders", "1.10.0", "run-in-flight-too"));

        // Act
        var newest = await store.LatestReleaseAsync("orders", _ => true);
        var major1 = await store.LatestReleaseAsync("orders", v => v.Major == 1);
        var upTo1_1 = await store.LatestReleaseAsync("orders", v => v.ComparePrecedenceTo(SemVersion.Parse("1.1.0", SemVersionStyles.Strict)) <= 0);
        var none = await store.LatestReleaseAsync("orders", v => v.Major == 3);
        var otherProduct = await store.LatestReleaseAsync("order", _ => true);

        // Assert: 1.10.0 sorts above 1.2.0 as a version, but has no release yet.
        Assert.Equal(("2.0.0", 1, "orders/2.0.0/1/"), newest);
        Assert.Equal(("1.2.0", 1, "orders/1.2.0/1/"), major1);
        Assert.Equal(("1.0.0", 3, "orders/1.0.0/3/"), upTo1_1);
        Assert.Null(none);
        Assert.Null(otherProduct);
    }
}
