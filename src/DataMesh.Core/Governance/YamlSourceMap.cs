using System.Globalization;
using DataMesh.Specs;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace DataMesh.Governance;

/// <summary>
/// Finds where a field of a loaded YAML file is written, so findings about a loaded spec or contract point at
/// its line. Paths are dotted keys with list steps by index or by name: <c>inputs[0].landing.format</c>,
/// <c>schema[name=orders].properties[name=email].classification</c>.
/// </summary>
internal sealed class YamlSourceMap
{
    private readonly YamlNode? _root;

    private YamlSourceMap(string file, YamlNode? root)
    {
        File = file;
        _root = root;
    }

    /// <summary>The file as shown in diagnostics.</summary>
    public string File { get; }

    /// <summary>Reads <paramref name="fullPath"/>; a file that no longer parses maps every path to 1:1.</summary>
    public static YamlSourceMap Read(string fullPath)
    {
        YamlNode? root = null;
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(System.IO.File.ReadAllText(fullPath)));
            root = stream.Documents.Count > 0 ? stream.Documents[0].RootNode : null;
        }
        catch (Exception ex) when (ex is YamlException or IOException or UnauthorizedAccessException)
        {
            // The loaders reported the file already; the finding still names the file.
        }

        return new YamlSourceMap(DisplayPath.For(fullPath), root);
    }

    /// <summary>
    /// Where <paramref name="path"/> is written: a scalar value's own position, a mapping's or list's key, or, when
    /// part of the path is absent, the deepest part that is written (the root for nothing).
    /// </summary>
    public SourceLocation Locate(string path)
    {
        if (_root is null)
        {
            return new SourceLocation(File, 1, 1);
        }

        var node = _root;
        var at = _root.Start;
        foreach (var step in Steps(path))
        {
            YamlNode? next = null;
            Mark? key = null;
            if (node is YamlMappingNode mapping)
            {
                foreach (var (k, v) in mapping.Children)
                {
                    if (k is YamlScalarNode { Value: var name } && name == step.Key)
                    {
                        next = v;
                        key = k.Start;
                        break;
                    }
                }
            }

            if (next is null)
            {
                break;
            }

            at = next is YamlScalarNode ? next.Start : key!.Value;
            node = next;
            if (step.Selector is null)
            {
                continue;
            }

            var item = node is YamlSequenceNode sequence ? Select(sequence, step.Selector) : null;
            if (item is null)
            {
                break;
            }

            node = item;
            at = item.Start;
        }

        return new SourceLocation(File, (int)at.Line, (int)at.Column);
    }

    private static YamlNode? Select(YamlSequenceNode sequence, string selector)
    {
        if (int.TryParse(selector, NumberStyles.None, CultureInfo.InvariantCulture, out var index))
        {
            return index < sequence.Children.Count ? sequence.Children[index] : null;
        }

        var equals = selector.IndexOf('=', StringComparison.Ordinal);
        if (equals < 0)
        {
            return null;
        }

        var field = new YamlScalarNode(selector[..equals]);
        var value = selector[(equals + 1)..];
        return sequence.Children.FirstOrDefault(c =>
            c is YamlMappingNode m && m.Children.TryGetValue(field, out var v) && v is YamlScalarNode { Value: var text } && text == value);
    }

    private static IEnumerable<(string Key, string? Selector)> Steps(string path)
    {
        var position = 0;
        while (position < path.Length)
        {
            var bracket = path.IndexOf('[', position);
            var dot = path.IndexOf('.', position);
            if (bracket >= 0 && (dot < 0 || bracket < dot))
            {
                var close = path.IndexOf(']', bracket);
                yield return (path[position..bracket], path[(bracket + 1)..close]);
                position = close + 1;
                if (position < path.Length && path[position] == '.')
                {
                    position++;
                }
            }
            else
            {
                var end = dot < 0 ? path.Length : dot;
                yield return (path[position..end], null);
                position = end + 1;
            }
        }
    }
}
