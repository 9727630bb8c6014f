using DataMesh.Local;
using DataMesh.Pipeline;
using DataMesh.Publishing;
using DataMesh.Testing;

namespace DataMesh.EndToEnd.Tests;

/// <summary>
/// A backfill of a <c>partitions</c>-mode product fans out one transform activity per partition on the real Durable
/// engine, then gates and publishes once; the transform is fixed between the first publishes and the backfill (the
/// reason one backfills), so the rebuilt partitions show it and the others do not.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class BackfillFanOutTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private const string Columns = "order_id, customer, amount, status";

    /// <summary>The fix: every amount one more than before (the contract is unchanged).</summary>
    private const string FixedSql = """
        SELECT order_id, customer, CAST(amount + 1 AS DECIMAL(18,2)) AS amount, status
        FROM orders
        WHERE status <> 'cancelled'
        """;

    private readonly TestProduct _product = new("fan" + Guid.NewGuid().ToString("N")[..6], "orders-by-customer", output: "{ contract: contract.odcs.yaml, mode: partitions, partitionBy: [customer] }");
    private readonly string _namespace = AzuriteFixture.CreateNamespace();
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
    public async Task Backfill_ManyPartitions_OneTransformPerPartitionAndOneReleaseChangingOnlyThem()
    {
        // Arrange: six files, one customer each, published one by one; then the transform is fixed.
        await PublishCustomersAsync(6);
        var store = Store();
        var before = await SnapshotRows.ReadAsync(store, _product.Name, "1.0.0", 6, Columns);
        await RestartWithAsync(FixedSql);

        // Act
        var (plan, result) = await _mesh!.BackfillAsync(_product.Id, new BackfillRange { Partitions = ["customer=c2", "customer=c3", "customer=c5"] });

        // Assert: one transform activity per partition, one quality gate, one publish, one release.
        Assert.True(result!.Status == PipelineStatus.Published, result.Error);
        Assert.Equal(["customer=c2", "customer=c3", "customer=c5"], plan.Request!.Parts.Select(p => p.Describe()));
        Assert.Equal(["customer=c2", "customer=c3", "customer=c5"], result.Stages.Where(s => s.Stage == "transform").Select(s => s.Part).Order(StringComparer.Ordinal));
        Assert.Single(result.Stages, s => s.Stage == "quality");
        Assert.Single(result.Stages, s => s.Stage == "publish");
        Assert.Equal([1, 2, 3, 4, 5, 6, 7], await store.ListReleasesAsync(_product.Name, "1.0.0"));

        // Exactly the expected rows: the three partitions rebuilt with the fix, the other three as they were.
        var expected = before.Select(line => line.Split('|') is var c && c[1] is "c2" or "c3" or "c5" ? $"{c[0]}|{c[1]}|{decimal.Parse(c[2], System.Globalization.CultureInfo.InvariantCulture) + 1:0.00}|{c[3]}" : line)
            .Order(StringComparer.Ordinal).ToList();
        Assert.NotEqual(before, expected);
        Assert.Equal(expected, await SnapshotRows.ReadAsync(store, _product.Name, "1.0.0", 7, Columns));
        var manifest = (await store.ReadManifestAsync(ReleaseStore.Folder(_product.Name, "1.0.0", 7)))!;
        Assert.Equal(["customer=c2", "customer=c3", "customer=c5"], manifest.Changes!.Partitions);
        Assert.All(manifest.Files.Where(f => f.Release is not null), f => Assert.DoesNotMatch("customer=c[235]/", f.Path));
        Assert.Equal(3, manifest.Files.Count(f => f.Release is null));
    }

    [Fact]
    public async Task Backfill_OnePartitionFails_NoReleasePreviousSnapshotByteIdenticalErrorNamesThePartition()
    {
        // Arrange: the new transform cannot rebuild customer c3.
        await PublishCustomersAsync(5);
        var blobs = await ProductBlobsAsync();
        await RestartWithAsync(FixedSql.Replace("CAST(amount + 1 AS DECIMAL(18,2))", "CASE WHEN customer = 'c3' THEN error('no exchange rate for c3') ELSE CAST(amount + 1 AS DECIMAL(18,2)) END", StringComparison.Ordinal));

        // Act
        var (plan, result) = await _mesh!.BackfillAsync(_product.Id, new BackfillRange());

        // Assert: the run failed at the transform naming the partition; every blob of the product is as it was.
        Assert.Equal(5, plan.Request!.Parts.Count);
        Assert.Equal(PipelineStatus.Failed, result!.Status);
        Assert.Equal("transform", result.Stage);
        Assert.StartsWith("partition customer=c3: ", result.Error, StringComparison.Ordinal);
        Assert.Contains("no exchange rate for c3", result.Error, StringComparison.Ordinal);
        Assert.Null(result.Release);
        Assert.Equal(blobs, await ProductBlobsAsync());
        Assert.Empty(result.Quarantined);
        Assert.True(await _mesh.Storage.Archive(_product.Domain).GetBlobClient("orders/c3.csv").ExistsAsync());
    }

    [Fact]
    public async Task Backfill_Twice_SameSnapshotRows()
    {
        // Arrange
        await PublishCustomersAsync(4);
        await RestartWithAsync(FixedSql);
        var store = Store();

        // Act
        var (_, first) = await _mesh!.BackfillAsync(_product.Id, new BackfillRange());
        var (_, second) = await _mesh.BackfillAsync(_product.Id, new BackfillRange());

        // Assert: two releases, the same row set, every partition rebuilt by the fix.
        Assert.True(first!.Status == PipelineStatus.Published, first.Error);
        Assert.True(second!.Status == PipelineStatus.Published, second.Error);
        Assert.Equal(4, first.Stages.Count(s => s.Stage == "transform"));
        var rows5 = await SnapshotRows.ReadAsync(store, _product.Name, "1.0.0", 5, Columns);
        Assert.Equal(rows5, await SnapshotRows.ReadAsync(store, _product.Name, "1.0.0", 6, Columns));
        Assert.Equal(["1|c1|2.00|open", "2|c2|3.00|open", "3|c3|4.00|open", "4|c4|5.00|open"], rows5);
    }

    /// <summary>Publishes files c1.csv .. cN.csv, one customer (partition) each, one run each.</summary>
    private async Task PublishCustomersAsync(int count)
    {
        _mesh = await StartAsync();
        for (var i = 1; i <= count; i++)
        {
            var path = Path.Combine(_product.Root, $"c{i}.csv");
            await File.WriteAllTextAsync(path, $"order_id,customer,amount,status\n{i},c{i},{i}.00,open\n");
            var result = await _mesh.RunAsync(_product.Id, [path]);
            Assert.True(result.Status == PipelineStatus.Published, $"c{i}.csv: {result.Status} {result.Error}");
        }
    }

    /// <summary>Stops the mesh, rewrites the product's SQL and starts it again on the same storage (a fixed transform).</summary>
    private async Task RestartWithAsync(string sql)
    {
        await _mesh!.DisposeAsync();
        await File.WriteAllTextAsync(Path.Combine(_product.Directory, "transform.sql"), sql);
        _mesh = await StartAsync();
    }

    private Task<LocalMesh> StartAsync() => _product.StartMeshAsync(azurite, o => o.Namespace = _namespace);

    private ReleaseStore Store() => new(_mesh!.Storage.Products(_product.Domain));

    /// <summary>Every blob of the product's releases with its content hash: equal lists, byte-identical releases.</summary>
    private async Task<List<string>> ProductBlobsAsync()
    {
        var blobs = new List<string>();
        await foreach (var blob in Store().Container.GetBlobsAsync(new Azure.Storage.Blobs.Models.GetBlobsOptions { Prefix = _product.Name + "/" }))
        {
            blobs.Add($"{blob.Name} {blob.Properties.ETag} {Convert.ToHexString(blob.Properties.ContentHash ?? [])} {blob.Properties.ContentLength}");
        }

        return blobs;
    }
}
