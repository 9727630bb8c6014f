using System.Text.Json.Nodes;

namespace DataMesh.Infra.Tests.Arm;

/// <summary>Short reads of ARM JSON: <c>resource.At("properties.siteConfig.minTlsVersion")</c>.</summary>
internal static class JsonNodeExtensions
{
    /// <summary>The node at a dot-separated property path, or null when any step is missing.</summary>
    public static JsonNode? At(this JsonNode? node, string path)
    {
        foreach (var step in path.Split('.'))
        {
            node = node is JsonObject obj && obj.TryGetPropertyValue(step, out var next) ? next : null;
            if (node is null)
            {
                return null;
            }
        }

        return node;
    }

    /// <summary>The string at a path, or null when it is missing or not a string.</summary>
    public static string? Text(this JsonNode? node, string path) =>
        node.At(path) is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    /// <summary>True only when the path holds the JSON literal <paramref name="expected"/> (an expression is not proof).</summary>
    public static bool IsLiteral(this JsonNode? node, string path, bool expected) =>
        node.At(path) is JsonValue value && value.TryGetValue<bool>(out var actual) && actual == expected;

    /// <summary>The strings of the array at a path (empty when missing).</summary>
    public static IReadOnlyList<string> Strings(this JsonNode? node, string path) =>
        node.At(path) is JsonArray array ? array.Select(n => n?.GetValue<string>() ?? "").ToList() : [];
}
