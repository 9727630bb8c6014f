using System.Globalization;
using System.Text.Json.Nodes;
using DataMesh.Specs;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace DataMesh.Governance;

/// <summary>
/// Converts a YAML document to JSON with YAML 1.2 core-schema scalars (plain true/false, null and numbers are
/// typed; everything else is a string), keeping where each JSON value was written so that JSON Schema findings
/// (JSON Pointers) can be reported at a line and column.
/// </summary>
internal sealed class YamlJson
{
    private readonly Dictionary<string, Mark> _marks = new(StringComparer.Ordinal);

    private YamlJson(JsonNode? root)
    {
        Root = root;
    }

    public JsonNode? Root { get; private set; }

    /// <summary>Converts <paramref name="text"/>; throws <see cref="YamlException"/> when it is not YAML.</summary>
    public static YamlJson Parse(string text)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        var result = new YamlJson(null);
        if (stream.Documents.Count > 0)
        {
            result.Root = result.Convert(stream.Documents[0].RootNode, "", stream.Documents[0].RootNode.Start);
        }

        return result;
    }

    /// <summary>Where the value at <paramref name="pointer"/> was written (a member's key, a list item's start), or the nearest written parent.</summary>
    public (int Line, int Column) Locate(string pointer)
    {
        for (var at = pointer; ; at = at[..at.LastIndexOf('/')])
        {
            if (_marks.TryGetValue(at, out var mark))
            {
                return ((int)mark.Line, (int)mark.Column);
            }

            if (at.Length == 0)
            {
                return (1, 1);
            }
        }
    }

    /// <summary>A JSON Pointer as a field path: <c>/schema/0/properties/2/required</c> is <c>schema[0].properties[2].required</c>.</summary>
    public static string FieldPath(string pointer)
    {
        var path = "";
        foreach (var segment in pointer.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            var name = segment.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
            path += int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out _) ? $"[{name}]" : (path.Length == 0 ? name : "." + name);
        }

        return path.Length == 0 ? "(root)" : path;
    }

    private JsonNode? Convert(YamlNode node, string pointer, Mark mark)
    {
        _marks[pointer] = mark;
        switch (node)
        {
            case YamlMappingNode mapping:
                var obj = new JsonObject();
                foreach (var (key, value) in mapping.Children)
                {
                    var name = key is YamlScalarNode { Value: { } text } ? text : key.ToString();
                    obj[name] = Convert(value, pointer + "/" + name.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal), key.Start);
                }

                return obj;
            case YamlSequenceNode sequence:
                var array = new JsonArray();
                for (var i = 0; i < sequence.Children.Count; i++)
                {
                    var item = sequence.Children[i];
                    array.Add(Convert(item, string.Create(CultureInfo.InvariantCulture, $"{pointer}/{i}"), item.Start));
                }

                return array;
            case YamlScalarNode scalar:
                if (YamlScalars.IsNull(scalar))
                {
                    return null;
                }

                if (YamlScalars.TryBoolean(scalar, out var boolean))
                {
                    return JsonValue.Create(boolean);
                }

                if (scalar.Style is ScalarStyle.Plain or ScalarStyle.Any && IsNumber(scalar.Value!))
                {
                    return long.TryParse(scalar.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer)
                        ? JsonValue.Create(integer)
                        : JsonValue.Create(decimal.Parse(scalar.Value!, NumberStyles.Float, CultureInfo.InvariantCulture));
                }

                return JsonValue.Create(scalar.Value);
            default:
                return null;
        }
    }

    /// <summary>The YAML 1.2 core schema's decimal numbers (no hex, octal, .inf or .nan, which contracts do not use).</summary>
    private static bool IsNumber(string text) =>
        text.Length > 0
        && (char.IsAsciiDigit(text[0]) || ((text[0] is '-' or '+' or '.') && text.Length > 1))
        && text.All(c => char.IsAsciiDigit(c) || c is '-' or '+' or '.' or 'e' or 'E')
        && decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out _);
}
