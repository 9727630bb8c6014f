using DataMesh.Events;
using DataMesh.Pipeline;
using DataMesh.Storage;

namespace DataMesh.Triggers;

/// <summary>
/// Routes one message of the <c>pipeline-triggers</c> queue, whichever schema it carries: an Event Grid
/// <c>BlobCreated</c> (a landing arrival, <see cref="BlobCreatedRouter"/>) or a CloudEvent from the mesh topic (an
/// upstream release, <see cref="UpstreamRouter"/>). Raw and Base64 bodies are both accepted. The same code serves the
/// Functions queue trigger and the local mesh.
/// </summary>
public sealed class PipelineTriggerRouter(IProductRegistry products, MeshStorage storage, string? domain = null)
{
    private readonly BlobCreatedRouter _blobs = new(products, storage, domain);
    private readonly UpstreamRouter _upstream = new(products, storage);

    /// <summary>The runs the message starts (or why it starts none).</summary>
    /// <exception cref="FormatException">The body is not an event of either schema: let it reach the poison queue.</exception>
    public async Task<IReadOnlyList<TriggerRoute>> RouteAsync(string queueMessageBody, CancellationToken cancellationToken = default)
    {
        var json = CloudEventDelivery.DecodeJson(queueMessageBody).ToString();
        return json.Contains("\"specversion\"", StringComparison.Ordinal)
            ? await _upstream.RouteAsync(CloudEventDelivery.Parse(queueMessageBody), cancellationToken).ConfigureAwait(false)
            : [_blobs.Route(queueMessageBody)];
    }
}
