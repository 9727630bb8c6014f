using Azure.Messaging;
using Azure.Messaging.EventGrid;
using DataMesh.Catalog;

namespace DataMesh.Events;

/// <summary>Publishes product events to the mesh's Event Grid topic (CloudEvents schema, Entra auth in Azure).</summary>
public sealed class EventGridProductEventPublisher : IProductEventPublisher
{
    private readonly EventGridPublisherClient _client;
    private readonly Uri? _dataEndpoint;

    /// <param name="client">The mesh topic's client.</param>
    /// <param name="dataEndpoint">
    /// A domain app's own base URL (<c>https://&lt;WEBSITE_HOSTNAME&gt;/</c>), stamped on every event it sends
    /// (<see cref="ReleaseDataEndpoint"/>) so the hub's catalog can send data requests for its releases there; null
    /// for the hub and the local mesh.
    /// </param>
    public EventGridProductEventPublisher(EventGridPublisherClient client, Uri? dataEndpoint = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        _client = client;
        _dataEndpoint = dataEndpoint;
    }

    public async Task PublishAsync(CloudEvent cloudEvent, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(cloudEvent);
        if (_dataEndpoint is { } endpoint)
        {
            ReleaseDataEndpoint.Stamp(cloudEvent, endpoint);
        }

        await _client.SendEventAsync(cloudEvent, cancellationToken).ConfigureAwait(false);
    }
}
