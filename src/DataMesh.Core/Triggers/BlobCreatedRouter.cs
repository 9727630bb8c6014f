using System.Text.Json;
using Azure.Messaging;
using Azure.Messaging.EventGrid;
using Azure.Messaging.EventGrid.SystemEvents;
using DataMesh.Events;
using DataMesh.Pipeline;
using DataMesh.Specs;
using DataMesh.Storage;

namespace DataMesh.Triggers;

/// <summary>
/// Maps deliveries on <c>pipeline-triggers</c> to pipeline runs: a <c>Microsoft.Storage.BlobCreated</c> event for a
/// committed blob in a domain's landing container starts the product whose landing path holds the blob (longest
/// path wins). The run id is derived from the blob's identity (<see cref="LandingBlobIdentity"/>: account, container,
/// name and ETag, never the URL), so duplicate deliveries of one write collapse into one run whatever endpoint the
/// event names, while a rewrite of the blob starts a new one. Shared by the Functions app and the local mesh.
/// </summary>
public sealed class BlobCreatedRouter
{
    /// <summary>What a run started here records as its trigger.</summary>
    public const string BlobTrigger = "blob";

    /// <summary>
    /// Blob APIs whose <c>BlobCreated</c> event means a complete blob: a single-shot upload, a block list commit, an
    /// ADLS flush that closes the file, a finished copy, an SFTP commit. Other APIs (e.g. a Data Lake append or a
    /// flush without close) announce data that is not final yet.
    /// </summary>
    public static readonly IReadOnlySet<string> CommittedBlobApis = new HashSet<string>(StringComparer.Ordinal)
    {
        "PutBlob", "PutBlockList", "FlushWithClose", "CopyBlob", "SftpCommit",
    };

    private const string SubjectPrefix = "/blobServices/default/containers/";
    private const string BlobsSegment = "/blobs/";

    private readonly IProductRegistry _products;
    private readonly MeshStorage _storage;
    private readonly string? _domain;

    /// <summary>
    /// Routes for the products of <paramref name="domain"/> (in Azure: the one domain of the storage account), or
    /// of every domain in <paramref name="products"/> when null (the local mesh, whose containers carry the domain).
    /// </summary>
    public BlobCreatedRouter(IProductRegistry products, MeshStorage storage, string? domain = null)
    {
        ArgumentNullException.ThrowIfNull(products);
        ArgumentNullException.ThrowIfNull(storage);
        _products = products;
        _storage = storage;
        _domain = string.IsNullOrWhiteSpace(domain) ? null : domain;
    }

    /// <summary>
    /// Routes one queue message body (raw or Base64 JSON). A CloudEvent (an upstream product event) is not a blob
    /// arrival and is dropped here: <see cref="PipelineTriggerRouter"/> sends those to <see cref="UpstreamRouter"/>.
    /// </summary>
    /// <exception cref="FormatException">The body is not a valid event; let it reach the poison queue.</exception>
    public TriggerRoute Route(string queueMessageBody)
    {
        var json = CloudEventDelivery.DecodeJson(queueMessageBody);
        if (IsCloudEvent(json, out var type))
        {
            return type == SystemEventNames.StorageBlobCreated
                ? Route(CloudEventDelivery.Parse(queueMessageBody))
                : TriggerRoute.Drop($"product event '{type}' is not a blob arrival (PipelineTriggerRouter routes it)");
        }

        return Route(CloudEventDelivery.ParseEventGridEvent(queueMessageBody));
    }

    /// <summary>
    /// Routes a <c>BlobCreated</c> delivered in the CloudEvents 1.0 schema (an Event Grid subscription with
    /// <c>eventDeliverySchema: CloudEventSchemaV1_0</c>): same subject and data as the Event Grid schema, so the same rules.
    /// </summary>
    public TriggerRoute Route(CloudEvent cloudEvent)
    {
        ArgumentNullException.ThrowIfNull(cloudEvent);
        if (cloudEvent.Data is null)
        {
            throw new FormatException($"BlobCreated CloudEvent '{cloudEvent.Id}' has no blob data.");
        }

        var gridEvent = new EventGridEvent(cloudEvent.Subject ?? "", cloudEvent.Type, "1.0", cloudEvent.Data) { Id = cloudEvent.Id };
        return Route(gridEvent);
    }

