using System.Text.RegularExpressions;
using DataMesh.Engine;
using DataMesh.Specs;
using Semver;
using YamlDotNet.RepresentationModel;

namespace DataMesh.Contracts;

/// <summary>Reads one ODCS contract file into a <see cref="DataContract"/>, collecting every diagnostic.</summary>
internal sealed partial class ContractReader
{
    internal static readonly YamlDiagnosticCodes Codes = new(
        ContractDiagnosticCodes.YamlSyntax,
        ContractDiagnosticCodes.UnknownKey,
        ContractDiagnosticCodes.MissingField,
        ContractDiagnosticCodes.WrongType);

    private static readonly string[] LogicalTypes = ["string", "date", "timestamp", "time", "number", "integer", "object", "array", "boolean"];

    private readonly DiagnosticSink _sink;
    private readonly string _fullPath;
    private readonly string? _text;
    private readonly bool _requireSchema;
    private readonly QualityRuleReader _rules;

    /// <summary>
    /// Whether keys, custom property names and masking kinds are checked (DM2050-DM2052): for contract files; not for text
    /// already published or committed (a release's snapshot, a git revision), which is only read to compare with, and
    /// must not stop loading because the platform grew stricter since.
    /// </summary>
    private readonly bool _strict;

    private ContractReader(string fullPath, bool requireSchema, string? text, string displayName)
    {
        _strict = text is null;
        _fullPath = fullPath;
        _text = text;
        _requireSchema = requireSchema;
        _sink = new DiagnosticSink(displayName, Codes);
        _rules = new QualityRuleReader(_sink);
    }

    public IReadOnlyList<SpecDiagnostic> Diagnostics => _sink.Diagnostics;

    /// <summary>The contract, when it has no errors.</summary>
    public DataContract? Contract { get; private set; }

    /// <summary>The <c>version</c> as written (even when other fields have errors), for cross-checks.</summary>
    public string? DeclaredVersion { get; private set; }

    public static ContractReader Read(string fullPath, bool requireSchema)
    {
        var reader = new ContractReader(fullPath, requireSchema, text: null, DisplayPath.For(fullPath));
        reader.Read();
        return reader;
    }

    /// <summary>Reads contract text that is not a file of its own (a release's snapshot, a git revision); <paramref name="source"/> names it in diagnostics and in <see cref="DataContract.Path"/>.</summary>
    public static ContractReader Parse(string text, string source, bool requireSchema)
    {
        var reader = new ContractReader(source, requireSchema, text, source);
        reader.Read();
        return reader;
    }

    private void Read()
    {
        string text;
        try
        {
            text = _text ?? File.ReadAllText(_fullPath);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _sink.ErrorAtStart(ContractDiagnosticCodes.ContractFileNotFound, $"cannot read the contract: {ex.Message}");
            return;
        }

        var root = YamlDocumentParser.ParseRootMapping(text, _sink, "data contract");
        if (root is null)
        {
            return;
        }

        // Every key of the document, against the ODCS objects' keys (not only the fields read below).
        if (_strict)
        {
            OdcsKeyCheck.Check(root, _sink);
        }

        var contract = new YamlMappingReader(root, "", _sink);
        var apiVersion = contract.String("apiVersion", required: true, "add apiVersion: v3.1.0 (ODCS v3.0.x and v3.1.0 are supported).");
        if (apiVersion is not null && !ApiVersionPattern().IsMatch(apiVersion))
        {
            _sink.Error(contract.Value("apiVersion")!, ContractDiagnosticCodes.InvalidApiVersion,
                $"apiVersion: '{apiVersion}' is not a supported ODCS version; use v3.1.0 (or v3.0.x).");
        }

        var kind = contract.String("kind", required: true, "add kind: DataContract.");
        if (kind is not null && kind != "DataContract")
        {
            _sink.Error(contract.Value("kind")!, ContractDiagnosticCodes.InvalidKind, $"kind: '{kind}' is not an ODCS contract kind; use kind: DataContract.");
        }

        var id = contract.String("id", required: true, "add a stable contract id (e.g. a UUID or finance.ledger-emea).");
        var name = contract.String("name");
        var version = contract.String("version", required: true, "add the contract version; it must equal the product's version.");
        if (version is not null && !SemVersion.TryParse(version, SemVersionStyles.Strict, out _))
        {
            _sink.Error(contract.Value("version")!, ContractDiagnosticCodes.InvalidVersion,
                $"version: '{version}' is not a semantic version; write MAJOR.MINOR.PATCH, e.g. 1.0.0.");
            version = null;
        }

        DeclaredVersion = version;
        var status = contract.String("status");
        var schema = ReadSchema(contract);

        if (_sink.HasErrors)
        {
            return;
        }

        Contract = new DataContract
        {
            ApiVersion = apiVersion!,
            Kind = kind!,
            Id = id!,
            Name = name,
            Version = version!,
            Status = status,
            Schema = schema,
            Path = _fullPath,
            UnsupportedQuality = _rules.Unsupported,
        };
    }

