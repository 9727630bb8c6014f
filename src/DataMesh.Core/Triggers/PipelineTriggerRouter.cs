using DataMesh.Events;
using DataMesh.Pipeline;
using DataMesh.Storage;

namespace DataMesh.Triggers;

/// <summary>
/// Routes one message of the <c>pipeline-triggers</c> queue, whichever schema it carries: an Event Grid
/// <c>BlobCreated</c> (a landing arrival, <see cref="BlobCreatedRouter"/>) or a CloudEvent from the mesh topic (an
/// upstream release, <see cref="UpstreamRouter"/>); a <c>BlobCreated</c> may come in either schema. Raw and Base64
/// bodies are both accepted. The same code serves the Functions queue trigger (routing its one domain) and the local
/// mesh (every domain).
/// </summary>
public sealed class PipelineTriggerRouter(IProductRegistry products, MeshStorage storage, string? domain = null)
{
    private readonly BlobCreatedRouter _blobs = new(products, storage, domain);
    private readonly UpstreamRouter _upstream = new(products, storage, domain);

    /// <summary>The runs the message starts (or why it starts none).</summary>
    /// <exception cref="FormatException">The body is not an event of either schema: let it reach the poison queue.</exception>
    public async Task<IReadOnlyList<TriggerRoute>> RouteAsync(string queueMessageBody, CancellationToken cancellationToken = default)
    {
        var json = CloudEventDelivery.DecodeJson(queueMessageBody).ToString();
        if (!json.Contains("\"specversion\"", StringComparison.Ordinal))
        {
            return [_blobs.Route(queueMessageBody)];
        }

        // A CloudEvent: a blob arrival delivered in the CloudEvents schema, or a product event from the mesh topic.
        var cloudEvent = CloudEventDelivery.Parse(queueMessageBody);
        return cloudEvent.Type == Azure.Messaging.EventGrid.SystemEventNames.StorageBlobCreated
            ? [_blobs.Route(cloudEvent)]
            : await _upstream.RouteAsync(cloudEvent, cancellationToken).ConfigureAwait(false);
    }
}
