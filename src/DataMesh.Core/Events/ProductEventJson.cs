using System.Text.Json;
using Azure.Messaging;

namespace DataMesh.Events;

/// <summary>The JSON form of product event <c>data</c>: System.Text.Json, camelCase, nullability and required members enforced.</summary>
public static class ProductEventJson
{
    /// <summary>Content type of every product event's <c>data</c>.</summary>
    public const string ContentType = "application/json";

    /// <summary>Serializer settings for event data, shared by producers and consumers.</summary>
    public static JsonSerializerOptions Options { get; } = CreateOptions();

    /// <summary>Reads an event's <c>data</c> as <typeparamref name="T"/>.</summary>
    /// <exception cref="FormatException">The event has no data, data of another content type, or data that is not a valid <typeparamref name="T"/>.</exception>
    public static T ReadData<T>(CloudEvent cloudEvent)
    {
        ArgumentNullException.ThrowIfNull(cloudEvent);
        if (cloudEvent.Data is null)
        {
            throw new FormatException($"Event '{cloudEvent.Id}' of type '{cloudEvent.Type}' has no data.");
        }

        if (cloudEvent.DataContentType is { } contentType && !contentType.StartsWith(ContentType, StringComparison.OrdinalIgnoreCase))
        {
            throw new FormatException($"Event '{cloudEvent.Id}' of type '{cloudEvent.Type}' has data of content type '{contentType}'; expected '{ContentType}'.");
        }

        try
        {
            return cloudEvent.Data.ToObjectFromJson<T>(Options)
                ?? throw new FormatException($"Event '{cloudEvent.Id}' of type '{cloudEvent.Type}' has null data.");
        }
        catch (JsonException ex)
        {
            throw new FormatException($"Event '{cloudEvent.Id}' of type '{cloudEvent.Type}' has data that is not a valid {typeof(T).Name}: {ex.Message}", ex);
        }
    }

    /// <summary>The OpenLineage RunEvents a run-outcome event carries (<c>data.openLineage</c>); empty when it has none.</summary>
    public static IReadOnlyList<System.Text.Json.Nodes.JsonObject> ReadOpenLineage(CloudEvent cloudEvent)
    {
        ArgumentNullException.ThrowIfNull(cloudEvent);
        try
        {
            return cloudEvent.Data is { } data && System.Text.Json.Nodes.JsonNode.Parse(data.ToMemory().Span) is System.Text.Json.Nodes.JsonObject root
                && root["openLineage"] is System.Text.Json.Nodes.JsonArray events
                ? [.. events.OfType<System.Text.Json.Nodes.JsonObject>()]
                : [];
        }
        catch (JsonException)
        {
            return [];
        }
    }

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            RespectNullableAnnotations = true,
            RespectRequiredConstructorParameters = true,
        };
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
