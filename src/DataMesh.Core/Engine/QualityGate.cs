using System.Globalization;
using DataMesh.Contracts;
using DataMesh.Pipeline;
using DataMesh.Publishing;

namespace DataMesh.Engine;

/// <summary>
/// Compiles a contract's quality rules, plus the checks its schema implies (required, unique, declared
/// columns and types), into one aggregate query over the output and judges each measured value.
/// </summary>
public static class QualityGate
{
    /// <summary>The view name the output is queried through; <c>{object}</c> in SQL rules is replaced by it.</summary>
    public const string OutputView = "output";

    /// <summary>Evaluates every rule of <paramref name="contract"/> over the <see cref="OutputView"/> view of <paramref name="session"/>.</summary>
    public static QualitySummary Evaluate(DuckDbSession session, DataContract contract, IReadOnlyList<OutputColumn> schema) =>
        WithSamples(session, contract, schema, Judge(contract, schema, Measure(session, contract, schema)));

    /// <summary>
    /// Runs the gate's one aggregate query (<see cref="MeasureSql(DataContract, IReadOnlyList{OutputColumn})"/>) over the
    /// <see cref="OutputView"/> view of <paramref name="session"/>: the row count and one value per measure.
    /// </summary>
    public static QualityMeasurement Measure(DuckDbSession session, DataContract contract, IReadOnlyList<OutputColumn> schema)
    {
        ArgumentNullException.ThrowIfNull(session);
        var sql = MeasureSql(contract, schema);
        var row = session.Query(sql, reader =>
        {
            var values = new decimal[reader.FieldCount];
            for (var i = 0; i < reader.FieldCount; i++)
            {
                values[i] = reader.IsDBNull(i) ? 0 : Convert.ToDecimal(reader.GetValue(i), CultureInfo.InvariantCulture);
            }

            return values;
        }).Single();
        return new QualityMeasurement(FileHash.Sha256(sql), (long)row[0], row[1..]);
    }

    /// <summary>
    /// True when <paramref name="measurement"/> was taken with the query <paramref name="contract"/> and
    /// <paramref name="schema"/> compile to now (a contract deployed between two stages makes it stale).
    /// </summary>
    public static bool Matches(QualityMeasurement measurement, DataContract contract, IReadOnlyList<OutputColumn> schema)
    {
        ArgumentNullException.ThrowIfNull(measurement);
        return measurement.QueryHash == FileHash.Sha256(MeasureSql(contract, schema));
    }

    /// <summary>
    /// Judges a measurement: schema conformance of <paramref name="schema"/> (names, types), then each rule's measured
    /// value against its threshold. Reads no data; failing rows are added by <see cref="WithSamples"/>.
    /// </summary>
    public static QualitySummary Judge(DataContract contract, IReadOnlyList<OutputColumn> schema, QualityMeasurement measurement)
    {
        ArgumentNullException.ThrowIfNull(contract);
        ArgumentNullException.ThrowIfNull(measurement);
        var target = contract.Schema[0];
        var columns = schema.ToDictionary(c => c.Name, StringComparer.OrdinalIgnoreCase);

        // Schema conformance first: a missing column has no measures (its rule SQL would not bind).
        var results = new List<QualityRuleResult>();
        foreach (var property in target.Properties)
        {
            if (!columns.TryGetValue(property.Name, out var column))
            {
                results.Add(SchemaResult($"schema.{property.Name}", property.Name, "missing from the output", passed: false));
            }
            else if (ExpectedType(property) is { } expected && !TypeMatches(expected, column.Type))
            {
                results.Add(SchemaResult($"schema.{property.Name}", property.Name, $"type {column.Type}, contract says {expected}", passed: false));
            }
        }

        var measures = Measures(Present(target, schema), target);
        if (measurement.Values.Count != measures.Count)
        {
            throw new InvalidOperationException($"The quality measurement has {measurement.Values.Count} values for {measures.Count} measures of {Path.GetFileName(contract.Path)}.");
        }

        var rows = measurement.Rows;
        for (var i = 0; i < measures.Count; i++)
        {
            var (rule, _) = measures[i];
            var count = measurement.Values[i];
            var measured = rule.Unit == QualityUnit.Percent && rule.Metric != "rowCount"
                ? (rows == 0 ? 0 : Math.Round(count * 100m / rows, 4))
                : count;
            var passed = rule.Comparison.IsSatisfiedBy(measured);
            results.Add(new QualityRuleResult(
                rule.Name,
                rule.Property,
                rule.Type == QualityRuleType.Sql ? "sql" : rule.Metric ?? "custom",
                rule.Severity == QualitySeverity.Error ? "error" : "warning",
                measured,
                rule.Unit == QualityUnit.Percent ? "percent" : "rows",
                rule.Comparison.ToString(),
                passed,
                rule.Metric is "rowCount" || rule.Type == QualityRuleType.Sql ? 0 : (long)count));
        }

        var blocked = results.Any(r => !r.Passed && r.Severity == "error");
        return new QualitySummary(!blocked, rows, results);
    }

