using Azure.Messaging;
using DataMesh.Events;

namespace DataMesh.Core.Tests.Publishing;

/// <summary>The topic: records what it accepted; while <see cref="Down"/> it refuses like an unreachable Event Grid topic.</summary>
internal sealed class RecordingPublisher : IProductEventPublisher
{
    public List<CloudEvent> Sent { get; } = [];

    public bool Down { get; set; }

    public Task PublishAsync(CloudEvent cloudEvent, CancellationToken cancellationToken = default)
    {
        if (Down)
        {
            throw new Azure.RequestFailedException(503, "topic unavailable");
        }

        Sent.Add(cloudEvent);
        return Task.CompletedTask;
    }
}