    private List<SchemaObject> ReadSchema(YamlMappingReader contract)
    {
        var objects = new List<SchemaObject>();
        var hint = "add schema: with one object (name, properties) describing the output.";
        var sequence = contract.Sequence("schema");
        if (sequence is null || sequence.Children.Count == 0)
        {
            if (_requireSchema && (sequence is not null || contract.Value("schema") is null))
            {
                _sink.Error(sequence?.Start ?? contract.KeyNode("schema")?.Start ?? contract.Node.Start, ContractDiagnosticCodes.EmptySchema,
                    $"schema: the contract has no schema object; {hint}");
            }

            return objects;
        }

        _rules.ReserveExplicitNames(sequence);
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var item in contract.MappingItems(sequence, "schema"))
        {
            var objectName = item.String("name", required: true, "name the schema object (the output table), e.g. name: ledger_entries.");
            if (objectName is not null && !names.Add(objectName))
            {
                _sink.Error(item.Value("name")!, ContractDiagnosticCodes.DuplicateName, $"{item.FieldPath("name")}: another schema object is already named '{objectName}'; give each object its own name.");
            }

            var owner = objectName ?? item.Path;
            var properties = ReadProperties(item, owner);
            var quality = _rules.ReadList(item, owner, property: null);
            if (objectName is not null)
            {
                objects.Add(new SchemaObject
                {
                    Name = objectName,
                    PhysicalName = item.String("physicalName"),
                    Description = item.String("description"),
                    Properties = properties,
                    Quality = quality,
                });
            }
        }

