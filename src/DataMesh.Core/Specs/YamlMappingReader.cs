using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace DataMesh.Specs;

/// <summary>
/// Reads one YAML mapping field by field, reporting missing fields, wrong types and unknown keys with the
/// node's line and column and the field's path (e.g. <c>inputs[0].landing.format</c>).
/// </summary>
internal sealed class YamlMappingReader
{
    private readonly Dictionary<string, KeyValuePair<YamlScalarNode, YamlNode>> _entries = new(StringComparer.Ordinal);
    private readonly HashSet<string> _rejoined = new(StringComparer.Ordinal);

    public YamlMappingReader(YamlMappingNode node, string path, DiagnosticSink sink)
    {
        Node = node;
        Path = path;
        Sink = sink;
        foreach (var (key, value) in node.Children)
        {
            if (key is YamlScalarNode { Value: not null } scalarKey)
            {
                _entries[scalarKey.Value] = new(scalarKey, value);
            }
            else
            {
                sink.Error(key, sink.Codes.WrongType, $"{(path.Length == 0 ? "(root)" : path)}: keys must be plain names, found {YamlScalars.Describe(key)}.");
            }
        }
    }

    public YamlMappingNode Node { get; }

    /// <summary>The field path of this mapping; empty for the document root.</summary>
    public string Path { get; }

    public DiagnosticSink Sink { get; }

    public string FieldPath(string key) => Path.Length == 0 ? key : $"{Path}.{key}";

    /// <summary>The key node, when the key is written (even with an empty value).</summary>
    public YamlScalarNode? KeyNode(string key) => _entries.TryGetValue(key, out var entry) ? entry.Key : null;

    /// <summary>The value node, when the key is written with a non-null value.</summary>
    public YamlNode? Value(string key) =>
        _entries.TryGetValue(key, out var entry) && !YamlScalars.IsNull(entry.Value) ? entry.Value : null;

    public bool Has(string key) => Value(key) is not null;

    /// <summary>Reports a missing required field: at the key when written empty, else at the start of this mapping.</summary>
    public void ReportMissing(string key, string hint)
    {
        var keyNode = KeyNode(key);
        var what = keyNode is null ? "missing required field" : "required field is empty";
        Sink.Error(keyNode?.Start ?? Node.Start, Sink.Codes.MissingField, $"{FieldPath(key)}: {what}; {hint}");
    }

    public string? String(string key, bool required = false, string hint = "add it.")
    {
        var value = Value(key);
        if (value is null)
        {
            if (required)
            {
                ReportMissing(key, hint);
            }

            return null;
        }

        return AsString(value, FieldPath(key), Sink);
    }

    /// <summary>
    /// A type such as <c>decimal(18,2)</c> written unquoted inside <c>{ }</c>: YAML splits it at the comma into
    /// <c>decimal(18</c> and a valueless key <c>2)</c>. DESIGN §4's own example is written that way, so the
    /// pieces are joined back, with a warning (<paramref name="warningCode"/>) that says to quote it.
    /// </summary>
    public string? TypeText(string key, string warningCode)
    {
        var text = String(key);
        if (text is null || ParenthesisDepth(text) <= 0 || Node.Style != YamlDotNet.Core.Events.MappingStyle.Flow)
        {
            return text;
        }

        var entries = Node.Children.ToList();
        var index = entries.FindIndex(e => e.Key is YamlScalarNode { Value: var name } && name == key);
        var joined = text;
        var pieces = new List<string>();
        for (var i = index + 1; i < entries.Count && ParenthesisDepth(joined) > 0; i++)
        {
            if (entries[i].Key is not YamlScalarNode { Value: { } piece } || !YamlScalars.IsNull(entries[i].Value))
            {
                break;
            }

            joined += "," + piece;
            pieces.Add(piece);
        }

        if (ParenthesisDepth(joined) != 0)
        {
            return text;
        }

        _rejoined.UnionWith(pieces);
        Sink.Warning(Value(key)!, warningCode,
            $"{FieldPath(key)}: YAML splits {joined} at the comma inside {{ }}; read as {joined}, but quote it: {key}: '{joined}'.");
        return joined;
    }

    public bool? Boolean(string key)
    {
        var value = Value(key);
        if (value is null)
        {
            return null;
        }

        if (value is YamlScalarNode scalar && YamlScalars.TryBoolean(scalar, out var result))
        {
            return result;
        }

        Sink.Error(value, Sink.Codes.WrongType, $"{FieldPath(key)}: must be true or false, found {YamlScalars.Describe(value)}.");
        return null;
    }

