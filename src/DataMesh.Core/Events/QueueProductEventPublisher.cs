using System.Collections.Concurrent;
using System.Text.Json;
using Azure.Messaging;
using Azure.Storage.Queues;
using DataMesh.Storage;

namespace DataMesh.Events;

/// <summary>
/// The local stand-in for Event Grid subscriptions that deliver to storage queues: sends each event, in
/// CloudEvents structured JSON, to every subscriber queue. The body is sent as the queue clients encode it
/// (raw with <see cref="MeshStorage"/>'s clients); <see cref="CloudEventDelivery"/> reads raw and Base64 alike.
/// </summary>
public sealed class QueueProductEventPublisher : IProductEventPublisher
{
    private readonly IReadOnlyList<QueueClient> _queues;
    private readonly ConcurrentDictionary<Uri, bool> _created = new();

    /// <summary>Delivers to the catalog events queue of <paramref name="storage"/>.</summary>
    public QueueProductEventPublisher(MeshStorage storage)
        : this([(storage ?? throw new ArgumentNullException(nameof(storage))).Queue(MeshStorage.CatalogEventsQueue)])
    {
    }

    /// <summary>Delivers to each of <paramref name="queues"/>, created when missing.</summary>
    public QueueProductEventPublisher(IEnumerable<QueueClient> queues)
    {
        ArgumentNullException.ThrowIfNull(queues);
        _queues = [.. queues];
        if (_queues.Count == 0)
        {
            throw new ArgumentException("At least one subscriber queue is required.", nameof(queues));
        }
    }

    public async Task PublishAsync(CloudEvent cloudEvent, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(cloudEvent);
        var body = JsonSerializer.Serialize(cloudEvent);
        foreach (var queue in _queues)
        {
            if (!_created.ContainsKey(queue.Uri))
            {
                await queue.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
                _created.TryAdd(queue.Uri, true);
            }

            await queue.SendMessageAsync(body, cancellationToken).ConfigureAwait(false);
        }
    }
}
