using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace DataMesh.Specs;

/// <summary>Parses a YAML file into its single document's root mapping, reporting syntax errors at the parser's position.</summary>
internal static class YamlDocumentParser
{
    /// <summary>The root mapping, or null after reporting why there is none.</summary>
    public static YamlMappingNode? ParseRootMapping(string text, DiagnosticSink sink, string what)
    {
        var scanner = new Scanner(new StringReader(text));
        var stream = new YamlStream();
        try
        {
            stream.Load(new Parser(scanner));
        }
        catch (YamlException ex)
        {
            sink.Error(ex.Start, sink.Codes.Syntax, $"invalid YAML: {Sentence(ex.Message)} Fix the syntax at this position (indentation, quotes, brackets).");
            return null;
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet's scanner fails this way on some malformed flow collections; its position is still exact.
            sink.Error(scanner.CurrentPosition, sink.Codes.Syntax, "invalid YAML: unexpected content here (an unclosed '[' or '{'?). Fix the syntax at this position.");
            return null;
        }

        if (stream.Documents.Count == 0)
        {
            sink.ErrorAtStart(sink.Codes.MissingField, $"the file is empty: write the {what} as a YAML mapping.");
            return null;
        }

        if (stream.Documents.Count > 1)
        {
            sink.Error(stream.Documents[1].RootNode, sink.Codes.Syntax, $"the file holds {stream.Documents.Count} YAML documents: keep one {what} per file (remove the extra '---').");
            return null;
        }

        var root = stream.Documents[0].RootNode;
        if (root is YamlMappingNode mapping)
        {
            return mapping;
        }

        if (root is YamlScalarNode scalar && YamlScalars.IsNull(scalar))
        {
            sink.ErrorAtStart(sink.Codes.MissingField, $"the file is empty: write the {what} as a YAML mapping.");
            return null;
        }

        sink.Error(root, sink.Codes.WrongType, $"the {what} must be a YAML mapping (key: value lines), found {YamlScalars.Describe(root)}.");
        return null;
    }

    private static string Sentence(string message)
    {
        var trimmed = message.Trim();
        return trimmed.EndsWith('.') ? trimmed : trimmed + ".";
    }
}
