using Azure.Storage.Queues;
using DataMesh.Catalog;
using DataMesh.Core.Tests.Events;
using DataMesh.Events;
using DataMesh.Storage;
using DataMesh.Testing;

namespace DataMesh.Core.Tests.Catalog;

/// <summary>Publisher → catalog queue → parse → projection → reader: the local path of a product event.</summary>
[Collection("azurite")]
public sealed class CatalogEventDeliveryTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task PublishAsync_ThroughCatalogQueue_ProjectionShowsTheRelease()
    {
        // Arrange
        var storage = azurite.CreateMeshStorage();
        var publisher = new QueueProductEventPublisher(storage);
        var projection = new CatalogProjection(storage);
        var queue = storage.Queue(MeshStorage.CatalogEventsQueue);

        // Act
        await publisher.PublishAsync(ProductEventFactory.CreateProductVersionPublished(SampleEvents.Published(release: 1)));
        await publisher.PublishAsync(ProductEventFactory.CreateQualityCheckFailed(SampleEvents.QualityFailed(runId: "run-q2")));
        var messages = (await queue.ReceiveMessagesAsync(maxMessages: 10)).Value;
        foreach (var message in messages)
        {
            await projection.ApplyAsync(CloudEventDelivery.Parse(message.Body.ToString()));
            await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt);
        }

        // Assert
        Assert.Equal(2, messages.Length);
        Assert.All(messages, m => Assert.StartsWith("{", m.Body.ToString(), StringComparison.Ordinal));
        var reader = new CatalogReader(storage);
        Assert.Equal(1, (await reader.GetProductAsync("finance.ledger-emea"))!.LatestRelease);
        Assert.Equal(
            [CatalogRunStatus.QualityFailed, CatalogRunStatus.Published],
            (await reader.GetRunsAsync("finance.ledger-emea")).Select(r => r.Status));
    }

    [Fact]
    public async Task PublishAsync_QueueClientEncodingBase64_ParseStillReadsTheDelivery()
    {
        // Arrange: Event Grid and the Functions default write Base64 bodies
        var storage = azurite.CreateMeshStorage();
        var name = $"{AzuriteFixture.CreateNamespace()}-catalog-events";
        var base64Queue = new QueueClient(azurite.ConnectionString, name, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
        var rawQueue = storage.Queues.GetQueueClient(name);
        var publisher = new QueueProductEventPublisher([base64Queue]);

        // Act
        await publisher.PublishAsync(ProductEventFactory.CreateProductVersionPublished(SampleEvents.Published(release: 5)));
        var message = (await rawQueue.ReceiveMessageAsync()).Value;
        await new CatalogProjection(storage).ApplyAsync(CloudEventDelivery.Parse(message.Body.ToString()));

        // Assert
        Assert.DoesNotContain("{", message.Body.ToString(), StringComparison.Ordinal);
        Assert.Equal(5, (await new CatalogReader(storage).GetProductAsync("finance.ledger-emea"))!.LatestRelease);
    }
}
