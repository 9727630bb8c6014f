using DataMesh.Specs;

namespace DataMesh.Engine;

/// <summary>Builds the DuckDB view over an input port's files, with declared column types applied.</summary>
public static class InputViewSql
{
    private static readonly Dictionary<string, string> CsvOptions = new(StringComparer.OrdinalIgnoreCase)
    {
        ["delimiter"] = "delim",
        ["delim"] = "delim",
        ["quote"] = "quote",
        ["escape"] = "escape",
        ["header"] = "header",
        ["nullstr"] = "nullstr",
        ["null"] = "nullstr",
        ["dateformat"] = "dateformat",
        ["timestampformat"] = "timestampformat",
        ["skip"] = "skip",
        ["encoding"] = "encoding",
        ["compression"] = "compression",
    };

    private static readonly HashSet<string> BooleanOrNumber = new(StringComparer.OrdinalIgnoreCase) { "header", "skip" };

    /// <summary><c>CREATE VIEW "name" AS SELECT * FROM read_xxx([...files...], ...)</c>.</summary>
    public static string CreateView(InputSpec input, IReadOnlyList<string> files)
    {
        var landing = input.Landing ?? throw new ArgumentException($"Input '{input.Name}' is not a landing input.", nameof(input));
        var fileList = Sql.List(files);
        var reader = landing.Format.ToLowerInvariant() switch
        {
            // Without declared columns every file is read by its own header's names: files may order or add columns differently.
            "csv" => CsvReader(input, files, unionByName: files.Count > 1),
            "json" => $"read_json({fileList}, format = 'array'{JsonColumns(input)})",
            "ndjson" => $"read_json({fileList}, format = 'newline_delimited'{JsonColumns(input)})",
            "parquet" => $"read_parquet({fileList}, union_by_name = true)",
            var other => throw new InvalidOperationException($"Input '{input.Name}': unsupported landing format '{other}' (csv, json, ndjson, parquet)."),
        };
        return $"CREATE VIEW {Sql.Identifier(input.Name)} AS SELECT * FROM {reader}";
    }

    /// <summary>
    /// <c>read_csv(...)</c> with the port's dialect options; <paramref name="types"/> (declared columns present in the
    /// file) are applied by name, and with a rejects table, rows that do not parse or cast are recorded, not fatal.
    /// <paramref name="sniffed"/> holds dialect options detected earlier (DuckDB names: <c>delim</c>, <c>new_line</c>,
    /// <c>quote</c>, <c>escape</c>), used for those the port does not declare.
    /// </summary>
    public static string CsvReader(
        InputSpec input,
        IReadOnlyList<string> files,
        IReadOnlyList<InputColumn>? types = null,
        string? rejectsTable = null,
        string? rejectsScan = null,
        IReadOnlyDictionary<string, string>? sniffed = null,
        bool unionByName = false)
    {
        ArgumentNullException.ThrowIfNull(input);
        var landing = input.Landing ?? throw new ArgumentException($"Input '{input.Name}' is not a landing input.", nameof(input));
        var args = DialectArguments(input, landing);
        var declared = landing.Options.Keys.Select(k => CsvOptions[k]).ToHashSet(StringComparer.Ordinal);
        foreach (var (key, value) in sniffed ?? new Dictionary<string, string>())
        {
            if (!declared.Contains(key))
            {
                args.Add($"{key} = {Sql.Literal(value)}");
            }
        }

        // Declared dates and timestamps parse as ISO 8601 unless the port declares a format: left to itself DuckDB guesses
        // one from a sample, so 03/04/2021 silently became 2021-04-03 and one 11.01.2018 flipped the guess for the rest.
        // Dates get the ISO format (the strict read still reports the lines that do not match); timestamps, whose ISO
        // form has variants no single strptime format covers, are read as text and cast, which accepts ISO 8601 only.
        var columns = types ?? input.Columns;
        if (!landing.Options.ContainsKey("dateformat") && columns.Any(c => IsDate(c.Type)))
        {
            args.Add($"dateformat = {Sql.Literal(IsoDateFormat)}");
        }

        List<InputColumn> isoTimestamps = landing.Options.ContainsKey("timestampformat") ? [] : columns.Where(c => IsTimestamp(c.Type)).ToList();
        string ReadType(InputColumn c) => isoTimestamps.Contains(c) ? "VARCHAR" : c.Type.ToUpperInvariant();
        if (types is not null)
        {
            if (types.Count > 0)
            {
                args.Add("types = {" + string.Join(", ", types.Select(c => $"{Sql.Literal(c.Name)}: {Sql.Literal(ReadType(c))}")) + "}");
            }

            if (rejectsTable is not null && rejectsScan is not null)
            {
                args.Add($"store_rejects = true, rejects_table = {Sql.Literal(rejectsTable.Trim('"'))}, rejects_scan = {Sql.Literal(rejectsScan.Trim('"'))}");
            }
        }
        else if (input.Columns.Count > 0)
        {
            args.Add("columns = {" + string.Join(", ", input.Columns.Select(c => $"{Sql.Literal(c.Name)}: {Sql.Literal(ReadType(c))}")) + "}");
        }

        if (unionByName)
        {
            // Each file's columns by name (DuckDB supports no rejects table then: callers pass none).
            args.Add("union_by_name = true");
        }

        var read = $"read_csv({Sql.List(files)}, {string.Join(", ", args)})";
        return isoTimestamps.Count == 0
            ? read
            : $"(SELECT * REPLACE ({string.Join(", ", isoTimestamps.Select(c => $"CAST({Sql.Identifier(c.Name)} AS {c.Type.ToUpperInvariant()}) AS {Sql.Identifier(c.Name)}"))}) FROM {read})";
    }