    /// <summary>True when a failed rule of <paramref name="summary"/> selects rows, so the report wants samples of them.</summary>
    public static bool NeedsSamples(DataContract contract, IReadOnlyList<OutputColumn> schema, QualitySummary summary) =>
        FailedRowRules(contract, schema, summary).Any();

    /// <summary>
    /// Adds up to <see cref="SampleRows"/> failing rows to each failed rule that selects rows, queried over the
    /// <see cref="OutputView"/> view of <paramref name="session"/>, classified columns masked.
    /// </summary>
    public static QualitySummary WithSamples(DuckDbSession session, DataContract contract, IReadOnlyList<OutputColumn> schema, QualitySummary summary)
    {
        ArgumentNullException.ThrowIfNull(summary);
        var rules = summary.Rules.ToList();
        foreach (var (index, predicate) in FailedRowRules(contract, schema, summary))
        {
            rules[index] = rules[index] with { Samples = Samples(session, contract.Schema[0], schema, predicate) };
        }

        return summary with { Rules = rules };
    }

    /// <summary>The failed measured rules of <paramref name="summary"/> that select rows: their index in it and their row condition.</summary>
    private static IEnumerable<(int Index, string Predicate)> FailedRowRules(DataContract contract, IReadOnlyList<OutputColumn> schema, QualitySummary summary)
    {
        var measures = Measures(Present(contract.Schema[0], schema), contract.Schema[0]);
        var first = summary.Rules.Count - measures.Count;
        for (var i = 0; i < measures.Count; i++)
        {
            if (!summary.Rules[first + i].Passed && RowPredicate(measures[i].Rule) is { } predicate)
            {
                yield return (first + i, predicate);
            }
        }
    }

    /// <summary>
    /// The one aggregate query the gate runs over <see cref="OutputView"/> for <paramref name="contract"/>: the row count,
    /// then one measure per rule (implied and declared) of the columns present in <paramref name="schema"/>. Public so a
    /// benchmark baseline can run exactly the gate's checks on bare DuckDB.
    /// </summary>
    public static string MeasureSql(DataContract contract, IReadOnlyList<OutputColumn> schema)
    {
        ArgumentNullException.ThrowIfNull(contract);
        ArgumentNullException.ThrowIfNull(schema);
        var target = contract.Schema[0];
        return MeasureSql(Measures(Present(target, schema), target));
    }