    /// <summary>Routes one Event Grid schema event.</summary>
    /// <exception cref="FormatException">A <c>BlobCreated</c> event without its subject, URL or ETag.</exception>
    /// <exception cref="InvalidOperationException">Several domains share the event's landing container: give this router a domain.</exception>
    public TriggerRoute Route(EventGridEvent gridEvent)
    {
        ArgumentNullException.ThrowIfNull(gridEvent);
        if (gridEvent.EventType != SystemEventNames.StorageBlobCreated)
        {
            return TriggerRoute.Drop($"event '{gridEvent.Id}' of type '{gridEvent.EventType}' is not a blob arrival");
        }

        var data = ReadBlobCreated(gridEvent);
        if (data.Api is not { } api || !CommittedBlobApis.Contains(api))
        {
            return TriggerRoute.Drop($"event '{gridEvent.Id}': blob written by '{data.Api}', which does not commit a complete blob");
        }

        var (container, blobName) = ParseSubject(gridEvent);
        var domains = LandingDomains().Where(d => d.Container == container).Select(d => d.Domain).ToList();
        if (domains.Count == 0)
        {
            return TriggerRoute.Drop($"event '{gridEvent.Id}': container '{container}' is not a landing container served here");
        }

        if (domains.Count > 1)
        {
            throw new InvalidOperationException(
                $"Landing container '{container}' belongs to several domains ({string.Join(", ", domains)}): with one container per account, route one domain (DataMesh:Domain).");
        }

        if (blobName.EndsWith('/'))
        {
            return TriggerRoute.Drop($"event '{gridEvent.Id}': '{blobName}' is a folder marker, not a file");
        }

        var domain = domains[0];
        var match = _products.All
            .Where(p => p.Domain == domain)
            .SelectMany(p => p.Inputs.Where(i => i.IsLanding).Select(i => (Product: p, i.Landing!.Path)))
            .Where(l => blobName.StartsWith(l.Path, StringComparison.Ordinal))
            .OrderByDescending(l => l.Path.Length)
            .ThenBy(l => l.Product.Id, StringComparer.Ordinal)
            .FirstOrDefault();
        if (match.Product is not { } product)
        {
            return TriggerRoute.Drop($"event '{gridEvent.Id}': no product of domain '{domain}' has a landing path holding '{blobName}'");
        }

        LandingBlobIdentity blob;
        try
        {
            blob = LandingBlobIdentity.From(new Uri(data.Url!, UriKind.Absolute), container, blobName, data.ETag!);
        }
        catch (UriFormatException ex)
        {
            throw new FormatException($"BlobCreated event '{gridEvent.Id}' has url '{data.Url}', which is not an absolute URL: {ex.Message}", ex);
        }

        var runId = blob.RunId(product.Id);
        var request = new PipelineRequest { RunId = runId, ProductId = product.Id, LandingBlobs = [blobName], Trigger = BlobTrigger };
        return TriggerRoute.Run(request, $"blob '{blobName}' (ETag {data.ETag}) landed under '{match.Path}' of {product.Id}");
    }

    private IEnumerable<(string Domain, string Container)> LandingDomains()
    {
        var domains = _domain is { } only ? [only] : _products.All.Select(p => p.Domain).Distinct(StringComparer.Ordinal);
        return domains.Select(d => (d, _storage.Landing(d).Name));
    }

    private static StorageBlobCreatedEventData ReadBlobCreated(EventGridEvent gridEvent)
    {
        StorageBlobCreatedEventData? data;
        try
        {
            data = gridEvent.TryGetSystemEventData(out var systemData) ? systemData as StorageBlobCreatedEventData : null;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException)
        {
            throw new FormatException($"BlobCreated event '{gridEvent.Id}' has data that cannot be read: {ex.Message}", ex);
        }

        if (data is null)
        {
            throw new FormatException($"BlobCreated event '{gridEvent.Id}' has no blob data.");
        }

        if (string.IsNullOrWhiteSpace(data.Url) || string.IsNullOrWhiteSpace(data.ETag))
        {
            throw new FormatException($"BlobCreated event '{gridEvent.Id}' lacks the blob's url or eTag, which identify the write.");
        }

        return data;
    }

    // Subject: /blobServices/default/containers/<container>/blobs/<name>, the name as written (not URL-encoded).
    private static (string Container, string BlobName) ParseSubject(EventGridEvent gridEvent)
    {
        var subject = gridEvent.Subject ?? "";
        var blobs = subject.StartsWith(SubjectPrefix, StringComparison.Ordinal)
            ? subject.IndexOf(BlobsSegment, SubjectPrefix.Length, StringComparison.Ordinal)
            : -1;
        if (blobs <= SubjectPrefix.Length || blobs + BlobsSegment.Length >= subject.Length)
        {
            throw new FormatException(
                $"BlobCreated event '{gridEvent.Id}' has subject '{subject}'; expected '{SubjectPrefix}<container>{BlobsSegment}<blob name>'.");
        }

        return (subject[SubjectPrefix.Length..blobs], subject[(blobs + BlobsSegment.Length)..]);
    }

    private static bool IsCloudEvent(BinaryData json, out string type)
    {
        type = "";
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Array && root.GetArrayLength() == 1)
            {
                root = root[0];
            }

            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("specversion", out _))
            {
                type = root.TryGetProperty("type", out var t) ? t.ToString() : "?";
                return true;
            }

            return false;
        }
        catch (JsonException)
        {
            // Not JSON after all: the Event Grid parser reports it.
            return false;
        }
    }
}
