using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using DataMesh.Specs;
using Json.Schema;
using YamlDotNet.Core;

namespace DataMesh.Governance;

/// <summary>
/// Checks contracts against the official ODCS JSON schema of their <c>apiVersion</c> (v3.1.0, or v3.0.2 for v3.0.x),
/// so that a contract the standard rejects is rejected too (code DM2030, at the offending field).
/// </summary>
/// <remarks>
/// The schemas are not shipped with the platform (they are the standard's files, under its licence): the
/// validator reads them from a folder, <c>DATAMESH_ODCS_SCHEMAS</c> or a <c>shared/standards/odcs</c> folder above
/// the working directory. Without them, <see cref="Locate"/> returns null and the check is skipped.
/// </remarks>
public sealed class OdcsSchemaValidator
{
    /// <summary>The environment variable naming the folder of <c>odcs-json-schema-v3.*.json</c>.</summary>
    public const string FolderVariable = "DATAMESH_ODCS_SCHEMAS";

    private const int MaxFindingsPerContract = 10;

    private static readonly string[] SchemaFiles = ["odcs-json-schema-v3.1.0.json", "odcs-json-schema-v3.0.2.json"];

    private readonly Dictionary<string, JsonSchema> _schemas = new(StringComparer.Ordinal);
    private readonly Dictionary<string, JsonNode> _schemaTexts = new(StringComparer.Ordinal);

    private OdcsSchemaValidator(string folder)
    {
        Folder = folder;
    }

    /// <summary>The folder the schemas are read from.</summary>
    public string Folder { get; }

    /// <summary>A validator over the schemas in <paramref name="folder"/>.</summary>
    /// <exception cref="FileNotFoundException">The folder lacks one of the two schema files.</exception>
    public static OdcsSchemaValidator FromFolder(string folder)
    {
        var full = Path.GetFullPath(folder);
        foreach (var file in SchemaFiles)
        {
            if (!File.Exists(Path.Combine(full, file)))
            {
                throw new FileNotFoundException($"The ODCS schema {file} is not in {full}.", Path.Combine(full, file));
            }
        }

        return new OdcsSchemaValidator(full);
    }

    /// <summary>
    /// The validator over the schemas in <c>$DATAMESH_ODCS_SCHEMAS</c>, else in the nearest <c>shared/standards/odcs</c>
    /// above <paramref name="startDirectory"/>; null when neither holds them (the check is then skipped).
    /// </summary>
    public static OdcsSchemaValidator? Locate(string startDirectory)
    {
        var configured = Environment.GetEnvironmentVariable(FolderVariable);
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return HasSchemas(configured) ? new OdcsSchemaValidator(Path.GetFullPath(configured)) : null;
        }

