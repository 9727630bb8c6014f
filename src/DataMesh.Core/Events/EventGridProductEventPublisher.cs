using Azure.Messaging;
using Azure.Messaging.EventGrid;

namespace DataMesh.Events;

/// <summary>Publishes product events to the mesh's Event Grid topic (CloudEvents schema, Entra auth in Azure).</summary>
public sealed class EventGridProductEventPublisher : IProductEventPublisher
{
    private readonly EventGridPublisherClient _client;

    public EventGridProductEventPublisher(EventGridPublisherClient client)
    {
        ArgumentNullException.ThrowIfNull(client);
        _client = client;
    }

    public async Task PublishAsync(CloudEvent cloudEvent, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(cloudEvent);
        await _client.SendEventAsync(cloudEvent, cancellationToken).ConfigureAwait(false);
    }
}
