using System.Text.Json;
using Azure.Messaging;
using DataMesh.Catalog;
using DataMesh.Events;
using DataMesh.Local;
using DataMesh.Pipeline;
using DataMesh.Storage;
using DataMesh.Testing;

namespace DataMesh.EndToEnd.Tests;

/// <summary>The catalog in the local host: spec registration, the queue pump's poison path, and the core API over what a real run recorded.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class CatalogLocalHostTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private readonly TestProduct _product = new("cat" + Guid.NewGuid().ToString("N")[..6]);
    private LocalMesh? _mesh;

    public async Task InitializeAsync()
    {
        _mesh = await _product.StartMeshAsync(azurite, options => options.Namespace = AzuriteFixture.CreateNamespace());
    }

    public async Task DisposeAsync()
    {
        if (_mesh is not null)
        {
            await _mesh.DisposeAsync();
        }

        _product.Dispose();
    }

    [Fact]
    public async Task ProcessCatalogEvents_ForgedEventBesideARealRun_PoisonsItWithReasonAndServesTheRealRun()
    {
        // Arrange: a real run, then an event claiming to be this product's release but sent from another domain's source.
        var mesh = _mesh!;
        var result = await mesh.RunAsync(_product.Id, [_product.WriteOrders("o.csv", rows: 8)]);
        Assert.Equal(PipelineStatus.Published, result.Status);
        var forged = new CloudEvent("/domains/elsewhere/products/thief", ProductEventTypes.ProductVersionPublished, BinaryData.FromString("{}"), "application/json", CloudEventDataFormat.Json);
        await mesh.Storage.Queue(MeshStorage.CatalogEventsQueue).SendMessageAsync(JsonSerializer.Serialize(forged));

        // Act
        await mesh.ProcessCatalogEventsAsync();
        var api = new CatalogHttpApi(mesh.Catalog);
        var detail = await api.HandleAsync("GET", $"/api/products/{_product.Id}", "");
        var quality = await api.HandleAsync("GET", $"/api/products/{_product.Id}/quality", "");

        // Assert
        var poisoned = Assert.Single((await mesh.Storage.Queue(MeshStorage.CatalogEventsQueue + CatalogEventConsumer.PoisonSuffix).ReceiveMessagesAsync(10)).Value);
        using (var envelope = JsonDocument.Parse(poisoned.Body.ToString()))
        {
            Assert.Contains("/domains/elsewhere/products/thief", envelope.RootElement.GetProperty("reason").GetString(), StringComparison.Ordinal);
        }

        Assert.Equal(200, detail.StatusCode);
        using var body = JsonDocument.Parse(detail.Body);
        Assert.Equal(1, body.RootElement.GetProperty("latestRelease").GetProperty("release").GetInt32());
        var columns = body.RootElement.GetProperty("contract").GetProperty("columns").EnumerateArray().Select(c => c.GetProperty("name").GetString()).ToList();
        Assert.Equal(["order_id", "customer", "amount", "status"], columns);
        using var history = JsonDocument.Parse(quality.Body);
        var run = Assert.Single(history.RootElement.GetProperty("items").EnumerateArray());
        Assert.Equal(result.RunId, run.GetProperty("runId").GetString());
        Assert.True(run.GetProperty("rules").GetArrayLength() > 0);
    }
}
