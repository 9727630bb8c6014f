using System.Globalization;
using System.Text.RegularExpressions;
using Semver;
using YamlDotNet.RepresentationModel;

namespace DataMesh.Specs;

/// <summary>Reads the structure of a <c>product.yaml</c> mapping (DESIGN §4); the files it names are checked by <see cref="ProductSpecLoader"/>.</summary>
internal sealed partial class ProductSpecReader
{
    public static readonly YamlDiagnosticCodes Codes = new(
        SpecDiagnosticCodes.YamlSyntax,
        SpecDiagnosticCodes.UnknownKey,
        SpecDiagnosticCodes.MissingField,
        SpecDiagnosticCodes.WrongType);

    public const string ApiVersion = "datamesh/v1";

    public const string Kind = "DataProduct";

    private static readonly string[] TopLevelKeys =
        ["apiVersion", "kind", "domain", "name", "version", "description", "owner", "tags", "inputs", "transform", "output", "sla", "access", "limits"];

    private static readonly string[] InputKeys = ["name", "landing", "product", "versions", "read", "columns", "onDrift"];
    private static readonly string[] ColumnKeys = ["name", "type", "required"];
    private static readonly string[] OwnerKeys = ["team", "email"];
    private static readonly string[] TransformKeys = ["sql"];
    private static readonly string[] OutputKeys = ["contract", "format", "mode", "key", "deleteWhen", "partitionBy", "retention"];
    private static readonly string[] SlaKeys = ["freshness"];
    private static readonly string[] AccessKeys = ["visibility", "readers"];
    private static readonly string[] Visibilities = ["public", "domain", "restricted"];
    private static readonly string[] OutputFormats = ["parquet"];
    private static readonly string[] Compressions = ["auto", "none", "gzip", "zstd"];

    /// <summary>Text encodings DuckDB reads natively.</summary>
    private static readonly string[] Encodings = ["utf-8", "latin-1", "utf-16"];

    /// <summary>Reader options accepted per landing format (besides path and format); values are checked, then passed on as text.</summary>
    private static readonly Dictionary<string, string[]> LandingOptions = new(StringComparer.Ordinal)
    {
        ["csv"] = ["delimiter", "header", "quote", "escape", "nullstr", "skip", "dateformat", "timestampformat", "compression", "encoding"],
        ["json"] = ["dateformat", "timestampformat", "compression"],
        ["ndjson"] = ["dateformat", "timestampformat", "compression"],
        ["parquet"] = [],
    };

    private readonly DiagnosticSink _sink;

    public ProductSpecReader(DiagnosticSink sink)
    {
        _sink = sink;
    }

    public string? Domain { get; private set; }

    public YamlNode? DomainNode { get; private set; }

    public string? Name { get; private set; }

    /// <summary>The version when it is valid semver.</summary>
    public string? Version { get; private set; }

    public YamlNode? VersionNode { get; private set; }

    public string? Description { get; private set; }

    public ProductOwner? Owner { get; private set; }

    public IReadOnlyList<string> Tags { get; private set; } = [];

    public IReadOnlyList<InputSpec> Inputs { get; private set; } = [];

    /// <summary>The transform SQL path when it is a valid relative path.</summary>
    public string? TransformSqlPath { get; private set; }

    public YamlNode? TransformSqlNode { get; private set; }

    /// <summary>The contract path when it is a valid relative path.</summary>
    public string? ContractPath { get; private set; }

    public YamlNode? ContractNode { get; private set; }

    public string OutputFormat { get; private set; } = "parquet";

    public IReadOnlyList<(string Column, YamlNode Node)> PartitionBy { get; private set; } = [];

    public TimeSpan? Freshness { get; private set; }

    public AccessSpec Access { get; private set; } = new();

