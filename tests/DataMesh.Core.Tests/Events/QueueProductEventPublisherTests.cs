using DataMesh.Events;
using DataMesh.Testing;

namespace DataMesh.Core.Tests.Events;

[Collection("azurite")]
public sealed class QueueProductEventPublisherTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task PublishAsync_SeveralSubscriberQueues_CreatesEachAndDeliversTheSameEvent()
    {
        // Arrange
        var storage = azurite.CreateMeshStorage();
        var queues = new[] { storage.Queue("catalog-events"), storage.Queue("pipeline-triggers") };
        var publisher = new QueueProductEventPublisher(queues);
        var cloudEvent = ProductEventFactory.CreateProductVersionPublished(SampleEvents.Published(release: 3));

        // Act
        await publisher.PublishAsync(cloudEvent);
        await publisher.PublishAsync(cloudEvent);

        // Assert
        foreach (var queue in queues)
        {
            var messages = (await queue.ReceiveMessagesAsync(maxMessages: 10)).Value;
            Assert.Equal(2, messages.Length);
            var delivered = CloudEventDelivery.Parse(messages[0].Body.ToString());
            Assert.Equal((cloudEvent.Id, cloudEvent.Source, cloudEvent.Type, cloudEvent.Subject), (delivered.Id, delivered.Source, delivered.Type, delivered.Subject));
        }
    }

    [Fact]
    public void Constructor_NoQueues_ThrowsArgumentException()
    {
        // Act and Assert
        Assert.Throws<ArgumentException>(() => new QueueProductEventPublisher([]));
    }
}
