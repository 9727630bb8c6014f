using System.Net.Http.Headers;
using System.Text.Json;
using Azure.Messaging;

namespace DataMesh.Local.EventGrid;

/// <summary>
/// Reads a publish request of a CloudEvents-schema Event Grid topic: a batch (<c>application/cloudevents-batch+json</c>,
/// a JSON array, as <c>EventGridPublisherClient</c> sends) or one structured event (<c>application/cloudevents+json</c>),
/// each a CloudEvents 1.0 event with <c>specversion</c>, <c>id</c>, <c>source</c> and <c>type</c>.
/// </summary>
internal static class CloudEventBatch
{
    public const string BatchMediaType = "application/cloudevents-batch+json";
    public const string SingleMediaType = "application/cloudevents+json";

    /// <summary>The events of the request, or why it is malformed (for a 400 response).</summary>
    public static bool TryRead(ReadOnlyMemory<byte> body, string? contentType, out IReadOnlyList<ReceivedEvent> events, out string error)
    {
        events = [];
        if (!MediaTypeHeaderValue.TryParse(contentType, out var mediaType)
            || mediaType.MediaType is not { } media
            || !(media.Equals(BatchMediaType, StringComparison.OrdinalIgnoreCase) || media.Equals(SingleMediaType, StringComparison.OrdinalIgnoreCase)))
        {
            error = $"Content-Type '{contentType}' is not accepted: this topic takes the CloudEvents schema, '{BatchMediaType}' (an array) or '{SingleMediaType}' (one event).";
            return false;
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body);
        }
        catch (JsonException ex)
        {
            error = $"The body is not valid JSON: {ex.Message}";
            return false;
        }

        using (document)
        {
            var batch = media.Equals(BatchMediaType, StringComparison.OrdinalIgnoreCase);
            var root = document.RootElement;
            if (batch && root.ValueKind != JsonValueKind.Array)
            {
                error = $"A '{BatchMediaType}' body must be a JSON array of events, not {Describe(root.ValueKind)}.";
                return false;
            }

            if (!batch && root.ValueKind != JsonValueKind.Object)
            {
                error = $"A '{SingleMediaType}' body must be one JSON object, not {Describe(root.ValueKind)}.";
                return false;
            }

            var elements = batch ? root.EnumerateArray().ToList() : [root];
            if (elements.Count == 0)
            {
                error = "The batch holds no event.";
                return false;
            }

            var read = new List<ReceivedEvent>(elements.Count);
            for (var i = 0; i < elements.Count; i++)
            {
                if (!TryReadEvent(elements[i], out var received, out var reason))
                {
                    error = batch ? $"Event {i} of the batch: {reason}" : reason;
                    return false;
                }

                read.Add(received);
            }

            events = read;
            error = "";
            return true;
        }
    }

    private static bool TryReadEvent(JsonElement element, out ReceivedEvent received, out string error)
    {
        received = null!;
        if (element.ValueKind != JsonValueKind.Object)
        {
            error = $"an event must be a JSON object, not {Describe(element.ValueKind)}.";
            return false;
        }

        if (!TryRequiredString(element, "specversion", out var specVersion, out error)
            || !TryRequiredString(element, "id", out var id, out error)
            || !TryRequiredString(element, "source", out var source, out error)
            || !TryRequiredString(element, "type", out var type, out error))
        {
            return false;
        }

        if (specVersion != "1.0")
        {
            error = $"'specversion' is '{specVersion}'; this topic takes CloudEvents 1.0 ('1.0').";
            return false;
        }

        string? subject = null;
        if (element.TryGetProperty("subject", out var subjectElement) && subjectElement.ValueKind != JsonValueKind.Null)
        {
            if (subjectElement.ValueKind != JsonValueKind.String)
            {
                error = $"event '{id}': 'subject' must be a string.";
                return false;
            }

            subject = subjectElement.GetString();
        }

        var json = element.GetRawText();
        try
        {
            // What consumers will do with the delivery: refuse here what they could not parse there.
            _ = CloudEvent.Parse(BinaryData.FromString(json));
        }
        catch (Exception ex) when (ex is JsonException or ArgumentException or FormatException or InvalidOperationException)
        {
            error = $"event '{id}' is not a valid CloudEvent: {ex.Message}";
            return false;
        }

        received = new ReceivedEvent(id, type, source, subject, json);
        error = "";
        return true;
    }

    private static bool TryRequiredString(JsonElement element, string name, out string value, out string error)
    {
        value = "";
        if (!element.TryGetProperty(name, out var property) || property.ValueKind == JsonValueKind.Null)
        {
            error = $"the required CloudEvents attribute '{name}' is missing.";
            return false;
        }

        if (property.ValueKind != JsonValueKind.String || property.GetString() is not { Length: > 0 } text)
        {
            error = $"the CloudEvents attribute '{name}' must be a non-empty string.";
            return false;
        }

        value = text;
        error = "";
        return true;
    }

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };

    /// <summary>One accepted event: the attributes the filters look at, and its JSON as delivered.</summary>
    internal sealed record ReceivedEvent(string Id, string Type, string Source, string? Subject, string Json);
}