        return objects;
    }

    private List<ContractProperty> ReadProperties(YamlMappingReader schemaObject, string objectName)
    {
        var properties = new List<ContractProperty>();
        var hint = "list the columns under properties: (each with name and logicalType or physicalType).";
        var sequence = schemaObject.Sequence("properties");
        if (sequence is null || sequence.Children.Count == 0)
        {
            if (_requireSchema && (sequence is not null || schemaObject.Value("properties") is null))
            {
                _sink.Error(sequence?.Start ?? schemaObject.KeyNode("properties")?.Start ?? schemaObject.Node.Start, ContractDiagnosticCodes.EmptySchema,
                    $"{schemaObject.FieldPath("properties")}: the object has no properties; {hint}");
            }

            return properties;
        }

        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var item in schemaObject.MappingItems(sequence, "properties"))
        {
            var name = item.String("name", required: true, "name the column, e.g. name: amount.");
            if (name is not null && !names.Add(name))
            {
                _sink.Error(item.Value("name")!, ContractDiagnosticCodes.DuplicateName,
                    $"{item.FieldPath("name")}: object '{objectName}' already has a property '{name}' (names are case-insensitive in DuckDB); rename one.");
            }

            var logicalType = item.String("logicalType");
            if (logicalType is not null && !LogicalTypes.Contains(logicalType, StringComparer.Ordinal))
            {
                _sink.Error(item.Value("logicalType")!, ContractDiagnosticCodes.InvalidLogicalType,
                    $"{item.FieldPath("logicalType")}: '{logicalType}' is not an ODCS logical type; use one of {string.Join(", ", LogicalTypes)} (put engine types such as decimal(18,2) in physicalType).");
            }

            var property = new ContractProperty
            {
                Name = name ?? item.Path,
                LogicalType = logicalType,
                PhysicalType = item.String("physicalType"),
                Required = item.Boolean("required") ?? false,
                Unique = item.Boolean("unique") ?? false,
                PrimaryKey = item.Boolean("primaryKey") ?? false,
                Classification = item.String("classification"),
                Description = item.String("description"),
                Masking = ReadCustomProperty(item, "masking"),
                MaskingScope = ReadCustomProperty(item, "maskingScope"),
                Quality = _rules.ReadList(item, name ?? item.Path, property: name ?? item.Path),
            };
            if (_strict && property.Masking is { } masking && !Masking.Kinds.Contains(masking.Trim().ToLowerInvariant(), StringComparer.Ordinal)
                && CustomPropertyEntry(item, "masking") is { } maskingEntry)
            {
                var near = Spelling.Closest(masking.Trim().ToLowerInvariant(), Masking.Kinds);
                _sink.Error(maskingEntry.Children.TryGetValue(new YamlScalarNode("value"), out var valueNode) ? valueNode : maskingEntry, ContractDiagnosticCodes.UnknownMaskingKind,
                    $"{item.FieldPath("customProperties.masking")}: '{masking}' is not a masking kind{(near is null ? "" : $" (did you mean '{near}'?)")}; "
                    + $"use one of {string.Join(", ", Masking.Kinds)} (value: \"null\" quoted, or null, publishes no value).");
            }

            // A scope names the key a hash is keyed with; on any other masking it would be silently ignored.
            if (property.MaskingScope is not null && !string.Equals(property.Masking?.Trim(), "hash", StringComparison.OrdinalIgnoreCase)
                && CustomPropertyEntry(item, "maskingScope") is { } scope)
            {
                _sink.Error(scope, ContractDiagnosticCodes.MaskingScopeWithoutHash,
                    $"{item.FieldPath("customProperties.maskingScope")}: column '{property.Name}' declares a maskingScope but its masking is "
                    + $"{(property.Masking is null ? "not set" : $"'{property.Masking}'")}; a scope only applies to masking: hash. "
                    + "Set { property: masking, value: hash } or remove the maskingScope entry.");
            }

            if (name is not null)
            {
                properties.Add(property);
            }
        }

        return properties;
    }

    /// <summary>
    /// The value of the ODCS <c>customProperties</c> entry <c>{ property: NAME, value: ... }</c> (<c>masking</c>,
    /// <c>maskingScope</c>). Other entries are not read: ODCS lets their values be anything. The value is checked by the
    /// governance policy that uses it.
    /// </summary>
    private string? ReadCustomProperty(YamlMappingReader property, string name)
    {
        if (property.Value("customProperties") is not YamlSequenceNode entries)
        {
            return null;
        }

        foreach (var entry in entries.Children.OfType<YamlMappingNode>())
        {
            if (entry.Children.TryGetValue(new YamlScalarNode("property"), out var key) && key is YamlScalarNode { Value: var found } && found == name
                && entry.Children.TryGetValue(new YamlScalarNode("value"), out var value))
            {
                // value: null (unquoted) is YAML's null, and means "masked as null" here.
                return YamlScalars.IsNull(value) ? "null" : YamlMappingReader.AsString(value, property.FieldPath("customProperties." + name), _sink);
            }
        }

        return null;
    }

    /// <summary>The <c>customProperties</c> entry <c>{ property: NAME, ... }</c> itself (where a diagnostic points).</summary>
    private static YamlMappingNode? CustomPropertyEntry(YamlMappingReader property, string name) =>
        property.Value("customProperties") is YamlSequenceNode entries
            ? entries.Children.OfType<YamlMappingNode>().FirstOrDefault(entry =>
                entry.Children.TryGetValue(new YamlScalarNode("property"), out var key) && key is YamlScalarNode { Value: var found } && found == name)
            : null;

    [GeneratedRegex(@"^v3\.0\.\d+$|^v3\.1\.0$", RegexOptions.CultureInvariant)]
    private static partial Regex ApiVersionPattern();
}
