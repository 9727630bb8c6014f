using DataMesh.Consumption;
using DataMesh.Local;
using DataMesh.Pipeline;
using DataMesh.Publishing;
using DataMesh.Testing;
using DuckDB.NET.Data;

namespace DataMesh.EndToEnd.Tests;

/// <summary>
/// <c>read: changes</c> across two domains with real runs: each upstream release triggers the consumer, whose input
/// holds only the rows changed since the upstream release its newest release was built from (its lineage).
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class ReadChangesTests(AzuriteFixture azurite) : IAsyncLifetime
{
    /// <summary>The default orders contract without its row count: a run with no changes publishes an empty release.</summary>
    private static readonly string ConsumerContract = TestProduct.DefaultContract[..TestProduct.DefaultContract.IndexOf("    quality:\n      - metric: rowCount", StringComparison.Ordinal)];

    private readonly List<TestProduct> _products = [];
    private LocalMesh? _mesh;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_mesh is not null)
        {
            await _mesh.DisposeAsync();
        }

        _products.ForEach(p => p.Dispose());
    }

    [Fact]
    public async Task Publish_UpstreamReleasesTwoToFour_ConsumerReadingChangesReceivesEachRowOnceAndThenNone()
    {
        // Arrange: orders in one domain; a consumer in another reads their changes.
        var source = Add(new TestProduct("src" + Guid.NewGuid().ToString("N")[..6], "orders"));
        var consumer = Add(new TestProduct("dst" + Guid.NewGuid().ToString("N")[..6], "orders-copy", "SELECT order_id, customer, amount, status FROM src", ConsumerContract,
            $"  - name: src\n    product: {source.Id}\n    versions: ^1\n    read: changes"));
        var mesh = await StartAsync();
        var sent = new List<IReadOnlyList<long>>();

        // Act: upstream release 1 builds the consumer's first release (the whole snapshot), then releases 2, 3, 4.
        for (var release = 1; release <= 4; release++)
        {
            var result = await mesh.RunAsync(source.Id, [source.WriteOrders($"orders-{release}.csv", 10, idOffset: release * 100)]);
            Assert.True(result.Status == PipelineStatus.Published, result.Error);
            var rebuilt = Assert.Single(await mesh.SettleAsync());
            Assert.True((rebuilt.Status, rebuilt.Release) == (PipelineStatus.Published, release), rebuilt.Error);
            sent.Add(await OrderIdsAsync(mesh, source.Id, release));
        }

        var nothingNew = await mesh.RunAsync(consumer.Id, []);

        // Assert: each consumer release holds exactly the rows its upstream release added, each row once in all.
        var received = new List<long>();
        for (var release = 1; release <= 4; release++)
        {
            var rows = await OrderIdsAsync(mesh, consumer.Id, release);
            Assert.Equal(sent[release - 1], rows);
            received.AddRange(rows);
        }

        Assert.Equal(received.Count, received.Distinct().Count());
        Assert.True(nothingNew.Status == PipelineStatus.Published, nothingNew.Error);
        Assert.Empty(await OrderIdsAsync(mesh, consumer.Id, 5));
        var store = new ReleaseStore(mesh.Storage.Products(consumer.Domain));
        var fourth = (await store.ReadManifestAsync(ReleaseStore.Folder(consumer.Name, "1.0.0", 4)))!;
        var fifth = (await store.ReadManifestAsync(ReleaseStore.Folder(consumer.Name, "1.0.0", 5)))!;
        Assert.Equal(new UpstreamRelease(source.Id, "1.0.0", 4), Assert.Single(fourth.Lineage.Upstream));
        Assert.Equal("changes of 1.0.0#4 since 1.0.0#3", Assert.Single(fourth.Lineage.Inputs).Read);
        Assert.Equal("changes: none (already built from 1.0.0#4)", Assert.Single(fifth.Lineage.Inputs).Read);
    }

    /// <summary>The order ids of a release, sorted, read as a consumer reads it (through the release cache).</summary>
    private async Task<IReadOnlyList<long>> OrderIdsAsync(LocalMesh mesh, string productId, int release)
    {
        var reader = new DataMesh.Consumption.ReleaseReader(mesh.Storage, Path.Combine(_products[0].Root, "cache"));
        var selected = await reader.SelectAsync(productId, $"1.0.0#{release}") ?? throw new InvalidOperationException($"{productId} has no release {release}.");
        using var local = await reader.EnsureLocalAsync(selected);
        using var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT order_id FROM read_parquet([{string.Join(", ", local.Files.Select(f => $"'{f}'"))}]) ORDER BY order_id";
        using var rows = command.ExecuteReader();
        var ids = new List<long>();
        while (rows.Read())
        {
            ids.Add(Convert.ToInt64(rows.GetValue(0), System.Globalization.CultureInfo.InvariantCulture));
        }

        return ids;
    }

    private TestProduct Add(TestProduct product)
    {
        _products.Add(product);
        return product;
    }

    private async Task<LocalMesh> StartAsync()
    {
        var options = new LocalMeshOptions
        {
            // The run\'s Azurite: each domain in its own account (one account only when DATAMESH_STORAGE chose it).
            Azurite = azurite.Server,
            ConnectionString = azurite.ConnectionString,
            Namespace = AzuriteFixture.CreateNamespace(),
            LoadPipelinesFolder = false,
            StateDirectory = Path.Combine(_products[0].Root, ".datamesh"),
        };
        foreach (var product in _products)
        {
            options.ExtraProductDirectories.Add(product.Directory);
        }

        _mesh = await LocalMesh.StartAsync(options);
        return _mesh;
    }
}
