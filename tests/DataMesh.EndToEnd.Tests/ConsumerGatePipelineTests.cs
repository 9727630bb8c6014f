using DataMesh.Local;
using DataMesh.Pipeline;
using DataMesh.Testing;

namespace DataMesh.EndToEnd.Tests;

/// <summary>The consumer-aware publish gate in a real run on the local mesh: finance.ledger read by sales.summary (>=1.0.0).</summary>
[Collection(AzuriteCollection.Name)]
public sealed class ConsumerGatePipelineTests(AzuriteFixture azurite) : IDisposable
{
    private readonly ConsumerMesh _consumers = new(summaryRange: ">=1.0.0");

    public void Dispose() => _consumers.Dispose();

    [Fact]
    public async Task Run_MajorBumpRemovingAColumnAConsumerInRangeReads_RefusedAtPublishNamingTheConsumer()
    {
        // Arrange: ledger 1.0.0 published.
        var options = new LocalMeshOptions
        {
            // The run\'s Azurite: each domain in its own account (one account only when DATAMESH_STORAGE chose it).
            Azurite = azurite.Server,
            ConnectionString = azurite.ConnectionString,
            Namespace = AzuriteFixture.CreateNamespace(),
            LoadPipelinesFolder = false,
            StateDirectory = Path.Combine(_consumers.Root, ".datamesh"),
        };
        options.ExtraProductDirectories.Add(_consumers.Ledger);
        options.ExtraProductDirectories.Add(_consumers.Summary);
        await using var mesh = await LocalMesh.StartAsync(options);
        var first = await mesh.RunAsync("finance.ledger", [Csv("ledger-1.csv")]);
        Assert.True(first.Status == PipelineStatus.Published, first.Error);

        // 2.0.0 drops amount, which sales.summary reads and whose >=1.0.0 accepts 2.0.0.
        _consumers.RemoveLedgerColumn("amount", "2.0.0");
        mesh.Products.Add(DataMesh.Specs.ProductSpecLoader.Load(_consumers.Ledger));

        // Act
        var result = await mesh.RunAsync("finance.ledger", [Csv("ledger-2.csv")]);

        // Assert
        Assert.Equal(PipelineStatus.Failed, result.Status);
        Assert.Equal("publish", result.Stage);
        Assert.Contains("sales.summary (input gl, versions >=1.0.0) reads 'amount' at ", result.Error, StringComparison.Ordinal);
        Assert.Contains(Path.Combine("summary", "transform.sql") + ":2:8", result.Error, StringComparison.Ordinal);
    }

    private string Csv(string name)
    {
        var path = Path.Combine(_consumers.Root, name);
        File.WriteAllText(path, "entry_id,amount,note,memo\nE1,10.50,first,a\nE2,20.25,second,b\n");
        return path;
    }
}