    public decimal? Number(string key)
    {
        var value = Value(key);
        if (value is null)
        {
            return null;
        }

        if (value is YamlScalarNode scalar && YamlScalars.TryNumber(scalar, out var result))
        {
            return result;
        }

        Sink.Error(value, Sink.Codes.WrongType, $"{FieldPath(key)}: must be a number, found {YamlScalars.Describe(value)}.");
        return null;
    }

    public YamlMappingReader? Mapping(string key, bool required = false, string hint = "add it.")
    {
        var value = Value(key);
        if (value is null)
        {
            if (required)
            {
                ReportMissing(key, hint);
            }

            return null;
        }

        if (value is YamlMappingNode mapping)
        {
            return new YamlMappingReader(mapping, FieldPath(key), Sink);
        }

        Sink.Error(value, Sink.Codes.WrongType, $"{FieldPath(key)}: must be a mapping (key: value), found {YamlScalars.Describe(value)}.");
        return null;
    }

    public YamlSequenceNode? Sequence(string key, bool required = false, string hint = "add it.")
    {
        var value = Value(key);
        if (value is null)
        {
            if (required)
            {
                ReportMissing(key, hint);
            }

            return null;
        }

        if (value is YamlSequenceNode sequence)
        {
            return sequence;
        }

        Sink.Error(value, Sink.Codes.WrongType, $"{FieldPath(key)}: must be a list, found {YamlScalars.Describe(value)}.");
        return null;
    }

    /// <summary>A list of strings; a single string is not accepted, so the file keeps one shape.</summary>
    public IReadOnlyList<string>? StringList(string key)
    {
        var sequence = Sequence(key);
        if (sequence is null)
        {
            return null;
        }

        var items = new List<string>();
        for (var i = 0; i < sequence.Children.Count; i++)
        {
            var item = sequence.Children[i];
            if (YamlScalars.IsNull(item))
            {
                Sink.Error(item, Sink.Codes.WrongType, $"{FieldPath(key)}[{i}]: empty entry; remove it or give a value.");
                continue;
            }

            var text = AsString(item, $"{FieldPath(key)}[{i}]", Sink);
            if (text is not null)
            {
                items.Add(text);
            }
        }

        return items;
    }

    /// <summary>Mappings of a list, each with its indexed path; other entries are reported.</summary>
    public IReadOnlyList<YamlMappingReader> MappingItems(YamlSequenceNode sequence, string key)
    {
        var items = new List<YamlMappingReader>();
        for (var i = 0; i < sequence.Children.Count; i++)
        {
            var path = string.Create(CultureInfo.InvariantCulture, $"{FieldPath(key)}[{i}]");
            if (sequence.Children[i] is YamlMappingNode mapping)
            {
                items.Add(new YamlMappingReader(mapping, path, Sink));
            }
            else
            {
                Sink.Error(sequence.Children[i], Sink.Codes.WrongType, $"{path}: must be a mapping (key: value), found {YamlScalars.Describe(sequence.Children[i])}.");
            }
        }

        return items;
    }

    /// <summary>Reports every key not in <paramref name="allowed"/>, suggesting the closest allowed key.</summary>
    public void RejectUnknownKeys(IReadOnlyList<string> allowed)
    {
        foreach (var (name, entry) in _entries)
        {
            if (allowed.Contains(name, StringComparer.Ordinal) || _rejoined.Contains(name))
            {
                continue;
            }

            var suggestion = ClosestKey(name, allowed);
            var didYouMean = suggestion is null ? "" : $" (did you mean '{suggestion}'?)";
            Sink.Error(entry.Key, Sink.Codes.UnknownKey, $"{FieldPath(name)}: unknown key{didYouMean}; remove it or use one of: {string.Join(", ", allowed)}.");
        }
    }

    /// <summary>The text of a scalar; mappings and lists are reported as the wrong type.</summary>
    public static string? AsString(YamlNode node, string fieldPath, DiagnosticSink sink)
    {
        if (node is YamlScalarNode scalar)
        {
            return YamlScalars.IsNull(scalar) ? null : scalar.Value;
        }

        sink.Error(node, sink.Codes.WrongType, $"{fieldPath}: must be a single value, found {YamlScalars.Describe(node)}.");
        return null;
    }

    private static int ParenthesisDepth(string text) => text.Count(c => c == '(') - text.Count(c => c == ')');

    private static string? ClosestKey(string name, IReadOnlyList<string> allowed)
    {
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var candidate in allowed)
        {
            var distance = Spelling.EditDistance(name.ToLowerInvariant(), candidate.ToLowerInvariant());
            if (distance < bestDistance)
            {
                best = candidate;
                bestDistance = distance;
            }
        }

        return bestDistance <= Math.Max(1, name.Length / 3) ? best : null;
    }
}
