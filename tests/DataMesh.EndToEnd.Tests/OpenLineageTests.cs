using DataMesh.Lineage;
using DataMesh.Local;
using DataMesh.Pipeline;
using DataMesh.Testing;

namespace DataMesh.EndToEnd.Tests;

/// <summary>Each run emits OpenLineage START and COMPLETE/FAIL: posted to the configured endpoint and stored with the run in the catalog.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class OpenLineageTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private readonly TestProduct _product = new("olx" + Guid.NewGuid().ToString("N")[..6]);
    private readonly OpenLineageReceiver _receiver = new();
    private LocalMesh? _mesh;

    public async Task InitializeAsync()
    {
        _mesh = await _product.StartMeshAsync(azurite, options => options.OpenLineageEndpoint = _receiver.Endpoint);
    }

    public async Task DisposeAsync()
    {
        if (_mesh is not null)
        {
            await _mesh.DisposeAsync();
        }

        _receiver.Dispose();
        _product.Dispose();
    }

    [Fact]
    public async Task Run_Published_PostsStartThenCompleteAndTheCatalogStoresBoth()
    {
        // Act
        var result = await _mesh!.RunAsync(_product.Id, [_product.WriteOrders("orders.csv", 10)]);

        // Assert: posted as the run went, one run id (the instance id as a UUID), job = the product.
        Assert.Equal(PipelineStatus.Published, result.Status);
        var posted = await _receiver.WaitForEventsAsync(2);
        Assert.Equal(["START", "COMPLETE"], posted.Select(e => (string?)e["eventType"]));
        var runId = OpenLineageRunEvents.RunUuid(result.RunId).ToString();
        Assert.All(posted, e => Assert.Equal(runId, (string?)e["run"]!["runId"]));
        Assert.All(posted, e => Assert.Equal(_product.Id, (string?)e["job"]!["name"]));
        Assert.Equal("orders/orders.csv", (string?)posted[1]["inputs"]![0]!["name"]);
        Assert.Equal(result.Rows, (long?)posted[1]["outputs"]![0]!["outputFacets"]!["outputStatistics"]!["rowCount"]);
        var columnLineage = posted[1]["outputs"]![0]!["facets"]!["columnLineage"]!;
        Assert.Equal("orders/orders.csv", (string?)columnLineage["fields"]!["amount"]!["inputFields"]![0]!["name"]);
        Assert.Equal("TRANSFORMATION", (string?)columnLineage["fields"]!["amount"]!["inputFields"]![0]!["transformations"]![0]!["subtype"]);
        Assert.Equal("status", (string?)columnLineage["dataset"]![0]!["field"]);

        // The catalog's run holds the same two events.
        var run = Assert.Single(await _mesh.Catalog.GetRunsAsync(_product.Id));
        Assert.Equal(posted.Select(e => e.ToJsonString()), run.OpenLineage.Select(e => e.ToJsonString()));
    }

    [Fact]
    public async Task Run_QualityFailed_PostsFailWithTheReason()
    {
        // Act: a status outside the contract's valid values fails the gate.
        var result = await _mesh!.RunAsync(_product.Id, [_product.WriteOrders("orders-bad.csv", 10, "99,x,1.00,lost")]);

        // Assert
        Assert.Equal(PipelineStatus.QualityFailed, result.Status);
        var end = (await _receiver.WaitForEventsAsync(2))[^1];
        Assert.Equal("FAIL", (string?)end["eventType"]);
        Assert.Contains("quality gate failed", (string?)end["run"]!["facets"]!["errorMessage"]!["message"], StringComparison.Ordinal);
        var run = Assert.Single(await _mesh.Catalog.GetRunsAsync(_product.Id));
        Assert.Equal(["START", "FAIL"], run.OpenLineage.Select(e => (string?)e["eventType"]));
    }
}
