using Azure.Messaging;

namespace DataMesh.Events;

/// <summary>Announces product events to the mesh: Event Grid in Azure, storage queues on the local mesh.</summary>
public interface IProductEventPublisher
{
    /// <summary>Sends one event. Delivery is at least once: consumers dedupe on <c>source</c> + <c>id</c>.</summary>
    Task PublishAsync(CloudEvent cloudEvent, CancellationToken cancellationToken = default);
}