    /// <summary>The contract's properties that are columns of the output (the others fail schema conformance instead).</summary>
    private static List<ContractProperty> Present(SchemaObject target, IReadOnlyList<OutputColumn> schema)
    {
        var columns = schema.Select(c => c.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        return target.Properties.Where(p => columns.Contains(p.Name)).ToList();
    }

    private static string MeasureSql(List<(QualityRule Rule, string Expression)> measures) =>
        "SELECT count(*)" + string.Concat(measures.Select((m, i) => $",\n  ({m.Expression}) AS m{i}")) + $"\nFROM {OutputView}";

    private static List<(QualityRule Rule, string Expression)> Measures(List<ContractProperty> present, SchemaObject target)
    {
        var measures = new List<(QualityRule Rule, string Expression)>();
        foreach (var property in present)
        {
            var column = Sql.Identifier(property.Name);
            if (property.Required)
            {
                measures.Add((Implicit($"{property.Name}.required", property.Name, "nullValues"), $"count(*) FILTER (WHERE {column} IS NULL)"));
            }

            if (property.Unique || property.PrimaryKey)
            {
                measures.Add((Implicit($"{property.Name}.unique", property.Name, "duplicateValues"), $"count({column}) - count(DISTINCT {column})"));
            }

            foreach (var rule in property.Quality)
            {
                measures.Add((rule with { Property = property.Name }, Compile(rule, property.Name)));
            }
        }

        foreach (var rule in target.Quality)
        {
            measures.Add((rule, Compile(rule, rule.Property)));
        }

        return measures;
    }

    /// <summary>Rows kept in a report per failed rule.</summary>
    public const int SampleRows = 5;

    private static List<IReadOnlyDictionary<string, string?>> Samples(DuckDbSession session, SchemaObject target, IReadOnlyList<OutputColumn> schema, string predicate)
    {
        var sensitive = target.Properties.Where(Masking.IsSensitive).Select(p => p.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var columns = schema.Select(c => sensitive.Contains(c.Name) ? $"CASE WHEN {Sql.Identifier(c.Name)} IS NULL THEN NULL ELSE '***' END AS {Sql.Identifier(c.Name)}" : $"CAST({Sql.Identifier(c.Name)} AS VARCHAR) AS {Sql.Identifier(c.Name)}");
        return session.Query(
            $"SELECT {string.Join(", ", columns)} FROM {OutputView} WHERE {predicate} LIMIT {SampleRows}",
            reader =>
            {
                var row = new Dictionary<string, string?>(StringComparer.Ordinal);
                for (var i = 0; i < reader.FieldCount; i++)
                {
                    row[reader.GetName(i)] = reader.IsDBNull(i) ? null : reader.GetString(i);
                }

                return (IReadOnlyDictionary<string, string?>)row;
            });
    }

    /// <summary>The row-level condition a rule counts, when it has one (not for rowCount and sql rules).</summary>
    private static string? RowPredicate(QualityRule rule)
    {
        if (rule.Type == QualityRuleType.Sql || rule.Property is null || rule.Metric is null or "rowCount")
        {
            return null;
        }

        var column = Sql.Identifier(rule.Property);
        var text = $"CAST({column} AS VARCHAR)";
        return rule.Metric switch
        {
            "nullValues" => $"{column} IS NULL",
            "missingValues" => $"({column} IS NULL{InList(text, rule.MissingValues, " OR ")})",
            "duplicateValues" => $"{column} IN (SELECT {column} FROM {OutputView} GROUP BY {column} HAVING count(*) > 1)",
            "invalidValues" => $"{column} IS NOT NULL AND ({InvalidCondition(rule, text)})",
            _ => null,
        };
    }

    /// <summary>The SELECT a <c>sql</c> rule runs over the output view, as the gate runs it.</summary>
    public static string RuleSql(QualityRule rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        return rule.Type == QualityRuleType.Sql ? Compile(rule, rule.Property) : throw new ArgumentException($"Quality rule '{rule.Name}' is not a sql rule.", nameof(rule));
    }

    private static string Compile(QualityRule rule, string? property)
    {
        if (rule.Type == QualityRuleType.Sql)
        {
            var query = (rule.Query ?? throw new InvalidOperationException($"Quality rule '{rule.Name}' has no query."))
                .Replace("{object}", OutputView, StringComparison.Ordinal)
                .Replace("${object}", OutputView, StringComparison.Ordinal)
                .Trim().TrimEnd(';');
            return $"SELECT * FROM ({query}\n)";
        }

        if (rule.Metric == "rowCount")
        {
            return "count(*)";
        }

        var column = Sql.Identifier(property ?? throw new InvalidOperationException($"Quality rule '{rule.Name}' ({rule.Metric}) needs a property."));
        var text = $"CAST({column} AS VARCHAR)";
        return rule.Metric switch
        {
            "nullValues" => $"count(*) FILTER (WHERE {column} IS NULL)",
            "missingValues" => $"count(*) FILTER (WHERE {column} IS NULL{InList(text, rule.MissingValues, " OR ")})",
            "duplicateValues" => $"count({column}) - count(DISTINCT {column})",
            "invalidValues" => $"count(*) FILTER (WHERE {column} IS NOT NULL AND ({InvalidCondition(rule, text)}))",
            _ => throw new InvalidOperationException($"Quality rule '{rule.Name}': metric '{rule.Metric}' is not supported."),
        };
    }

    private static string InvalidCondition(QualityRule rule, string text)
    {
        var conditions = new List<string>();
        var valid = rule.ValidValues?.Where(v => v is not null).Select(v => v!).ToList();
        if (valid is { Count: > 0 })
        {
            conditions.Add($"{text} NOT IN ({string.Join(", ", valid.Select(Sql.Literal))})");
        }

        if (rule.Pattern is not null)
        {
            conditions.Add($"NOT regexp_full_match({text}, {Sql.Literal(rule.Pattern)})");
        }

        return conditions.Count == 0
            ? throw new InvalidOperationException($"Quality rule '{rule.Name}': invalidValues needs validValues or pattern.")
            : string.Join(" OR ", conditions);
    }

    private static string InList(string text, IReadOnlyList<string?>? values, string prefix)
    {
        var list = values?.Where(v => v is not null).Select(v => v!).ToList();
        return list is { Count: > 0 } ? $"{prefix}{text} IN ({string.Join(", ", list.Select(Sql.Literal))})" : "";
    }

    private static QualityRule Implicit(string name, string property, string metric) => new()
    {
        Name = name,
        Property = property,
        Metric = metric,
        Comparison = new QualityComparison(QualityOperator.Equal, 0),
        Dimension = metric == "nullValues" ? "completeness" : "uniqueness",
    };

    private static QualityRuleResult SchemaResult(string name, string property, string detail, bool passed) =>
        new(name, property, "schema", "error", passed ? 0 : 1, "rows", $"column present with the contract type ({detail})", passed, 0);

    private static string? ExpectedType(ContractProperty property) =>
        property.PhysicalType ?? property.LogicalType;

    /// <summary>True when DuckDB's <paramref name="actual"/> type satisfies the contract's physical type, or its logical type when no physical type is given.</summary>
    internal static bool TypeMatches(string expected, string actual)
    {
        var got = NormalizePhysical(actual);
        return expected.Trim() switch
        {
            "string" => got == "VARCHAR",
            "integer" => IntegerTypes.Contains(got),
            "number" => IntegerTypes.Contains(got) || got is "DOUBLE" or "FLOAT" || got.StartsWith("DECIMAL", StringComparison.Ordinal),
            "boolean" => got == "BOOLEAN",
            "date" => got == "DATE",
            "timestamp" => got.StartsWith("TIMESTAMP", StringComparison.Ordinal),
            "time" => got.StartsWith("TIME", StringComparison.Ordinal) && !got.StartsWith("TIMESTAMP", StringComparison.Ordinal),
            "object" => got.StartsWith("STRUCT", StringComparison.Ordinal) || got.StartsWith("MAP", StringComparison.Ordinal),
            "array" => got.EndsWith(']'),
            _ => PhysicalMatches(NormalizePhysical(expected), got),
        };
    }

    private static readonly HashSet<string> IntegerTypes =
        ["TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT"];

    private static bool PhysicalMatches(string want, string got) =>
        want == got
        || (want == "DECIMAL" && got.StartsWith("DECIMAL", StringComparison.Ordinal))
        || (want == "TIMESTAMP" && got.StartsWith("TIMESTAMP", StringComparison.Ordinal) && got != "TIMESTAMP WITH TIME ZONE");

    private static string NormalizePhysical(string type)
    {
        var t = type.Trim().ToUpperInvariant();
        if (t.StartsWith("NUMERIC", StringComparison.Ordinal))
        {
            t = "DECIMAL" + t["NUMERIC".Length..];
        }

        t = t.Replace(" ", "", StringComparison.Ordinal);
        return t switch
        {
            "TEXT" or "STRING" or "CHAR" or "BPCHAR" => "VARCHAR",
            "INT" or "INT4" or "SIGNED" => "INTEGER",
            "INT8" or "LONG" => "BIGINT",
            "INT2" or "SHORT" => "SMALLINT",
            "INT1" => "TINYINT",
            "FLOAT8" => "DOUBLE",
            "FLOAT4" or "REAL" => "FLOAT",
            "BOOL" or "LOGICAL" => "BOOLEAN",
            "DATETIME" => "TIMESTAMP",
            "TIMESTAMPTZ" or "TIMESTAMPWITHTIMEZONE" => "TIMESTAMP WITH TIME ZONE",
            _ => t,
        };
    }
}
