using System.Text.Json;
using DataMesh.Events;
using DataMesh.Local;
using DataMesh.Pipeline;
using DataMesh.Publishing;
using DataMesh.Storage;
using DataMesh.Testing;

namespace DataMesh.EndToEnd.Tests;

/// <summary>
/// The local host's trigger loop against a storage failure in one trigger: the failing trigger is logged and kept
/// for a later pass (backed off), every other trigger of the pass still starts its run, and the pass does not throw.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class TriggerFailureTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private readonly TestMeshHost _host = new(azurite);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task ProcessTriggersAsync_StorageFailsForOneTrigger_OtherTriggersStillStartAndTheFailedOneStaysQueued()
    {
        // Arrange: a consumer in another domain reads a source and has a landing input of its own; its landing
        // container is gone, so routing the source's release (which lists it) fails in storage (404).
        var prefix = "trg" + Guid.NewGuid().ToString("N")[..5];
        var source = Add(new TestProduct(prefix + "a", "source"));
        var consumer = Add(new TestProduct(prefix + "b", "consumer", "SELECT order_id, customer, amount, status FROM orders", TestProduct.DefaultContract,
            TestProduct.DefaultInputs + $"\n  - name: src\n    product: {source.Id}\n    versions: ^1"));
        var other = Add(new TestProduct(prefix + "c", "other"));
        var mesh = await StartAsync();
        var published = await mesh.RunAsync(source.Id, [source.WriteOrders("o.csv", rows: 10)]);
        Assert.Equal(PipelineStatus.Published, published.Status);
        await mesh.Storage.Landing(consumer.Domain).DeleteAsync();
        var container = mesh.Storage.Products(source.Domain);
        var release = ProductEventFactory.CreateProductVersionPublished(new ProductVersionPublishedData
        {
            ProductId = source.Id,
            Domain = source.Domain,
            Name = source.Name,
            Version = published.Version,
            Release = published.Release!.Value,
            RunId = published.RunId,
            Location = $"{container.Uri.AbsoluteUri}/{ReleaseStore.Folder(source.Name, published.Version, published.Release!.Value)}",
            Rows = published.Rows ?? 0,
            SchemaHash = "00",
            Quality = new QualitySummary(true, 1, []),
            PublishedAt = DateTimeOffset.UtcNow,
        });
        var triggers = mesh.Storage.Queue(MeshStorage.PipelineTriggersQueue);
        await triggers.SendMessageAsync(JsonSerializer.Serialize(release));
        await mesh.DropAsync(other.Id, [other.WriteOrders("x.csv", rows: 5)]);

        // Act
        IReadOnlyList<string> started = [];
        var error = await Record.ExceptionAsync(async () => started = await mesh.ProcessTriggersAsync());

        // Assert: the pass went on past the failure; the failed trigger waits (hidden) for a later pass.
        Assert.Null(error);
        Assert.Single(started);
        Assert.Equal(1, (await triggers.GetPropertiesAsync()).Value.ApproximateMessagesCount);
    }

    private TestProduct Add(TestProduct product)
    {
        _host.Add(product.Directory, product.Root, product);
        return product;
    }

    private Task<LocalMesh> StartAsync() => _host.StartAsync();
}
