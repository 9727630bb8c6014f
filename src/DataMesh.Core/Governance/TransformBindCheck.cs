using System.Globalization;
using System.Text.RegularExpressions;
using DataMesh.Contracts;
using DataMesh.Engine;
using DataMesh.Pipeline;
using DataMesh.Specs;
using DuckDB.NET.Data;

namespace DataMesh.Governance;

/// <summary>
/// Binds every transform and every <c>sql</c> quality rule at validate, without data: each input becomes an empty,
/// typed table (a landing input's declared columns; an upstream product's contract columns) in one in-memory DuckDB,
/// and the SQL runs over them — an empty scan, so DuckDB's parser and binder judge names, functions and types as a
/// run would, in microseconds. Errors point at the SQL file's line and column (DuckDB's caret mapped back to the
/// file). A product with a landing input that declares no columns is not bound: its columns are only known from data.
/// </summary>
public static partial class TransformBindCheck
{
    /// <summary>Binding diagnostics for <paramref name="products"/>; <paramref name="meshProducts"/> give the upstream contracts.</summary>
    /// <param name="products">The products to bind.</param>
    /// <param name="meshProducts">Every product of the mesh, for upstream inputs.</param>
    /// <param name="unbound">When given, receives the ids of the products that could not be bound and why.</param>
    public static IReadOnlyList<SpecDiagnostic> Check(IReadOnlyCollection<ProductSpec> products, IReadOnlyCollection<ProductSpec> meshProducts, IDictionary<string, string>? unbound = null)
    {
        ArgumentNullException.ThrowIfNull(products);
        ArgumentNullException.ThrowIfNull(meshProducts);
        var byId = meshProducts.Concat(products).GroupBy(p => p.Id, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var diagnostics = new List<SpecDiagnostic>();
        var scratch = Path.Combine(Path.GetTempPath(), "datamesh-bind-" + Guid.NewGuid().ToString("N")[..12]);
        try
        {
            // No file access at all, locked: the SQL is the product team's, and validate runs it.
            using var session = OpenSession(scratch);
            foreach (var product in products)
            {
                var created = new List<string>();
                try
                {
                    diagnostics.AddRange(Bind(session, product, byId, created, out var skipped));
                    if (skipped is not null)
                    {
                        unbound?.Add(product.Id, skipped);
                    }
                }
                finally
                {
                    foreach (var table in created)
                    {
                        session.Execute($"DROP TABLE IF EXISTS {table}");
                    }
                }
            }
        }
        finally
        {
            if (Directory.Exists(scratch))
            {
                Directory.Delete(scratch, recursive: true);
            }
        }

        return diagnostics;
    }

    /// <summary>The in-memory, locked DuckDB the binding (and column lineage) runs in: no file access at all.</summary>
    internal static DuckDbSession OpenSession(string scratch) =>
        DuckDbSession.OpenLocked(new DuckDbSessionOptions { AllowedDirectories = [], TempDirectory = scratch, Limits = EngineLimits.Process.Side });

    /// <summary>
    /// Each input's typed columns (a landing input's declared columns; an upstream product's contract columns at the
    /// version its range accepts) for the inputs whose columns are known before data arrives; <paramref name="skipped"/>
    /// says why when one input's are not (that input is left out).
    /// </summary>
    internal static List<(InputSpec Port, IReadOnlyList<(string Name, string Type)> Columns)> InputSchemas(ProductSpec product, IReadOnlyDictionary<string, ProductSpec> byId, out string? skipped)
    {
        skipped = null;
        var tables = new List<(InputSpec Port, IReadOnlyList<(string Name, string Type)> Columns)>();
        foreach (var port in product.Inputs)
        {
            if (port.IsLanding)
            {
                if (port.Columns.Count == 0)
                {
                    skipped ??= $"landing input '{port.Name}' declares no columns (they are known only from data)";
                    continue;
                }

                tables.Add((port, port.Columns.Select(c => (c.Name, c.Type)).ToList()));
            }
            else if (port.Product is { } upstreamId && byId.TryGetValue(upstreamId, out var upstream) && upstream.Contract.Schema.FirstOrDefault() is { } output
                && InRange(upstream.Version, port.Versions))
            {
                tables.Add((port, output.Properties.Select(p => (p.Name, PublishedType(p))).ToList()));
            }
            else
            {
                // An upstream not in the mesh (DM1028), or held only at a version outside the range.
                skipped ??= $"input '{port.Name}' reads {port.Product} {port.Versions}, whose contract in range is not in the mesh";
            }
        }

        return tables;
    }

    private static List<SpecDiagnostic> Bind(DuckDbSession session, ProductSpec product, IReadOnlyDictionary<string, ProductSpec> byId, List<string> created, out string? skipped)
    {
        skipped = null;
        var diagnostics = new List<SpecDiagnostic>();
        var spec = YamlSourceMap.Read(product.SpecPath);
        var tables = InputSchemas(product, byId, out skipped);
        if (skipped is not null)
        {
            return diagnostics;
        }

        foreach (var (port, columns) in tables)
        {
            var list = string.Join(", ", columns.Select(c => $"{Sql.Identifier(c.Name)} {c.Type}"));
            try
            {
                session.Execute($"CREATE TABLE {Sql.Identifier(port.Name)} ({list})");
                created.Add(Sql.Identifier(port.Name));
            }
            catch (DuckDBException ex)
            {
                // A declared type DuckDB does not know: said once, at the input (the column-level check may say it too).
                var where = spec.Locate($"inputs[name={port.Name}].columns");
                diagnostics.Add(new SpecDiagnostic(where.File, where.Line, where.Column, SpecDiagnosticCodes.TransformDoesNotBind,
                    $"inputs[name={port.Name}].columns: {FirstLine(ex.Message)}; the transform was not bound."));
                return diagnostics;
            }
        }

        var sqlPath = Path.Combine(product.Directory, product.TransformSqlPath);
        var shownSql = DisplayPath.For(sqlPath);
        string select;
        try
        {
            select = session.RequireSingleSelect(product.TransformSql, $"transform {product.TransformSqlPath}");
        }
        catch (InvalidOperationException ex)
        {
            var (line, column, message) = NotOneSelect(session, product.TransformSql, ex.Message);
            diagnostics.Add(new SpecDiagnostic(shownSql, line, column, SpecDiagnosticCodes.TransformDoesNotBind, message));
            return diagnostics;
        }

        try
        {
            // The SELECT starts a line of its own, so DuckDB's line numbers are the file's plus one.
            session.Execute($"CREATE TABLE {QualityGate.OutputView} AS\n{select}");
            created.Add(QualityGate.OutputView);
        }
        catch (DuckDBException ex)
        {
            var (line, column) = Position(ex.Message, product.TransformSql, lineOffset: 1);
            diagnostics.Add(new SpecDiagnostic(shownSql, line, column, SpecDiagnosticCodes.TransformDoesNotBind,
                $"transform {product.TransformSqlPath} does not bind over its inputs' declared columns: {Explain(ex.Message, tables)}{Upstreams(ex.Message, tables, byId)}"));
            return diagnostics;
        }

        var contract = YamlSourceMap.Read(product.Contract.Path);
        diagnostics.AddRange(CompareWithContract(session, product, contract));
        foreach (var (rule, path) in SqlRules(product.Contract))
        {
            var query = QualityGate.RuleSql(rule);
            try
            {
                session.Execute($"SELECT * FROM ({query}) LIMIT 0");
            }
            catch (Exception ex) when (ex is DuckDBException or InvalidOperationException)
            {
                var where = contract.Locate(path);
                diagnostics.Add(new SpecDiagnostic(where.File, where.Line, where.Column, SpecDiagnosticCodes.QualityRuleDoesNotBind,
                    $"quality rule '{rule.Name}' does not bind over the transform's output: {Explain(ex.Message, [])}{RuleHint(ex.Message)}"));
            }
        }

        return diagnostics;
    }

    /// <summary>
    /// The bound output against the contract, as the quality gate will judge the written Parquet: a contract column the
    /// SQL does not produce, or produces with another type, fails every run, so it is an error now; a column the
    /// contract does not describe is published undescribed (a warning).
    /// </summary>
    private static IEnumerable<SpecDiagnostic> CompareWithContract(DuckDbSession session, ProductSpec product, YamlSourceMap contract)
    {
        if (product.Contract.Schema.FirstOrDefault() is not { } target)
        {
            yield break;
        }

        var output = session.Query($"SELECT column_name, column_type FROM (DESCRIBE {QualityGate.OutputView})", r => (Name: r.GetString(0), Type: r.GetString(1)))
            .ToDictionary(c => c.Name, c => c.Type, StringComparer.OrdinalIgnoreCase);
        var contractFile = Path.GetFileName(product.Contract.Path);
        for (var i = 0; i < target.Properties.Count; i++)
        {
            var property = target.Properties[i];
            var expected = property.PhysicalType ?? property.LogicalType;
            if (!output.TryGetValue(property.Name, out var bound))
            {
                var where = contract.Locate($"schema[0].properties[{i}].name");
                var near = Spelling.Suggest(property.Name, output.Keys);
                yield return new SpecDiagnostic(where.File, where.Line, where.Column, SpecDiagnosticCodes.OutputDoesNotMatchContract,
                    $"schema[0].properties[name={property.Name}]: transform {product.TransformSqlPath} produces no column '{property.Name}'{near}; it produces {string.Join(", ", output.Keys)}. Every run would fail the gate: add the column to the SELECT or remove it from {contractFile}.");
                continue;
            }

            var stored = StoredType(bound);
            if (expected is not null && !QualityGate.TypeMatches(expected, stored))
            {
                var where = contract.Locate($"schema[0].properties[{i}].{(property.PhysicalType is null ? "logicalType" : "physicalType")}");
                var why = stored == bound ? "" : $" ({bound} is stored in Parquet as {stored})";
                var fix = bound.Contains("HUGEINT", StringComparison.Ordinal)
                    ? $"sum() or count() over integers gives HUGEINT: cast it, e.g. CAST(sum(x) AS BIGINT) AS {property.Name}"
                    : $"cast it in the SELECT, e.g. CAST(... AS {expected.ToUpperInvariant()}) AS {property.Name}, or change the contract's type";
                yield return new SpecDiagnostic(where.File, where.Line, where.Column, SpecDiagnosticCodes.OutputDoesNotMatchContract,
                    $"schema[0].properties[name={property.Name}]: transform {product.TransformSqlPath} produces {stored}{why}, the contract says {expected}; every run would fail the gate: {fix}.");
            }
        }

        foreach (var extra in output.Keys.Where(k => !target.Properties.Any(p => string.Equals(p.Name, k, StringComparison.OrdinalIgnoreCase))))
        {
            var where = contract.Locate("schema[0].properties");
            yield return new SpecDiagnostic(where.File, where.Line, where.Column, SpecDiagnosticCodes.OutputDoesNotMatchContract,
                $"schema[0].properties: transform {product.TransformSqlPath} produces '{extra}' ({output[extra]}), which {contractFile} does not describe: it would be published with no contract (no type, classification or rules); describe it or drop it from the SELECT.",
                DiagnosticSeverity.Warning);
        }
    }

    /// <summary>The type a column has once written to Parquet and read back, which is what the gate judges.</summary>
    private static string StoredType(string type) => type switch
    {
        "HUGEINT" or "UHUGEINT" => "DOUBLE",
        _ when type.StartsWith("ENUM", StringComparison.Ordinal) => "VARCHAR",
        _ => type,
    };

    /// <summary>The column type a consumer reads: the contract's physical type, text where masking replaces the value.</summary>
    private static string PublishedType(ContractProperty property)
    {
        if (property.Masking is not null)
        {
            return "VARCHAR";
        }

        if (!string.IsNullOrWhiteSpace(property.PhysicalType))
        {
            return property.PhysicalType;
        }

        return property.LogicalType switch
        {
            "integer" => "BIGINT",
            "number" => "DOUBLE",
            "boolean" => "BOOLEAN",
            "date" => "DATE",
            "timestamp" => "TIMESTAMP",
            _ => "VARCHAR",
        };
    }

    private static bool InRange(string version, string? range) =>
        range is null or "*" || (Semver.SemVersionRange.TryParseNpm(range, out var parsed) && Semver.SemVersion.TryParse(version, Semver.SemVersionStyles.Strict, out var v) && parsed.Contains(v));

    private static IEnumerable<(QualityRule Rule, string Path)> SqlRules(DataContract contract)
    {
        for (var o = 0; o < contract.Schema.Count; o++)
        {
            var output = contract.Schema[o];
            for (var r = 0; r < output.Quality.Count; r++)
            {
                if (output.Quality[r].Type == QualityRuleType.Sql)
                {
                    yield return (output.Quality[r], $"schema[{o}].quality[{r}].query");
                }
            }

            foreach (var property in output.Properties)
            {
                for (var r = 0; r < property.Quality.Count; r++)
                {
                    if (property.Quality[r].Type == QualityRuleType.Sql)
                    {
                        yield return (property.Quality[r], $"schema[{o}].properties[name={property.Name}].quality[{r}].query");
                    }
                }
            }
        }
    }

    /// <summary>
    /// Why the transform is not one SELECT, and where: a syntax error at DuckDB's caret (its parser, run on the text alone,
    /// fails before anything executes), another statement kind named by its first keyword.
    /// </summary>
    private static (int Line, int Column, string Message) NotOneSelect(DuckDbSession session, string sql, string message)
    {
        if (message.Contains("syntax error", StringComparison.Ordinal))
        {
            try
            {
                // EXPLAIN: were the text to parse after all, it would be planned, never run.
                session.Execute($"EXPLAIN\n{sql}");
            }
            catch (DuckDBException ex)
            {
                var (line, column) = Position(ex.Message, sql, lineOffset: 1);
                return (line, column, message);
            }
        }

        if (message.Contains("Only SELECT statements", StringComparison.Ordinal) && FirstKeyword().Match(sql) is { Success: true } keyword)
        {
            var (line, column) = Locate(sql, keyword.Index);
            return (line, column, $"{message[..message.IndexOf(':', StringComparison.Ordinal)]}: it is a {keyword.Value.ToUpperInvariant()} statement. "
                + "A transform only reads its inputs and returns rows; the platform writes the output and no SQL may write, create or copy.");
        }

        return (1, 1, message);
    }

    /// <summary>The 1-based line and column of character <paramref name="index"/> of <paramref name="text"/>.</summary>
    private static (int Line, int Column) Locate(string text, int index)
    {
        var before = text[..index];
        var line = before.Count(c => c == '\n') + 1;
        return (line, index - (before.LastIndexOf('\n') + 1) + 1);
    }

    /// <summary>Which upstream contract each upstream input was bound with, when a column was not found (a column of another major is the usual cause).</summary>
    private static string Upstreams(string message, IReadOnlyList<(InputSpec Port, IReadOnlyList<(string Name, string Type)> Columns)> tables, IReadOnlyDictionary<string, ProductSpec> byId)
    {
        var upstream = tables.Where(t => t.Port.Product is { } id && byId.ContainsKey(id)).ToList();
        if (upstream.Count == 0 || !message.Contains("not found", StringComparison.Ordinal))
        {
            return "";
        }

        return " (" + string.Join("; ", upstream.Select(t => $"input {t.Port.Name} is {t.Port.Product} {byId[t.Port.Product!].Version}'s contract, the newest in range {t.Port.Versions ?? "*"}: {string.Join(", ", t.Columns.Select(c => c.Name))}"))
            + "; a column of another major version is not there: read the current columns or pin the range)";
    }

    /// <summary>A rule reads the output as <c>{object}</c>; another table name is the usual mistake.</summary>
    private static string RuleHint(string message) =>
        message.Contains("Table with name", StringComparison.Ordinal)
            ? "; a sql rule reads the product's output as {object}, e.g. SELECT count(*) FROM {object} WHERE ..."
            : "";

    /// <summary>DuckDB's message without its excerpt lines, with the inputs' columns named when a column was not found.</summary>
    private static string Explain(string message, IReadOnlyList<(InputSpec Port, IReadOnlyList<(string Name, string Type)> Columns)> tables)
    {
        // DuckDB's nearest table may be one of its own catalog views (sqlite_temp_master): no help to a product team.
        var text = InternalSuggestion().Replace(FirstLines(message), "");
        // DuckDB looks a window or aggregate function called as a plain one up among scalar functions and suggests a
        // scalar near name (lag -> log): say what is missing instead.
        if (ScalarMissing().Match(text) is { Success: true } missing && WindowFunctions.Contains(missing.Groups[1].Value))
        {
            return $"{missing.Groups[1].Value}() is a window function: it needs OVER (...), e.g. {missing.Groups[1].Value}(x) OVER (PARTITION BY ... ORDER BY ...)";
        }

        if (tables.Count > 0 && text.Contains("not found", StringComparison.Ordinal) && !text.Contains("Candidate", StringComparison.Ordinal))
        {
            text += $" (declared: {string.Join("; ", tables.Select(t => $"{t.Port.Name}({string.Join(", ", t.Columns.Select(c => c.Name))})"))})";
        }

        return text;
    }

    private static string FirstLine(string message) => message.Split('\n')[0].Trim();

    private static string FirstLines(string message) =>
        string.Join(" ", message.Split('\n').Select(l => l.Trim()).TakeWhile(l => !l.StartsWith("LINE ", StringComparison.Ordinal)).Where(l => l.Length > 0));

    /// <summary>
    /// The 1-based line and column of the caret DuckDB prints under its excerpt (<c>LINE n: text</c>, then <c>^</c>),
    /// in <paramref name="sql"/> as written; the excerpt may be cut (<c>...</c>) on long lines. 1:1 when there is none.
    /// </summary>
    internal static (int Line, int Column) Position(string message, string sql, int lineOffset = 0)
    {
        var lines = message.Split('\n');
        for (var i = 0; i + 1 < lines.Length; i++)
        {
            var match = ExcerptLine().Match(lines[i]);
            if (!match.Success || lines[i + 1].IndexOf('^', StringComparison.Ordinal) is var caret && caret < 0)
            {
                continue;
            }

            var line = int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) - lineOffset;
            var prefix = match.Groups[0].Length;
            var excerpt = lines[i][prefix..];
            var offset = caret - prefix;
            var cut = excerpt.StartsWith("...", StringComparison.Ordinal) ? 3 : 0;
            var sqlLines = sql.Split('\n');
            if (line < 1 || line > sqlLines.Length)
            {
                return (1, 1);
            }

            var source = sqlLines[line - 1].TrimEnd('\r');
            var visible = excerpt[cut..].TrimEnd();
            if (visible.EndsWith("...", StringComparison.Ordinal))
            {
                visible = visible[..^3];
            }

            var start = visible.Length == 0 ? 0 : Math.Max(0, source.IndexOf(visible.Length > 40 ? visible[..40] : visible, StringComparison.Ordinal));
            return (line, Math.Clamp(start + offset - cut, 0, Math.Max(0, source.Length)) + 1);
        }

        return (1, 1);
    }

    /// <summary>DuckDB's window-only functions (not in <c>duckdb_functions()</c>, so listed here).</summary>
    private static readonly HashSet<string> WindowFunctions = new(
        ["row_number", "rank", "dense_rank", "percent_rank", "cume_dist", "ntile", "lag", "lead", "first_value", "last_value", "nth_value"],
        StringComparer.OrdinalIgnoreCase);

    [GeneratedRegex("^[^:]*Error: Scalar Function with name ([A-Za-z_][A-Za-z0-9_]*) does not exist", RegexOptions.CultureInvariant)]
    private static partial Regex ScalarMissing();

    /// <summary>The first keyword after leading whitespace and comments.</summary>
    [GeneratedRegex(@"(?<=\A(\s|--[^\n]*\n|/\*.*?\*/)*)[A-Za-z]+", RegexOptions.CultureInvariant | RegexOptions.Singleline)]
    private static partial Regex FirstKeyword();

    [GeneratedRegex(@" Did you mean ""(sqlite_|pragma_|duckdb_)[^""]*""\?", RegexOptions.CultureInvariant)]
    private static partial Regex InternalSuggestion();

    [GeneratedRegex(@"^LINE (\d+): ")]
    private static partial Regex ExcerptLine();
}
