using System.Text.Json;
using System.Text.Json.Serialization;

namespace DataMesh.Cli;

/// <summary>The JSON every <c>--json</c> output uses: camelCase, enums as strings, indented.</summary>
internal static class CliJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    /// <summary>Writes one JSON document to stdout (and nothing else goes there).</summary>
    public static void Write<T>(T value) => Console.Out.WriteLine(JsonSerializer.Serialize(value, Options));
}