    /// <summary>The strptime format of an ISO 8601 date, applied to declared date columns when the port declares none.</summary>
    public const string IsoDateFormat = "%Y-%m-%d";

    private static bool IsDate(string type) => type.Trim().Equals("date", StringComparison.OrdinalIgnoreCase);

    private static bool IsTimestamp(string type)
    {
        var normal = type.Trim().ToLowerInvariant();
        return normal.StartsWith("timestamp", StringComparison.Ordinal) || normal == "datetime";
    }

    /// <summary><c>sniff_csv(file, ...)</c> with the port's dialect options, every column read as text (names only matter).</summary>
    public static string CsvSniff(InputSpec input, string file)
    {
        ArgumentNullException.ThrowIfNull(input);
        var landing = input.Landing ?? throw new ArgumentException($"Input '{input.Name}' is not a landing input.", nameof(input));
        var args = DialectArguments(input, landing);
        // Only the header matters here: rows that do not parse are reported by the real read (rejects).
        args.Add("all_varchar = true, ignore_errors = true");
        return $"sniff_csv({Sql.Literal(file)}, {string.Join(", ", args)})";
    }

    private static List<string> DialectArguments(InputSpec input, LandingSpec landing)
    {
        var args = new List<string>();
        var hasHeader = false;
        foreach (var (key, value) in landing.Options)
        {
            if (!CsvOptions.TryGetValue(key, out var duckKey))
            {
                throw new InvalidOperationException(
                    $"Input '{input.Name}': unknown CSV option '{key}' (known: {string.Join(", ", CsvOptions.Keys.Order(StringComparer.Ordinal))}).");
            }

            hasHeader |= duckKey == "header";
            args.Add(BooleanOrNumber.Contains(duckKey) ? $"{duckKey} = {LiteralScalar(value)}" : $"{duckKey} = {Sql.Literal(value)}");
        }

        if (!hasHeader)
        {
            args.Add("header = true");
        }

        return args;
    }

    private static string JsonColumns(InputSpec input) => input.Columns.Count == 0 ? "" : ", columns = " + ColumnStruct(input);

    private static string ColumnStruct(InputSpec input) =>
        "{" + string.Join(", ", input.Columns.Select(c => $"{Sql.Literal(c.Name)}: {Sql.Literal(c.Type.ToUpperInvariant())}")) + "}";

    private static string LiteralScalar(string value) =>
        bool.TryParse(value, out var b) ? (b ? "true" : "false")
        : long.TryParse(value, out var n) ? n.ToString(System.Globalization.CultureInfo.InvariantCulture)
        : throw new InvalidOperationException($"Expected true, false or a number, got '{value}'.");
}