    public void Read(YamlMappingNode root)
    {
        var spec = new YamlMappingReader(root, "", _sink);
        spec.RejectUnknownKeys(TopLevelKeys);

        var apiVersion = spec.String("apiVersion", required: true, $"add apiVersion: {ApiVersion} as the first line.");
        if (apiVersion is not null && apiVersion != ApiVersion)
        {
            _sink.Error(spec.Value("apiVersion")!, SpecDiagnosticCodes.InvalidApiVersion, $"apiVersion: '{apiVersion}' is not supported; use apiVersion: {ApiVersion}.");
        }

        var kind = spec.String("kind", required: true, $"add kind: {Kind}.");
        if (kind is not null && kind != Kind)
        {
            _sink.Error(spec.Value("kind")!, SpecDiagnosticCodes.InvalidKind, $"kind: '{kind}' is not a product spec kind; use kind: {Kind}.");
        }

        Domain = ReadKebab(spec, "domain", "the owning domain, e.g. domain: finance (it must equal the folder under pipelines/).");
        DomainNode = spec.Value("domain");
        Name = ReadKebab(spec, "name", "the product name in kebab-case, e.g. name: ledger-emea.");

        var version = spec.String("version", required: true, "the semantic version of the output, e.g. version: 1.0.0.");
        VersionNode = spec.Value("version");
        if (version is not null)
        {
            if (SemVersion.TryParse(version, SemVersionStyles.Strict, out _))
            {
                Version = version;
            }
            else
            {
                _sink.Error(VersionNode!, SpecDiagnosticCodes.InvalidVersion, $"version: '{version}' is not a semantic version; write MAJOR.MINOR.PATCH, e.g. 1.0.0.");
            }
        }

        Description = spec.String("description");
        Owner = ReadOwner(spec);
        Tags = spec.StringList("tags") ?? [];
        Inputs = ReadInputs(spec);
        ReadTransform(spec);
        ReadOutput(spec);
        Freshness = ReadFreshness(spec);
        Access = ReadAccess(spec);
        Limits = ReadLimits(spec);
    }

    /// <summary>Why <paramref name="path"/> is not a safe relative path, or null when it is.</summary>
    public static string? RelativePathProblem(string path)
    {
        if (path.StartsWith('/') || path.StartsWith('\\') || Path.IsPathRooted(path) || path.Contains("://", StringComparison.Ordinal))
        {
            return "must be a relative path (no leading '/', no URL)";
        }

        return path.Split('/', '\\').Contains("..") ? "must not climb out with '..'" : null;
    }

    private string? ReadKebab(YamlMappingReader spec, string key, string hint)
    {
        var value = spec.String(key, required: true, $"add {hint}");
        if (value is null)
        {
            return null;
        }

        if (!KebabCase().IsMatch(value))
        {
            _sink.Error(spec.Value(key)!, SpecDiagnosticCodes.InvalidName,
                $"{key}: '{value}' is not kebab-case; use lowercase letters, digits and single hyphens, starting with a letter (e.g. {Kebab(value)}).");
            return null;
        }

        return value;
    }

    private ProductOwner? ReadOwner(YamlMappingReader spec)
    {
        var owner = spec.Mapping("owner");
        if (owner is null)
        {
            return null;
        }

        owner.RejectUnknownKeys(OwnerKeys);
        return new ProductOwner(owner.String("team"), owner.String("email"));
    }

    private List<InputSpec> ReadInputs(YamlMappingReader spec)
    {
        var inputs = new List<InputSpec>();
        var hint = "list at least one input, e.g. inputs: [{ name: gl_entries, landing: { path: ledger/emea/, format: csv } }].";
        var sequence = spec.Sequence("inputs", required: true, hint);
        if (sequence is null)
        {
            return inputs;
        }

        if (sequence.Children.Count == 0)
        {
            _sink.Error(sequence, SpecDiagnosticCodes.MissingField, $"inputs: the list is empty; {hint}");
            return inputs;
        }

        var names = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var item in spec.MappingItems(sequence, "inputs"))
        {
            var input = ReadInput(item, names);
            if (input is not null)
            {
                inputs.Add(input);
            }
        }

