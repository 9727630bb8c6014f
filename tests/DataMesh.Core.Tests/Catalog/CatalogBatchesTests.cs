using Azure.Data.Tables;
using DataMesh.Catalog;
using DataMesh.Testing;

namespace DataMesh.Core.Tests.Catalog;

[Collection("azurite")]
public sealed class CatalogBatchesTests(AzuriteFixture azurite)
{
    [Fact]
    public void Plan_250ActionsInOnePartition_SplitsIntoThreeBatchesOfAtMost100()
    {
        // Arrange
        var actions = Enumerable.Range(0, 250).Select(i => Upsert("p", $"r{i:D3}")).ToList();

        // Act
        var batches = CatalogBatches.Plan(actions);

        // Assert
        Assert.Equal([100, 100, 50], batches.Select(b => b.Count));
        Assert.Equal(actions.Select(a => a.Entity.RowKey), batches.SelectMany(b => b).Select(a => a.Entity.RowKey));
    }

    [Fact]
    public void Plan_ActionsOfManyPartitions_NoBatchSpansTwoPartitions()
    {
        // Arrange
        var actions = Enumerable.Range(0, 30).Select(i => Upsert($"p{i % 3}", $"r{i}")).ToList();

        // Act
        var batches = CatalogBatches.Plan(actions);

        // Assert
        Assert.Equal(3, batches.Count);
        Assert.All(batches, b => Assert.Single(b.Select(a => a.Entity.PartitionKey).Distinct()));
        Assert.Equal(30, batches.Sum(b => b.Count));
    }

    [Fact]
    public void Plan_LargeEntities_EachBatchStaysUnderTheSizeBudget()
    {
        // Arrange: 60 entities of ~120 KB each (four 30,000-character properties): 100 of them would be ~7 MB.
        var text = new string('x', CatalogJson.MaxStringLength);
        var actions = Enumerable.Range(0, 60).Select(i => Upsert("p", $"r{i}", ("A", text), ("B", text), ("C", text), ("D", text))).ToList();

        // Act
        var batches = CatalogBatches.Plan(actions);

        // Assert
        Assert.True(batches.Count >= 3, $"{batches.Count} batches");
        Assert.All(batches, b => Assert.True(b.Sum(a => CatalogBatches.EstimateBytes(a.Entity)) <= CatalogBatches.MaxBytes));
        Assert.Equal(60, batches.Sum(b => b.Count));
    }

    [Fact]
    public void Plan_SameEntityTwice_PutsTheTwoWritesInSeparateBatchesInOrder()
    {
        // Arrange
        var actions = new[] { Upsert("p", "a", ("V", "1")), Upsert("p", "b"), Upsert("p", "a", ("V", "2")) };

        // Act
        var batches = CatalogBatches.Plan(actions);

        // Assert
        Assert.Equal(2, batches.Count);
        Assert.Equal("1", ((TableEntity)batches[0][0].Entity).GetString("V"));
        Assert.Equal("2", ((TableEntity)batches[1][0].Entity).GetString("V"));
    }

    [Fact]
    public async Task SubmitAsync_250Rows_WritesEveryRowInThreeTransactions()
    {
        // Arrange
        var table = azurite.CreateMeshStorage().Table("Batch");
        await table.CreateIfNotExistsAsync();
        var actions = Enumerable.Range(0, 250).Select(i => Upsert("p", $"r{i:D3}")).ToList();

        // Act
        var sent = await CatalogBatches.SubmitAsync(table, actions);

        // Assert
        Assert.Equal(3, sent);
        Assert.Equal(250, await CountAsync(table));
    }

    [Fact]
    public async Task RegisterProductsAsync_250ProductsOfOneDomain_RegistersAllInAtLeastThreeTransactions()
    {
        // Arrange
        var storage = azurite.CreateMeshStorage();
        var projection = new CatalogProjection(storage);
        var registrations = Enumerable.Range(0, 250).Select(i => CatalogProjectionTests.Registration("bench", $"product-{i:D4}", "1.0.0")).ToList();

        // Act
        var sent = await projection.RegisterProductsAsync(registrations);

        // Assert
        Assert.True(sent >= 3, $"{sent} transactions");
        Assert.Equal(250, (await new CatalogReader(storage).ListProductsAsync()).Count);
    }

    internal static async Task<int> CountAsync(TableClient table)
    {
        var count = 0;
        try
        {
            await foreach (var row in table.QueryAsync<TableEntity>(select: ["PartitionKey"]))
            {
                count++;
            }
        }
        catch (Azure.RequestFailedException ex) when (ex.Status == 404)
        {
            // No table: no rows.
        }

        return count;
    }

    private static TableTransactionAction Upsert(string partitionKey, string rowKey, params (string Name, string Value)[] properties)
    {
        var entity = new TableEntity(partitionKey, rowKey);
        foreach (var (name, value) in properties)
        {
            entity[name] = value;
        }

        return new TableTransactionAction(TableTransactionActionType.UpsertReplace, entity);
    }
}