        for (var directory = new DirectoryInfo(Path.GetFullPath(startDirectory)); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "shared", "standards", "odcs");
            if (HasSchemas(candidate))
            {
                return new OdcsSchemaValidator(candidate);
            }
        }

        return null;
    }

    /// <summary>Every way the contract at <paramref name="contractPath"/> breaks its ODCS schema (errors, at the field).</summary>
    /// <remarks>A file that is not YAML, or names no supported <c>apiVersion</c>, yields nothing here: the contract loader reports it.</remarks>
    public IReadOnlyList<SpecDiagnostic> Validate(string contractPath)
    {
        var fullPath = Path.GetFullPath(contractPath);
        YamlJson document;
        try
        {
            document = YamlJson.Parse(File.ReadAllText(fullPath));
        }
        catch (YamlException)
        {
            return [];
        }

        var apiVersion = (document.Root as JsonObject)?["apiVersion"]?.GetValueKind() == JsonValueKind.String
            ? document.Root!["apiVersion"]!.GetValue<string>()
            : null;
        var schemaFile = apiVersion switch
        {
            "v3.1.0" => SchemaFiles[0],
            "v3.0.0" or "v3.0.1" or "v3.0.2" => SchemaFiles[1],
            _ => null,
        };
        if (schemaFile is null)
        {
            return [];
        }

        var instance = JsonSerializer.SerializeToElement(document.Root);
        var results = Schema(schemaFile).Evaluate(instance, new EvaluationOptions { OutputFormat = OutputFormat.Hierarchical });
        if (results.IsValid)
        {
            return [];
        }

        var file = DisplayPath.For(fullPath);
        return Findings(results, SchemaText(schemaFile))
            .Take(MaxFindingsPerContract)
            .Select(f =>
            {
                var (line, column) = document.Locate(f.Pointer);
                return new SpecDiagnostic(file, line, column, PolicyDiagnosticCodes.OdcsSchemaViolation,
                    $"{YamlJson.FieldPath(f.Pointer)}: {f.Message}; the ODCS {apiVersion} JSON schema ({schemaFile}) rejects the contract, so fix it to the standard.");
            })
            .ToList();
    }

    /// <summary>
    /// The findings worth showing: failures inside <c>if</c> branches are not failures, and an
    /// <c>unevaluatedProperties</c> failure inside an object that has other failures is an artefact of them (a failed
    /// branch evaluates nothing), so it waits until those are fixed. One finding per location, in document order.
    /// </summary>
    private static IEnumerable<(string Pointer, string Message)> Findings(EvaluationResults results, JsonNode schema)
    {
        var errors = new List<(string Pointer, string Keyword, string Message)>();
        Collect(results, schema, errors);
        var real = errors.Where(e => e.Keyword != "unevaluatedProperties").ToList();
        var shown = errors.Where(e => e.Keyword != "unevaluatedProperties"
            || !real.Exists(r => r.Pointer.StartsWith(Parent(e.Pointer) + "/", StringComparison.Ordinal)));
        foreach (var group in shown.GroupBy(e => e.Pointer, StringComparer.Ordinal))
        {
            var chosen = group.OrderBy(e => IsUnknownKey(e.Keyword) ? 1 : 0).First();
            yield return (group.Key, IsUnknownKey(chosen.Keyword)
                ? $"'{LastSegment(group.Key)}' is not a field ODCS defines here"
                : Sentence(chosen.Message));
        }
    }

    /// <summary>The errors of failed nodes reached through failed nodes only: a passing oneOf or if/then hides its failed branches.</summary>
    private static void Collect(EvaluationResults node, JsonNode schema, List<(string Pointer, string Keyword, string Message)> errors)
    {
        if (node.IsValid || node.EvaluationPath.ToString().EndsWith("/if", StringComparison.Ordinal))
        {
            return;
        }

        foreach (var (keyword, message) in node.Errors ?? new Dictionary<string, string>())
        {
            var text = keyword == "enum" && EnumValues(schema, node.SchemaLocation) is { } values
                ? $"{Sentence(message)} ({values})"
                : message;
            errors.Add((node.InstanceLocation.ToString(), keyword.Length > 0 ? keyword : LastSegment(node.EvaluationPath.ToString()), text));
        }

        foreach (var child in node.Details ?? [])
        {
            Collect(child, schema, errors);
        }
    }

    /// <summary>The allowed values of the <c>enum</c> at <paramref name="location"/> in the raw schema, as "one of a, b, c".</summary>
    private static string? EnumValues(JsonNode schema, Uri location)
    {
        JsonNode? node = schema;
        foreach (var segment in Uri.UnescapeDataString(location.Fragment.TrimStart('#')).Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            var name = segment.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
            node = node switch
            {
                JsonObject obj => obj[name],
                JsonArray array when int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index < array.Count => array[index],
                _ => null,
            };
        }

        return (node as JsonObject)?["enum"] is JsonArray values ? "one of " + string.Join(", ", values.Select(v => v?.ToJsonString())) : null;
    }

    private static bool IsUnknownKey(string keyword) => keyword is "unevaluatedProperties" or "additionalProperties";

    private static string Parent(string pointer) => pointer.LastIndexOf('/') is var i and >= 0 ? pointer[..i] : "";

    private static string LastSegment(string pointer) => pointer[(pointer.LastIndexOf('/') + 1)..].Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);

    private static string Sentence(string message) => message.TrimEnd('.').Replace("\\u0022", "\"", StringComparison.Ordinal);

    private static bool HasSchemas(string folder) => SchemaFiles.All(f => File.Exists(Path.Combine(folder, f)));

    private JsonNode SchemaText(string file)
    {
        lock (_schemaTexts)
        {
            if (!_schemaTexts.TryGetValue(file, out var node))
            {
                node = JsonNode.Parse(File.ReadAllText(Path.Combine(Folder, file)))!;
                _schemaTexts[file] = node;
            }

            return node;
        }
    }

    private JsonSchema Schema(string file)
    {
        lock (_schemas)
        {
            if (!_schemas.TryGetValue(file, out var schema))
            {
                // A registry per schema: both files have the same anchors and must not resolve into each other.
                schema = JsonSchema.FromText(File.ReadAllText(Path.Combine(Folder, file)), new BuildOptions { SchemaRegistry = new SchemaRegistry() });
                _schemas[file] = schema;
            }

            return schema;
        }
    }
}
