using System.Text;
using System.Text.Json;
using Azure.Messaging.EventGrid.SystemEvents;
using DataMesh.Events;

namespace DataMesh.Core.Tests.Events;

public sealed class CloudEventDeliveryTests
{
    // An Event Grid schema delivery from a storage account's system topic, as it lands on pipeline-triggers.
    private const string BlobCreatedJson = """
        {
          "topic": "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-finance/providers/Microsoft.Storage/storageAccounts/stfinance",
          "subject": "/blobServices/default/containers/landing/blobs/ledger/emea/2025-03.csv",
          "eventType": "Microsoft.Storage.BlobCreated",
          "id": "831e1650-001e-001b-66ab-eeb76e069631",
          "data": {
            "api": "PutBlob",
            "clientRequestId": "6d79dbfb-0e37-4fc4-981f-442c9ca65760",
            "requestId": "831e1650-001e-001b-66ab-eeb76e000000",
            "eTag": "0x8D4BCC2E4835CD0",
            "contentType": "text/csv",
            "contentLength": 524288,
            "blobType": "BlockBlob",
            "url": "https://stfinance.blob.core.windows.net/landing/ledger/emea/2025-03.csv",
            "sequencer": "00000000000004420000000000028963",
            "storageDiagnostics": { "batchId": "b68529f3-68cd-4744-baa4-3c0498ec19f0" }
          },
          "dataVersion": "",
          "metadataVersion": "1",
          "eventTime": "2025-03-14T09:30:00.0000000Z"
        }
        """;

    public enum BodyForm
    {
        Raw,
        RawPadded,
        Base64,
        Base64WithByteOrderMark,
    }

    [Theory]
    [InlineData(BodyForm.Raw)]
    [InlineData(BodyForm.RawPadded)]
    [InlineData(BodyForm.Base64)]
    [InlineData(BodyForm.Base64WithByteOrderMark)]
    public void Parse_ProductEventBody_ReturnsTheEvent(BodyForm form)
    {
        // Arrange
        var json = JsonSerializer.Serialize(ProductEventFactory.CreateProductVersionPublished(SampleEvents.Published(release: 7)));

        // Act
        var parsed = CloudEventDelivery.Parse(Encode(json, form));

        // Assert
        Assert.Equal(ProductEventTypes.ProductVersionPublished, parsed.Type);
        Assert.Equal("finance.ledger-emea/1.2.0/7", parsed.Subject);
        Assert.Equal(7, ProductEventJson.ReadData<ProductVersionPublishedData>(parsed).Release);
    }

    [Theory]
    [InlineData("hello, world")]
    [InlineData("<QueueMessage><MessageText>x</MessageText></QueueMessage>")]
    public void Parse_NeitherJsonNorBase64_ThrowsFormatExceptionSayingSo(string body)
    {
        // Act
        var error = Assert.Throws<FormatException>(() => CloudEventDelivery.Parse(body));

        // Assert
        Assert.Contains("neither JSON nor Base64-encoded JSON", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_Base64OfNonJson_ThrowsFormatExceptionSayingWhatItEncodes()
    {
        // Arrange
        var body = Convert.ToBase64String(Encoding.UTF8.GetBytes("plain text, not an event"));

        // Act
        var error = Assert.Throws<FormatException>(() => CloudEventDelivery.Parse(body));

        // Assert
        Assert.Contains("what it encodes is not JSON", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void Parse_EmptyBody_ThrowsFormatException(string body)
    {
        // Act
        var error = Assert.Throws<FormatException>(() => CloudEventDelivery.Parse(body));

        // Assert
        Assert.Contains("empty", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_MalformedJson_ThrowsFormatExceptionWithParserReason()
    {
        // Act
        var error = Assert.Throws<FormatException>(() => CloudEventDelivery.Parse("{\"id\": \"1\", "));

        // Assert
        Assert.StartsWith("Queue message is not a valid CloudEvent", error.Message, StringComparison.Ordinal);
        Assert.IsAssignableFrom<JsonException>(error.InnerException);
    }

    [Fact]
    public void Parse_CloudEventMissingSource_ThrowsFormatExceptionNamingTheAttribute()
    {
        // Act
        var error = Assert.Throws<FormatException>(() => CloudEventDelivery.Parse("""{"id":"1","type":"DataMesh.ProductVersionPublished","specversion":"1.0"}"""));

        // Assert
        Assert.Contains("source", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("[{\"id\":\"1\",\"source\":\"/domains/a/products/b\",\"type\":\"t\",\"specversion\":\"1.0\"},{\"id\":\"2\",\"source\":\"/domains/a/products/b\",\"type\":\"t\",\"specversion\":\"1.0\"}]")]
    public void Parse_NotExactlyOneEvent_ThrowsFormatException(string body)
    {
        // Act and Assert
        Assert.Throws<FormatException>(() => CloudEventDelivery.Parse(body));
    }

    [Fact]
    public void Parse_EventGridSchemaBody_ThrowsFormatExceptionNamingTheSchema()
    {
        // Act
        var error = Assert.Throws<FormatException>(() => CloudEventDelivery.Parse(BlobCreatedJson));

        // Assert
        Assert.Contains("Event Grid schema event of type 'Microsoft.Storage.BlobCreated'", error.Message, StringComparison.Ordinal);
        Assert.Contains(nameof(CloudEventDelivery.ParseEventGridEvent), error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(BodyForm.Raw)]
    [InlineData(BodyForm.Base64)]
    public void ParseEventGridEvent_BlobCreatedBody_ReturnsBlobCreatedWithUrl(BodyForm form)
    {
        // Act
        var parsed = CloudEventDelivery.ParseEventGridEvent(Encode(BlobCreatedJson, form));

        // Assert
        Assert.Equal("Microsoft.Storage.BlobCreated", parsed.EventType);
        Assert.Equal("/blobServices/default/containers/landing/blobs/ledger/emea/2025-03.csv", parsed.Subject);
        Assert.True(parsed.TryGetSystemEventData(out var systemData));
        var blobCreated = Assert.IsType<StorageBlobCreatedEventData>(systemData);
        Assert.Equal("https://stfinance.blob.core.windows.net/landing/ledger/emea/2025-03.csv", blobCreated.Url);
    }

    [Fact]
    public void ParseEventGridEvent_CloudEventBody_ThrowsFormatExceptionNamingTheSchema()
    {
        // Arrange
        var json = JsonSerializer.Serialize(ProductEventFactory.CreateProductVersionPublished(SampleEvents.Published()));

        // Act
        var error = Assert.Throws<FormatException>(() => CloudEventDelivery.ParseEventGridEvent(json));

        // Assert
        Assert.Contains("CloudEvent of type 'DataMesh.ProductVersionPublished'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ParseEventGridEvent_Garbage_ThrowsFormatException()
    {
        // Act
        var error = Assert.Throws<FormatException>(() => CloudEventDelivery.ParseEventGridEvent("not an event"));

        // Assert
        Assert.Contains("neither JSON nor Base64-encoded JSON", error.Message, StringComparison.Ordinal);
    }

    private static string Encode(string json, BodyForm form) => form switch
    {
        BodyForm.Raw => json,
        BodyForm.RawPadded => "\n  " + json + "  \r\n",
        BodyForm.Base64 => Convert.ToBase64String(Encoding.UTF8.GetBytes(json)),
        BodyForm.Base64WithByteOrderMark => Convert.ToBase64String([.. Encoding.UTF8.Preamble, .. Encoding.UTF8.GetBytes(json)]),
        _ => throw new ArgumentOutOfRangeException(nameof(form)),
    };
}
