using DataMesh.Pipeline;
using DataMesh.Publishing;
using DataMesh.Specs;
using DataMesh.Testing;

namespace DataMesh.Core.Tests.Publishing;

/// <summary>The publish gate refuses a contract that removes or narrows a column a consumer in range reads (<see cref="PublishGate.CheckConsumersAsync"/>).</summary>
[Collection("azurite")]
public sealed class ConsumerGateTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task CheckConsumers_MajorBumpRemovesColumnReadByConsumerInRange_RefusesNamingConsumerColumnAndSql()
    {
        // Arrange: 1.0.0 published; 2.0.0 removes note, which sales.everything (>=1.0.0, SELECT *) reads.
        using var mesh = new ConsumerMesh(selectStar: true);
        var store = await PublishedAsync("1.0.0");
        mesh.RemoveLedgerColumn("note", "2.0.0");
        var products = ProductRegistry.LoadFrom(mesh.Pipelines);

        // Act
        var refused = await Assert.ThrowsAsync<PipelineStageException>(() => PublishGate.CheckConsumersAsync(products.Get("finance.ledger"), products, store));

        // Assert
        Assert.Contains("sales.everything (input gl, versions >=1.0.0) reads 'note'", refused.Message, StringComparison.Ordinal);
        // Where its SQL reads it: the '*' of "SELECT * FROM gl".
        Assert.Contains(Path.Combine("everything", "transform.sql") + ":1:8", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("sales.summary", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckConsumers_RemovedColumnReadWithinMajor_RefusesAtTheConsumersSqlLine()
    {
        // Arrange
        using var mesh = new ConsumerMesh();
        var store = await PublishedAsync("1.0.0");
        mesh.RemoveLedgerColumn("amount", "1.1.0");
        var products = ProductRegistry.LoadFrom(mesh.Pipelines);

        // Act
        var refused = await Assert.ThrowsAsync<PipelineStageException>(() => PublishGate.CheckConsumersAsync(products.Get("finance.ledger"), products, store));

        // Assert
        Assert.Contains("sales.summary (input gl, versions ^1) reads 'amount' at ", refused.Message, StringComparison.Ordinal);
        Assert.Contains(Path.Combine("summary", "transform.sql") + ":2:8", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckConsumers_UnreadColumnRemovedOrConsumerPinned_Passes()
    {
        // Arrange: 2.0.0 removes amount; sales.summary reads it, but through ^1, which stays on 1.0.0.
        using var mesh = new ConsumerMesh();
        var store = await PublishedAsync("1.0.0");
        mesh.RemoveLedgerColumn("amount", "2.0.0");
        var products = ProductRegistry.LoadFrom(mesh.Pipelines);

        // Act and assert: no exception.
        await PublishGate.CheckConsumersAsync(products.Get("finance.ledger"), products, store);
    }

    /// <summary>A store holding finance.ledger <paramref name="version"/>#1 with the mesh's original contract as its snapshot.</summary>
    private async Task<ReleaseStore> PublishedAsync(string version)
    {
        var storage = azurite.CreateMeshStorage();
        await TestRelease.WriteAsync(storage, "finance.ledger", version, 1, [("part-00000.parquet", TestRelease.ParquetLike(64))]);
        var store = new ReleaseStore(storage.Products("finance"));
        await store.Container.GetBlobClient(ReleaseStore.Folder("ledger", version, 1) + PublishGate.ContractSnapshotName)
            .UploadAsync(BinaryData.FromString(ConsumerMesh.LedgerContract));
        return store;
    }
}
