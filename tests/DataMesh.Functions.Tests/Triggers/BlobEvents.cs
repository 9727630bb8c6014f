using System.Text;
using System.Text.Json;

namespace DataMesh.Functions.Tests.Triggers;

/// <summary>Event Grid schema deliveries as a storage account's system topic writes them to a queue.</summary>
internal static class BlobEvents
{
    // Verbatim shape of a BlobCreated delivery (Event Grid schema) for a block blob uploaded in one PutBlob.
    internal const string LedgerArrival = """
        {
          "topic": "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-finance/providers/Microsoft.Storage/storageAccounts/stfinance",
          "subject": "/blobServices/default/containers/landing/blobs/ledger/emea/gl_entries_2026-10.csv",
          "eventType": "Microsoft.Storage.BlobCreated",
          "id": "831e1650-001e-001b-66ab-eeb76e069631",
          "data": {
            "api": "PutBlob",
            "clientRequestId": "6d79dbfb-0e37-4fc4-981f-442c9ca65760",
            "requestId": "831e1650-001e-001b-66ab-eeb76e000000",
            "eTag": "0x8DE1A2B3C4D5E6F",
            "contentType": "text/csv",
            "contentLength": 524288,
            "blobType": "BlockBlob",
            "url": "https://stfinance.blob.core.windows.net/landing/ledger/emea/gl_entries_2026-10.csv",
            "sequencer": "00000000000004420000000000028963",
            "storageDiagnostics": { "batchId": "b68529f3-68cd-4744-baa4-3c0498ec19f0" }
          },
          "dataVersion": "",
          "metadataVersion": "1",
          "eventTime": "2026-10-31T18:05:00.0000000Z"
        }
        """;

    internal const string LedgerBlobName = "ledger/emea/gl_entries_2026-10.csv";

    /// <summary>A delivery like <see cref="LedgerArrival"/> for another blob, container, API, ETag, event type or blob URL.</summary>
    internal static string Delivery(
        string blobName,
        string container = "landing",
        string api = "PutBlob",
        string eTag = "0x8DE1A2B3C4D5E6F",
        string eventType = "Microsoft.Storage.BlobCreated",
        string account = "stfinance",
        string? url = null)
    {
        url ??= $"https://{account}.blob.core.windows.net/{container}/{string.Join('/', blobName.Split('/').Select(Uri.EscapeDataString))}";
        return JsonSerializer.Serialize(new
        {
            topic = $"/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-finance/providers/Microsoft.Storage/storageAccounts/{account}",
            subject = $"/blobServices/default/containers/{container}/blobs/{blobName}",
            eventType,
            id = Guid.NewGuid().ToString(),
            data = new
            {
                api,
                clientRequestId = Guid.NewGuid().ToString(),
                requestId = Guid.NewGuid().ToString(),
                eTag,
                contentType = "text/csv",
                contentLength = 2048,
                blobType = "BlockBlob",
                url,
                sequencer = "00000000000004420000000000028964",
                storageDiagnostics = new { batchId = Guid.NewGuid().ToString() },
            },
            dataVersion = "",
            metadataVersion = "1",
            eventTime = "2026-10-31T18:05:00.0000000Z",
        });
    }

    /// <summary>The body as Event Grid writes it to a queue: Base64 of the JSON.</summary>
    internal static string Base64(string json) => Convert.ToBase64String(Encoding.UTF8.GetBytes(json));
}
