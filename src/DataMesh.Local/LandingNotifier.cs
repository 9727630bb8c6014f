using System.Text.Json;
using Azure.Storage.Blobs;
using DataMesh.Storage;

namespace DataMesh.Local;

/// <summary>
/// The local stand-in for a storage account's Event Grid system topic: after a blob is committed in a landing
/// container, puts the <c>Microsoft.Storage.BlobCreated</c> delivery (Event Grid schema, Base64-encoded as Event Grid writes it to
/// a queue) on <c>pipeline-triggers</c>. Azurite emits no events, so the local mesh says what Azure would.
/// </summary>
public static class LandingNotifier
{
    /// <summary>Queues the BlobCreated delivery for <paramref name="blob"/> (its current ETag and length).</summary>
    public static async Task NotifyAsync(MeshStorage storage, BlobClient blob, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(storage);
        ArgumentNullException.ThrowIfNull(blob);
        var properties = (await blob.GetPropertiesAsync(cancellationToken: cancellationToken).ConfigureAwait(false)).Value;
        var delivery = new
        {
            topic = $"/subscriptions/local/resourceGroups/datamesh/providers/Microsoft.Storage/storageAccounts/{blob.AccountName}",
            subject = $"/blobServices/default/containers/{blob.BlobContainerName}/blobs/{blob.Name}",
            eventType = "Microsoft.Storage.BlobCreated",
            id = Guid.NewGuid().ToString(),
            data = new
            {
                api = "PutBlob",
                eTag = properties.ETag.ToString(),
                contentType = properties.ContentType,
                contentLength = properties.ContentLength,
                blobType = "BlockBlob",
                url = blob.Uri.AbsoluteUri,
                sequencer = properties.LastModified.UtcTicks.ToString("x32", System.Globalization.CultureInfo.InvariantCulture),
            },
            dataVersion = "",
            metadataVersion = "1",
            eventTime = properties.LastModified.UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
        };
        var queue = storage.Queue(MeshStorage.PipelineTriggersQueue);
        await queue.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        var body = Convert.ToBase64String(JsonSerializer.SerializeToUtf8Bytes(delivery));
        await queue.SendMessageAsync(body, cancellationToken).ConfigureAwait(false);
    }
}
