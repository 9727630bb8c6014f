using System.Text;
using System.Text.Json;
using Azure.Messaging;
using Azure.Messaging.EventGrid;

namespace DataMesh.Events;

/// <summary>
/// Reads events delivered through storage queues. Event Grid writes Base64 bodies, the local mesh writes raw
/// JSON, and the Functions queue trigger may or may not have decoded them already: both forms are accepted, so
/// no delivery lands in the poison queue over its encoding (DESIGN §2).
/// </summary>
public static class CloudEventDelivery
{
    private const int PreviewLength = 40;

    /// <summary>Parses a queue message body holding one CloudEvent (raw JSON or Base64-encoded JSON).</summary>
    /// <exception cref="FormatException">The body is not one valid CloudEvent; the message says why.</exception>
    public static CloudEvent Parse(string queueMessageBody)
    {
        var json = DecodeJson(queueMessageBody);
        CloudEvent? cloudEvent;
        try
        {
            cloudEvent = CloudEvent.Parse(json);
        }
        catch (Exception ex) when (ex is JsonException or ArgumentException)
        {
            throw new FormatException($"Queue message is not a valid CloudEvent{SchemaHint(json, expectCloudEvent: true)}: {ex.Message}", ex);
        }

        return cloudEvent ?? throw new FormatException("Queue message is not a CloudEvent: its JSON is null, an empty array or not an object.");
    }

    /// <summary>
    /// Parses a queue message body holding one Event Grid schema event (raw JSON or Base64-encoded JSON), e.g. the
    /// <c>Microsoft.Storage.BlobCreated</c> deliveries on <c>pipeline-triggers</c>.
    /// </summary>
    /// <exception cref="FormatException">The body is not one valid Event Grid event; the message says why.</exception>
    public static EventGridEvent ParseEventGridEvent(string queueMessageBody)
    {
        var json = DecodeJson(queueMessageBody);
        EventGridEvent? eventGridEvent;
        try
        {
            eventGridEvent = EventGridEvent.Parse(json);
        }
        catch (Exception ex) when (ex is JsonException or ArgumentException)
        {
            throw new FormatException($"Queue message is not a valid Event Grid event{SchemaHint(json, expectCloudEvent: false)}: {ex.Message}", ex);
        }

        return eventGridEvent ?? throw new FormatException("Queue message is not an Event Grid event: its JSON is null, an empty array or not an object.");
    }

    /// <summary>
    /// The JSON inside a queue message body: the body itself when it is JSON, otherwise its Base64 decoding
    /// when that is JSON. Lets a consumer of a mixed queue look at the JSON before choosing a parser.
    /// </summary>
    /// <exception cref="FormatException">The body is empty, or neither JSON nor Base64-encoded JSON.</exception>
    public static BinaryData DecodeJson(string queueMessageBody)
    {
        ArgumentNullException.ThrowIfNull(queueMessageBody);
        var body = queueMessageBody.AsSpan().Trim().TrimStart('\uFEFF');
        if (body.IsEmpty)
        {
            throw new FormatException("Queue message body is empty; expected a JSON event, raw or Base64-encoded.");
        }

        if (body[0] is '{' or '[')
        {
            return BinaryData.FromString(body.ToString());
        }

        var buffer = new byte[body.Length * 3 / 4 + 3];
        if (!Convert.TryFromBase64Chars(body, buffer, out var written))
        {
            throw new FormatException($"Queue message body is neither JSON nor Base64-encoded JSON (it starts with '{Preview(body)}').");
        }

        var decoded = buffer.AsSpan(0, written);
        if (decoded.StartsWith(Encoding.UTF8.Preamble))
        {
            decoded = decoded[Encoding.UTF8.Preamble.Length..];
        }

        var start = decoded.IndexOfAnyExcept(" \t\r\n"u8);
        if (start < 0 || decoded[start] is not ((byte)'{' or (byte)'['))
        {
            throw new FormatException($"Queue message body is Base64, but what it encodes is not JSON (it starts with '{Preview(body)}').");
        }

        return BinaryData.FromBytes(decoded[start..].ToArray());
    }

    private static string Preview(ReadOnlySpan<char> body) =>
        body.Length <= PreviewLength ? body.ToString() : string.Concat(body[..PreviewLength], "...");

    // Names the schema the body does have, so a message on the wrong queue or for the wrong parser says so.
    private static string SchemaHint(BinaryData json, bool expectCloudEvent)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Array && root.GetArrayLength() > 0)
            {
                root = root[0];
            }

            if (root.ValueKind != JsonValueKind.Object)
            {
                return "";
            }

            if (expectCloudEvent && root.TryGetProperty("eventType", out var eventType))
            {
                return $" (it is an Event Grid schema event of type '{eventType}'; use {nameof(ParseEventGridEvent)})";
            }

            if (!expectCloudEvent && root.TryGetProperty("specversion", out _))
            {
                var type = root.TryGetProperty("type", out var t) ? t.ToString() : "?";
                return $" (it is a CloudEvent of type '{type}'; use {nameof(Parse)})";
            }

            return "";
        }
        catch (JsonException)
        {
            return "";
        }
    }
}
