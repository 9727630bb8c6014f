using DataMesh.Local;
using DataMesh.Pipeline;
using DataMesh.Publishing;
using DataMesh.Testing;

namespace DataMesh.EndToEnd.Tests;

/// <summary>Products that read other products: upstream releases trigger their consumers, lineage names exact releases.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class SubscriptionTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private const string RollUpContract = """
        apiVersion: v3.1.0
        kind: DataContract
        id: urn:test:rollup
        version: 1.0.0
        schema:
          - name: rollup
            properties:
              - { name: region, logicalType: string, required: true, unique: true }
              - { name: orders, physicalType: bigint, required: true }
            quality:
              - { metric: rowCount, mustBe: 3 }
        """;

    private readonly TestMeshHost _host = new(azurite);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Publish_AllThreeRegions_RollUpRebuildsFromTheExactReleasesAndAgainOnARepublish()
    {
        var domain = "fin" + Guid.NewGuid().ToString("N")[..6];
        var regions = new[] { "region-a", "region-b", "region-c" }.Select(n => Add(new TestProduct(domain, n))).ToArray();
        var inputs = string.Join("\n", regions.Select((r, i) => $"  - name: r{i}\n    product: {r.Id}\n    versions: ^1"));
        var rollUp = Add(new TestProduct(domain, "rollup",
            "SELECT 'a' AS region, count(*) AS orders FROM r0 UNION ALL SELECT 'b', count(*) FROM r1 UNION ALL SELECT 'c', count(*) FROM r2",
            RollUpContract, inputs));
        var mesh = await StartAsync();

        // Two regions published: the roll-up waits for the third.
        await PublishAsync(mesh, regions[0], rows: 10);
        await PublishAsync(mesh, regions[1], rows: 20);
        Assert.Empty(await mesh.SettleAsync());

        await PublishAsync(mesh, regions[2], rows: 30);
        var first = Assert.Single(await mesh.SettleAsync());

        Assert.Equal((PipelineStatus.Published, 1), (first.Status, first.Release));
        var store = new ReleaseStore(mesh.Storage.Products(domain));
        var lineage = (await store.ReadManifestAsync(ReleaseStore.Folder(rollUp.Name, "1.0.0", 1)))!.Lineage.Upstream;
        Assert.Equal(regions.Select(r => new UpstreamRelease(r.Id, "1.0.0", 1)).ToList(), lineage.OrderBy(u => u.ProductId, StringComparer.Ordinal).ToList());

        // Region b publishes release 2: the roll-up is rebuilt as release 2, reading b#2 and the others' release 1.
        await PublishAsync(mesh, regions[1], rows: 25);
        var second = Assert.Single(await mesh.SettleAsync());

        Assert.Equal(2, second.Release);
        var lineage2 = (await store.ReadManifestAsync(ReleaseStore.Folder(rollUp.Name, "1.0.0", 2)))!.Lineage.Upstream;
        Assert.Contains(new UpstreamRelease(regions[1].Id, "1.0.0", 2), lineage2);
        Assert.Equal(1, await ReleaseReader.CountRowsAsync(store.Container, rollUp.Name, "1.0.0", 2, $"region = 'b' AND orders = {TestProduct.ExpectedRows(25)}"));
        var catalog = await mesh.Catalog.GetReleasesAsync(rollUp.Id);
        Assert.Equal(3, catalog[0].Upstream.Count);
    }

    [Fact]
    public async Task Publish_NewMajorUpstream_DoesNotTriggerAConsumerPinnedToTheOldMajor()
    {
        var domain = "fin" + Guid.NewGuid().ToString("N")[..6];
        var source = Add(new TestProduct(domain, "source"));
        var consumer = Add(new TestProduct(domain, "consumer", "SELECT order_id, customer, amount, status FROM src", TestProduct.DefaultContract,
            $"  - name: src\n    product: {source.Id}\n    versions: ^1"));
        var mesh = await StartAsync();
        await PublishAsync(mesh, source, rows: 10);
        Assert.Equal(PipelineStatus.Published, Assert.Single(await mesh.SettleAsync()).Status);

        // The source moves to 2.0.0 (a new major): the consumer reads ^1 and must not rebuild.
        foreach (var file in new[] { "product.yaml", "contract.odcs.yaml" })
        {
            var path = Path.Combine(source.Directory, file);
            File.WriteAllText(path, File.ReadAllText(path).Replace("version: 1.0.0", "version: 2.0.0", StringComparison.Ordinal));
        }

        mesh.Products.Add(DataMesh.Specs.ProductSpecLoader.Load(source.Directory));
        await PublishAsync(mesh, source, rows: 12);

        Assert.Empty(await mesh.SettleAsync());
        Assert.Equal([1], await new ReleaseStore(mesh.Storage.Products(domain)).ListReleasesAsync(consumer.Name, "1.0.0"));
    }

    [Fact]
    public async Task Drop_LandingBeforeItsUpstreamHasARelease_KeepsTheFileAndBuildsOnTheUpstreamsFirstRelease()
    {
        var domain = "fin" + Guid.NewGuid().ToString("N")[..6];
        var source = Add(new TestProduct(domain, "source"));
        var enriched = Add(new TestProduct(domain, "enriched",
            "SELECT o.order_id, o.customer, o.amount, o.status FROM orders o JOIN src s USING (order_id)", TestProduct.DefaultContract,
            TestProduct.DefaultInputs.Replace("path: orders/", "path: enriched/", StringComparison.Ordinal) + $"\n  - name: src\n    product: {source.Id}\n    versions: ^1"));
        var mesh = await StartAsync();

        // The consumer's own landing file arrives first: the run cannot read its upstream yet, and the file is kept.
        var early = await mesh.RunAsync(enriched.Id, [enriched.WriteOrders("orders-early.csv", rows: 10)]);

        Assert.Equal((PipelineStatus.Failed, "ingest"), (early.Status, early.Stage));
        Assert.Contains("no published release in that range yet", early.Error, StringComparison.Ordinal);
        Assert.Empty(early.Quarantined);
        var landing = mesh.Storage.Landing(domain);
        Assert.True(await landing.GetBlobClient("enriched/orders-early.csv").ExistsAsync());

        // The upstream's first release rebuilds the consumer from the landing file it kept.
        await PublishAsync(mesh, source, rows: 10);
        var rebuilt = Assert.Single(await mesh.SettleAsync());

        Assert.Equal((PipelineStatus.Published, 1), (rebuilt.Status, rebuilt.Release));
        var manifest = await new ReleaseStore(mesh.Storage.Products(domain)).ReadManifestAsync(ReleaseStore.Folder(enriched.Name, "1.0.0", 1));
        Assert.Equal("enriched/orders-early.csv", Assert.Single(manifest!.Lineage.Landing).Name);
    }

    private static async Task PublishAsync(LocalMesh mesh, TestProduct product, int rows)
    {
        var result = await mesh.RunAsync(product.Id, [product.WriteOrders($"orders-{Guid.NewGuid():N}.csv", rows)]);
        Assert.True(result.Status == PipelineStatus.Published, result.Error);
    }

    private TestProduct Add(TestProduct product)
    {
        _host.Add(product.Directory, product.Root, product);
        return product;
    }

    private Task<LocalMesh> StartAsync() => _host.StartAsync();
}