        return inputs;
    }

    private InputSpec? ReadInput(YamlMappingReader input, Dictionary<string, string> names)
    {
        input.RejectUnknownKeys(InputKeys);
        var name = input.String("name", required: true, "name the input; it becomes the DuckDB view the transform reads, e.g. name: gl_entries.");
        if (name is not null)
        {
            if (!SqlIdentifier().IsMatch(name))
            {
                _sink.Error(input.Value("name")!, SpecDiagnosticCodes.InvalidInputName,
                    $"{input.FieldPath("name")}: '{name}' is not a SQL identifier; use snake_case (lowercase letters, digits, '_', not starting with a digit), e.g. {Snake(name)}.");
                name = null;
            }
            else if (names.TryGetValue(name, out var firstPath))
            {
                _sink.Error(input.Value("name")!, SpecDiagnosticCodes.DuplicateInputName,
                    $"{input.FieldPath("name")}: '{name}' is already used by {firstPath}; each input needs its own view name.");
                name = null;
            }
            else
            {
                names[name] = input.Path;
            }
        }

        var hasLanding = input.Has("landing");
        var hasProduct = input.Has("product");
        if (hasLanding && hasProduct)
        {
            _sink.Error(input.KeyNode("product")!, SpecDiagnosticCodes.InvalidInputSource,
                $"{input.Path}: has both landing and product; an input reads either a landing feed or another product, so keep one.");
        }
        else if (!hasLanding && !hasProduct)
        {
            _sink.Error(input.Node, SpecDiagnosticCodes.InvalidInputSource,
                $"{input.Path}: says where its data comes from with neither landing nor product; add landing: {{ path: ..., format: csv }} or product: <domain>.<name>.");
        }

        var landing = hasLanding ? ReadLanding(input) : null;
        var product = hasProduct ? ReadProductReference(input) : null;
        string? versions = null;
        var versionsNode = input.Value("versions");
        if (versionsNode is not null && !hasProduct)
        {
            _sink.Error(input.KeyNode("versions")!, SpecDiagnosticCodes.InvalidInputSource,
                $"{input.FieldPath("versions")}: only applies to product inputs; remove it or read a product with product: <domain>.<name>.");
        }
        else if (hasProduct)
        {
            versions = input.String("versions") ?? "*";
            if (versionsNode is not null && (string.IsNullOrWhiteSpace(versions) || !SemVersionRange.TryParseNpm(versions, out _)))
            {
                _sink.Error(versionsNode, SpecDiagnosticCodes.InvalidVersionRange,
                    $"{input.FieldPath("versions")}: '{versions}' is not an npm-style semver range; write e.g. ^1, ~1.2, >=1.0.0 <2.0.0 or * (the default).");
                versions = null;
            }
        }

        var read = ReadUpstreamRead(input, hasProduct);
        var columns = ReadColumns(input);
        var onDrift = ReadDriftPolicy(input, hasLanding, columns.Count > 0);
        if (name is null || (landing is null && product is null) || (hasLanding && hasProduct))
        {
            return null;
        }

        return new InputSpec
        {
            Name = name,
            Landing = landing,
            Product = product,
            Versions = product is null ? null : versions,
            Read = read,
            Columns = columns,
            OnDrift = onDrift,
        };
    }

    private LandingSpec? ReadLanding(YamlMappingReader input)
    {
        var landing = input.Mapping("landing");
        if (landing is null)
        {
            return null;
        }

        var path = landing.String("path", required: true, "give the blob prefix inside the landing container, e.g. path: ledger/emea/.");
        if (path is not null && RelativePathProblem(path) is { } problem)
        {
            _sink.Error(landing.Value("path")!, SpecDiagnosticCodes.InvalidRelativePath,
                $"{landing.FieldPath("path")}: '{path}' {problem}; it is a prefix inside the domain's landing container, e.g. ledger/emea/.");
            path = null;
        }

        var format = landing.String("format", required: true, $"add format: one of {string.Join(", ", LandingOptions.Keys)}.");
        string[] options;
        if (format is not null && LandingOptions.TryGetValue(format, out var known))
        {
            options = known;
        }
        else
        {
            if (format is not null)
            {
                _sink.Error(landing.Value("format")!, SpecDiagnosticCodes.InvalidLandingFormat,
                    $"{landing.FieldPath("format")}: '{format}' is not a supported format; use one of {string.Join(", ", LandingOptions.Keys)}.");
                format = null;
            }

            options = LandingOptions.Values.SelectMany(o => o).Distinct(StringComparer.Ordinal).ToArray();
        }

        landing.RejectUnknownKeys(["path", "format", .. options]);
        var values = ReadLandingOptions(landing, options);
        return path is null || format is null ? null : new LandingSpec { Path = path, Format = format, Options = values };
    }

    private Dictionary<string, string> ReadLandingOptions(YamlMappingReader landing, string[] options)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var option in options.Where(landing.Has))
        {
            string? value;
            string? problem = null;
            switch (option)
            {
                case "header":
                    value = landing.Boolean(option) is { } header ? (header ? "true" : "false") : null;
                    break;
                case "skip":
                    var skip = landing.Number(option);
                    value = skip?.ToString(CultureInfo.InvariantCulture);
                    if (skip is not null && (skip < 0 || skip != decimal.Truncate(skip.Value)))
                    {
                        problem = "must be a whole number of lines, 0 or more";
                    }

                    break;
                case "delimiter":
                    value = landing.String(option);
                    if (value is not null && value.Length is < 1 or > 4)
                    {
                        problem = "must be 1 to 4 characters, e.g. ';' or \"\\t\"";
                    }

                    break;
                case "quote" or "escape":
                    value = landing.String(option);
                    if (value is not null && value.Length != 1)
                    {
                        problem = "must be a single character, e.g. '\"'";
                    }

                    break;
                case "encoding":
                    value = landing.String(option)?.ToLowerInvariant();
                    if (value is not null && !Encodings.Contains(value, StringComparer.Ordinal))
                    {
                        problem = $"must be one of {string.Join(", ", Encodings)}";
                    }

                    break;
                case "compression":
                    value = landing.String(option);
                    if (value is not null && !Compressions.Contains(value, StringComparer.Ordinal))
                    {
                        problem = $"must be one of {string.Join(", ", Compressions)}";
                    }

                    break;
                default:
                    value = landing.String(option);
                    break;
            }

            if (problem is not null)
            {
                _sink.Error(landing.Value(option)!, SpecDiagnosticCodes.InvalidLandingOption, $"{landing.FieldPath(option)}: '{value}' {problem}.");
            }
            else if (value is not null)
            {
                values[option] = value;
            }
        }

        return values;
    }

    private string? ReadProductReference(YamlMappingReader input)
    {
        var product = input.String("product");
        if (product is null)
        {
            return null;
        }

        if (!ProductReference().IsMatch(product))
        {
            _sink.Error(input.Value("product")!, SpecDiagnosticCodes.InvalidProductReference,
                $"{input.FieldPath("product")}: '{product}' is not a product id; write <domain>.<name> in kebab-case, e.g. treasury.fx-rates.");
            return null;
        }

        if (Domain is not null && Name is not null && product == $"{Domain}.{Name}")
        {
            _sink.Error(input.Value("product")!, SpecDiagnosticCodes.InvalidProductReference,
                $"{input.FieldPath("product")}: the product reads its own output; name another product.");
            return null;
        }

        return product;
    }

    private List<InputColumn> ReadColumns(YamlMappingReader input)
    {
        var columns = new List<InputColumn>();
        var sequence = input.Sequence("columns");
        if (sequence is null)
        {
            return columns;
        }

        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var column in input.MappingItems(sequence, "columns"))
        {
            var name = column.String("name", required: true, "name the column as it appears in the input, e.g. name: entry_id.");
            var type = column.Has("type")
                ? column.TypeText("type", SpecDiagnosticCodes.UnquotedComma)
                : column.String("type", required: true, "give its DuckDB type, e.g. type: varchar or type: decimal(18,2).");
            var required = column.Boolean("required") ?? false;
            column.RejectUnknownKeys(ColumnKeys);
            if (name is not null && !names.Add(name))
            {
                _sink.Error(column.Value("name")!, SpecDiagnosticCodes.InvalidColumn,
                    $"{column.FieldPath("name")}: column '{name}' is declared twice (names are case-insensitive); keep one.");
                name = null;
            }

            if (type is not null && !ColumnType().IsMatch(type))
            {
                _sink.Error(column.Value("type")!, SpecDiagnosticCodes.InvalidColumn,
                    $"{column.FieldPath("type")}: '{type}' is not a DuckDB type; write e.g. varchar, bigint, decimal(18,2), date, timestamp.");
                type = null;
            }
            else if (type is not null && DuckDbColumnTypes.Problem(type) is { } problem)
            {
                _sink.Error(column.Value("type")!, SpecDiagnosticCodes.UnknownColumnType,
                    $"{column.FieldPath("type")}: {problem}; write a DuckDB type, e.g. varchar, bigint, integer, double, decimal(18,2), date, timestamp, timestamp with time zone.");
                type = null;
            }

            if (name is not null && type is not null)
            {
                columns.Add(new InputColumn(name, type, required));
            }
        }

        return columns;
    }

    private void ReadTransform(YamlMappingReader spec)
    {
        var transform = spec.Mapping("transform", required: true, "add transform: { sql: transform.sql } naming the DuckDB SELECT that builds the output.");
        if (transform is null)
        {
            return;
        }

        transform.RejectUnknownKeys(TransformKeys);
        var sql = transform.String("sql", required: true, "name the SQL file, e.g. sql: transform.sql.");
        TransformSqlNode = transform.Value("sql");
        TransformSqlPath = CheckFilePath(transform, "sql", sql);
    }

    private void ReadOutput(YamlMappingReader spec)
    {
        var output = spec.Mapping("output", required: true, "add output: { contract: contract.odcs.yaml } naming the ODCS contract of the output.");
        if (output is null)
        {
            return;
        }

        output.RejectUnknownKeys(OutputKeys);
        var contract = output.String("contract", required: true, "name the ODCS contract file, e.g. contract: contract.odcs.yaml.");
        ContractNode = output.Value("contract");
        ContractPath = CheckFilePath(output, "contract", contract);

        var format = output.String("format");
        if (format is not null && !OutputFormats.Contains(format, StringComparer.Ordinal))
        {
            _sink.Error(output.Value("format")!, SpecDiagnosticCodes.InvalidOutputFormat,
                $"{output.FieldPath("format")}: '{format}' is not a supported output format; use parquet (the default).");
        }
        else if (format is not null)
        {
            OutputFormat = format;
        }

        var columns = output.StringList("partitionBy");
        if (columns is not null && output.Value("partitionBy") is YamlSequenceNode partitionBy)
        {
            PartitionBy = partitionBy.Children
                .Where(n => n is YamlScalarNode s && !YamlScalars.IsNull(s))
                .Select(n => (((YamlScalarNode)n).Value!, n))
                .ToList();
        }

        ReadOutputMode(output);
    }

    private string? CheckFilePath(YamlMappingReader mapping, string key, string? path)
    {
        if (path is null)
        {
            return null;
        }

        if (RelativePathProblem(path) is { } problem)
        {
            _sink.Error(mapping.Value(key)!, SpecDiagnosticCodes.InvalidRelativePath,
                $"{mapping.FieldPath(key)}: '{path}' {problem}; keep the file inside the product folder.");
            return null;
        }

        return path;
    }

    private TimeSpan? ReadFreshness(YamlMappingReader spec)
    {
        var sla = spec.Mapping("sla");
        if (sla is null)
        {
            return null;
        }

        sla.RejectUnknownKeys(SlaKeys);
        var text = sla.String("freshness");
        if (text is null)
        {
            return null;
        }

        TimeSpan? freshness;
        try
        {
            freshness = System.Xml.XmlConvert.ToTimeSpan(text);
        }
        catch (FormatException)
        {
            freshness = null;
        }
        catch (OverflowException)
        {
            freshness = null;
        }

        if (freshness is null || freshness <= TimeSpan.Zero)
        {
            _sink.Error(sla.Value("freshness")!, SpecDiagnosticCodes.InvalidFreshness,
                $"{sla.FieldPath("freshness")}: '{text}' is not a positive ISO 8601 duration; write e.g. PT24H (24 hours), P1D (1 day) or PT30M.");
            return null;
        }

        return freshness;
    }

    private AccessSpec ReadAccess(YamlMappingReader spec)
    {
        var access = spec.Mapping("access");
        if (access is null)
        {
            return new AccessSpec();
        }

        access.RejectUnknownKeys(AccessKeys);
        var visibility = access.String("visibility");
        if (visibility is not null && !Visibilities.Contains(visibility, StringComparer.Ordinal))
        {
            _sink.Error(access.Value("visibility")!, SpecDiagnosticCodes.InvalidVisibility,
                $"{access.FieldPath("visibility")}: '{visibility}' is not a visibility; use public, domain or restricted (with readers).");
            visibility = null;
        }

        var readers = access.StringList("readers") ?? [];
        return visibility is null ? new AccessSpec { Readers = readers } : new AccessSpec { Visibility = visibility, Readers = readers };
    }

    private static string Kebab(string value)
    {
        var words = NonAlphanumeric().Split(SnakeBoundary().Replace(value, "$1-$2").ToLowerInvariant()).Where(w => w.Length > 0);
        var result = string.Join('-', words);
        return result.Length > 0 && char.IsAsciiLetterLower(result[0]) ? result : "my-product";
    }

    private static string Snake(string value)
    {
        var result = Kebab(value).Replace('-', '_');
        return result == "my_product" ? "my_input" : result;
    }

    [GeneratedRegex("^[a-z][a-z0-9]*(-[a-z0-9]+)*$", RegexOptions.CultureInvariant)]
    private static partial Regex KebabCase();

    [GeneratedRegex("^[a-z_][a-z0-9_]*$", RegexOptions.CultureInvariant)]
    private static partial Regex SqlIdentifier();

    [GeneratedRegex(@"^[a-z][a-z0-9]*(-[a-z0-9]+)*\.[a-z][a-z0-9]*(-[a-z0-9]+)*$", RegexOptions.CultureInvariant)]
    private static partial Regex ProductReference();

    // Letters, digits, spaces, parentheses, commas and brackets: every DuckDB scalar, decimal and list type, and nothing that could close a SQL string.
    [GeneratedRegex(@"^[A-Za-z][A-Za-z0-9_ ,()\[\]]*$", RegexOptions.CultureInvariant)]
    private static partial Regex ColumnType();

    [GeneratedRegex("[^a-z0-9]+", RegexOptions.CultureInvariant)]
    private static partial Regex NonAlphanumeric();

    [GeneratedRegex("([a-z0-9])([A-Z])", RegexOptions.CultureInvariant)]
    private static partial Regex SnakeBoundary();
}
