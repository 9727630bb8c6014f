using DataMesh.Local;
using DataMesh.Pipeline;
using DataMesh.Testing;

namespace DataMesh.EndToEnd.Tests;

/// <summary>The freshness check: one <c>FreshnessBreached</c> per breach, and the catalog's fresh/stale status.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class FreshnessTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private readonly TestProduct _product = new("frs" + Guid.NewGuid().ToString("N")[..6]);
    private LocalMesh? _mesh;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_mesh is not null)
        {
            await _mesh.DisposeAsync();
        }

        _product.Dispose();
    }

    [Fact]
    public async Task CheckFreshness_NewestReleaseOlderThanSla_AnnouncesOnceAndCatalogShowsStaleUntilANewRelease()
    {
        _mesh = await _product.StartMeshAsync(azurite, options => options.Namespace = AzuriteFixture.CreateNamespace());
        Assert.Equal(PipelineStatus.Published, (await _mesh.RunAsync(_product.Id, [_product.WriteOrders("o1.csv", rows: 5)])).Status);
        var published = (await _mesh.Catalog.GetProductAsync(_product.Id))!.PublishedAt!.Value;

        // The SLA is PT24H: an hour later nothing happens; 25 hours later one breach, and only one however often we look.
        Assert.Empty(await _mesh.CheckFreshnessAsync(new FixedTime(published.AddHours(1))));
        var breach = Assert.Single(await _mesh.CheckFreshnessAsync(new FixedTime(published.AddHours(25))));
        Assert.Empty(await _mesh.CheckFreshnessAsync(new FixedTime(published.AddHours(26))));

        Assert.Equal((_product.Id, "P1D", 1), (breach.ProductId, breach.Freshness, breach.LatestRelease));
        var product = (await _mesh.Catalog.GetProductAsync(_product.Id))!;
        Assert.Equal("stale", product.FreshnessStatusAt(published.AddHours(25)));
        Assert.Equal("fresh", product.FreshnessStatusAt(published.AddHours(1)));

        // A new release is a new promise: when it goes stale in turn, that is a new breach.
        Assert.Equal(PipelineStatus.Published, (await _mesh.RunAsync(_product.Id, [_product.WriteOrders("o2.csv", rows: 5)])).Status);
        var republished = (await _mesh.Catalog.GetProductAsync(_product.Id))!.PublishedAt!.Value;
        Assert.Equal(2, Assert.Single(await _mesh.CheckFreshnessAsync(new FixedTime(republished.AddDays(2)))).LatestRelease);
    }

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
