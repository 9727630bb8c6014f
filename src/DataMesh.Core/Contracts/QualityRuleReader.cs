using System.Globalization;
using System.Text.RegularExpressions;
using DataMesh.Specs;
using YamlDotNet.RepresentationModel;

namespace DataMesh.Contracts;

/// <summary>
/// Reads ODCS quality rules (v3.1 <c>metric</c> + <c>arguments</c>, and the v3.0 <c>rule</c> + top-level arguments)
/// and gives each a name unique within the contract.
/// </summary>
internal sealed class QualityRuleReader
{
    private static readonly (string Key, QualityOperator Operator)[] Operators =
    [
        ("mustBe", QualityOperator.Equal),
        ("mustNotBe", QualityOperator.NotEqual),
        ("mustBeGreaterThan", QualityOperator.GreaterThan),
        ("mustBeGreaterOrEqualTo", QualityOperator.GreaterOrEqual),
        ("mustBeLessThan", QualityOperator.LessThan),
        ("mustBeLessOrEqualTo", QualityOperator.LessOrEqual),
        ("mustBeBetween", QualityOperator.Between),
        ("mustNotBeBetween", QualityOperator.NotBetween),
    ];

    /// <summary>ODCS v3.0 rule names, mapped to the v3.1 metric they became.</summary>
    private static readonly Dictionary<string, string> LegacyRules = new(StringComparer.Ordinal)
    {
        ["nullCheck"] = QualityMetrics.NullValues,
        ["duplicateCount"] = QualityMetrics.DuplicateValues,
        ["validValues"] = QualityMetrics.InvalidValues,
    };

    private static readonly string OperatorList = string.Join(", ", Operators.Select(o => o.Key));

    private readonly DiagnosticSink _sink;
    private readonly HashSet<string> _explicitNames = new(StringComparer.Ordinal);
    private readonly HashSet<string> _usedNames = new(StringComparer.Ordinal);
    private readonly List<QualityRule> _unsupported = [];

    public QualityRuleReader(DiagnosticSink sink)
    {
        _sink = sink;
    }

    /// <summary>Rules of type text or custom, kept but not evaluated.</summary>
    public IReadOnlyList<QualityRule> Unsupported => _unsupported;

    /// <summary>Collects every explicit rule <c>name</c> first, so a derived name never takes one a later rule asks for.</summary>
    public void ReserveExplicitNames(YamlSequenceNode schema)
    {
        foreach (var schemaObject in schema.Children.OfType<YamlMappingNode>())
        {
            ReserveFrom(schemaObject);
            if (Child(schemaObject, "properties") is YamlSequenceNode properties)
            {
                foreach (var property in properties.Children.OfType<YamlMappingNode>())
                {
                    ReserveFrom(property);
                }
            }
        }
    }

    /// <summary>Reads the <c>quality</c> list of an object (<paramref name="property"/> null) or of a property.</summary>
    public IReadOnlyList<QualityRule> ReadList(YamlMappingReader owner, string ownerName, string? property)
    {
        var rules = new List<QualityRule>();
        var sequence = owner.Sequence("quality");
        if (sequence is null)
        {
            return rules;
        }

        var ordinals = new Dictionary<QualityRuleType, int>();
        foreach (var item in owner.MappingItems(sequence, "quality"))
        {
            var rule = ReadRule(item, ownerName, property, ordinals);
            if (rule is null)
            {
                continue;
            }

            if (rule.Type is QualityRuleType.Text or QualityRuleType.Custom)
            {
                _unsupported.Add(rule);
            }
            else
            {
                rules.Add(rule);
            }
        }

        return rules;
    }

    private QualityRule? ReadRule(YamlMappingReader rule, string ownerName, string? property, Dictionary<QualityRuleType, int> ordinals)
    {
        var typeText = rule.String("type") ?? "library";
        QualityRuleType type;
        switch (typeText.ToLowerInvariant())
        {
            case "library":
                type = QualityRuleType.Library;
                break;
            case "sql":
                type = QualityRuleType.Sql;
                break;
            case "text":
                type = QualityRuleType.Text;
                break;
            case "custom":
                type = QualityRuleType.Custom;
                break;
            default:
                _sink.Error(rule.Value("type")!, ContractDiagnosticCodes.UnknownRuleType,
                    $"{rule.FieldPath("type")}: '{typeText}' is not an ODCS rule type; use library (default), sql, text or custom.");
                return null;
        }

        ordinals[type] = ordinals.GetValueOrDefault(type) + 1;
        var supported = type is QualityRuleType.Library or QualityRuleType.Sql;
        var explicitName = rule.String("name");
        var severity = ReadSeverity(rule);
        var unit = ReadUnit(rule);
        var comparison = ReadComparison(rule, required: supported);
        var description = rule.String("description");
        var dimension = rule.String("dimension");

        string? metric = null;
        string? query = null;
        IReadOnlyList<string?>? validValues = null;
        IReadOnlyList<string?>? missingValues = null;
        string? pattern = null;
        string derivedName;
        if (type == QualityRuleType.Library)
        {
            metric = ReadMetric(rule, property);
            (validValues, pattern, missingValues) = ReadArguments(rule, metric);
            if (metric == QualityMetrics.RowCount && unit == QualityUnit.Percent)
            {
                _sink.Error(rule.Value("unit")!, ContractDiagnosticCodes.InvalidUnit, $"{rule.FieldPath("unit")}: rowCount counts rows; remove unit: percent.");
            }

            derivedName = $"{ownerName}.{metric ?? "rule"}";
        }
        else if (type == QualityRuleType.Sql)
        {
            query = rule.String("query");
            if (query is null || string.IsNullOrWhiteSpace(query))
            {
                _sink.Error(rule.KeyNode("query")?.Start ?? rule.Node.Start, ContractDiagnosticCodes.MissingQuery,
                    $"{rule.FieldPath("query")}: a type: sql rule needs a query returning one number, e.g. query: SELECT count(*) FROM {{object}} WHERE amount < 0.");
            }

            derivedName = string.Create(CultureInfo.InvariantCulture, $"{ownerName}.sql{ordinals[type]}");
        }
        else
        {
            _sink.Warning(rule.Node, ContractDiagnosticCodes.UnsupportedRuleType,
                $"{rule.Path}: type {typeText} rules are kept but not evaluated by the platform; use a library metric or a type: sql rule to enforce it.");
            derivedName = string.Create(CultureInfo.InvariantCulture, $"{ownerName}.{typeText.ToLowerInvariant()}{ordinals[type]}");
        }

        return new QualityRule
        {
            Name = AssignName(rule, explicitName, derivedName),
            Property = property,
            Type = type,
            Metric = metric,
            Query = query,

            // Text and custom rules are never evaluated: a missing operator there is not an error.
            Comparison = comparison ?? new QualityComparison(QualityOperator.Equal, 0),
            Unit = unit,
            ValidValues = validValues,
            Pattern = pattern,
            MissingValues = missingValues,
            Severity = severity,
            Dimension = dimension,
            Description = description,
        };
    }

    private string? ReadMetric(YamlMappingReader rule, string? property)
    {
        var metricText = rule.String("metric");
        var ruleText = rule.String("rule");
        var metricNode = rule.Value("metric") ?? rule.Value("rule");
        var allowed = $"use one of {string.Join(", ", QualityMetrics.All)}";
        if (metricText is null && ruleText is null)
        {
            if (metricNode is not null)
            {
                return null; // written, but not as text: already reported as the wrong type
            }


            rule.ReportMissing("metric", $"add metric: ({allowed}), or type: sql with a query.");
            return null;
        }

        var metric = Normalize(metricText) ?? Normalize(ruleText);
        if (metricText is not null && ruleText is not null && Normalize(metricText) != Normalize(ruleText))
        {
            _sink.Error(rule.Value("rule")!, ContractDiagnosticCodes.UnknownMetric,
                $"{rule.FieldPath("rule")}: '{ruleText}' disagrees with metric '{metricText}'; keep only metric (rule is the deprecated v3.0 spelling).");
            return null;
        }

        if (metric is null || !QualityMetrics.All.Contains(metric, StringComparer.Ordinal))
        {
            var key = metricText is not null ? "metric" : "rule";
            _sink.Error(metricNode!, ContractDiagnosticCodes.UnknownMetric, $"{rule.FieldPath(key)}: '{metricText ?? ruleText}' is not a supported metric; {allowed}.");
            return null;
        }

        var field = rule.FieldPath(metricText is not null ? "metric" : "rule");
        if (property is null && metric != QualityMetrics.RowCount)
        {
            _sink.Error(metricNode!, ContractDiagnosticCodes.MetricLevel,
                $"{field}: {metric} measures one column; move the rule under that property's quality list (object-level library rules support rowCount only).");
        }
        else if (property is not null && metric == QualityMetrics.RowCount)
        {
            _sink.Error(metricNode!, ContractDiagnosticCodes.MetricLevel,
                $"{field}: rowCount counts the object's rows; move the rule to the schema object's quality list.");
        }

        return metric;
    }

    private static string? Normalize(string? metric) =>
        metric is not null && LegacyRules.TryGetValue(metric, out var modern) ? modern : metric;

    private (IReadOnlyList<string?>? ValidValues, string? Pattern, IReadOnlyList<string?>? MissingValues) ReadArguments(YamlMappingReader rule, string? metric)
    {
        var arguments = rule.Mapping("arguments");
        var validValues = ReadValueList(rule, arguments, "validValues");
        var missingValues = ReadValueList(rule, arguments, "missingValues");
        var (pattern, patternNode) = ReadPattern(rule, arguments);
        if (pattern is not null && patternNode is not null)
        {
            try
            {
                _ = new Regex(pattern, RegexOptions.None, TimeSpan.FromSeconds(1));
            }
            catch (ArgumentException ex)
            {
                _sink.Error(patternNode, ContractDiagnosticCodes.InvalidRuleArguments, $"{rule.FieldPath("arguments.pattern")}: not a valid regular expression ({ex.Message}).");
            }
        }

        if (metric == QualityMetrics.InvalidValues && pattern is null && (validValues is null || validValues.All(v => v is null)))
        {
            _sink.Error(rule.Node, ContractDiagnosticCodes.InvalidRuleArguments,
                $"{rule.Path}: invalidValues needs the accepted values: add arguments: {{ validValues: [...] }} or arguments: {{ pattern: '^...$' }}.");
        }

        return (validValues, pattern, missingValues);
    }

    private (string? Pattern, YamlNode? Node) ReadPattern(YamlMappingReader rule, YamlMappingReader? arguments)
    {
        var inArguments = arguments?.String("pattern");
        var topLevel = rule.String("pattern");
        if (inArguments is not null && topLevel is not null)
        {
            _sink.Error(rule.Value("pattern")!, ContractDiagnosticCodes.InvalidRuleArguments, $"{rule.FieldPath("pattern")}: given twice; keep only arguments.pattern.");
        }

        return inArguments is not null ? (inArguments, arguments!.Value("pattern")) : (topLevel, rule.Value("pattern"));
    }

    /// <summary>A list of values from <c>arguments.&lt;key&gt;</c> (v3.1) or top-level <c>&lt;key&gt;</c> (v3.0); null entries stay null.</summary>
    private List<string?>? ReadValueList(YamlMappingReader rule, YamlMappingReader? arguments, string key)
    {
        var inArguments = arguments?.Value(key);
        var topLevel = rule.Value(key);
        if (inArguments is not null && topLevel is not null)
        {
            _sink.Error(topLevel, ContractDiagnosticCodes.InvalidRuleArguments, $"{rule.FieldPath(key)}: given twice; keep only arguments.{key}.");
        }

        var node = inArguments ?? topLevel;
        if (node is null)
        {
            return null;
        }

        var path = inArguments is not null ? arguments!.FieldPath(key) : rule.FieldPath(key);
        if (node is not YamlSequenceNode sequence)
        {
            _sink.Error(node, ContractDiagnosticCodes.WrongType, $"{path}: must be a list of values, found {YamlScalars.Describe(node)}.");
            return null;
        }

        var values = new List<string?>();
        for (var i = 0; i < sequence.Children.Count; i++)
        {
            var item = sequence.Children[i];
            if (item is YamlScalarNode scalar)
            {
                values.Add(YamlScalars.IsNull(scalar) ? null : scalar.Value);
            }
            else
            {
                _sink.Error(item, ContractDiagnosticCodes.WrongType, string.Create(CultureInfo.InvariantCulture, $"{path}[{i}]: must be a single value, found {YamlScalars.Describe(item)}."));
            }
        }

        return values;
    }

    private QualityComparison? ReadComparison(YamlMappingReader rule, bool required)
    {
        var present = Operators.Where(o => rule.KeyNode(o.Key) is not null).ToList();
        if (present.Count == 0)
        {
            // A misspelt operator (mustBeGreaterThen) is the key check's diagnostic, with did-you-mean: one typo, one diagnostic.
            var misspelt = rule.Node.Children.Keys.OfType<YamlScalarNode>().Any(k => k.Value is { } key && Spelling.Closest(key, Operators.Select(o => o.Key)) is { } near && near != key);
            if (required && !misspelt)
            {
                _sink.Error(rule.Node, ContractDiagnosticCodes.InvalidOperator, $"{rule.Path}: no comparison; add exactly one of {OperatorList} (e.g. mustBe: 0).");
            }

            return null;
        }

        if (present.Count > 1)
        {
            _sink.Error(rule.KeyNode(present[1].Key)!, ContractDiagnosticCodes.InvalidOperator,
                $"{rule.Path}: {string.Join(" and ", present.Select(p => p.Key))} in one rule; keep exactly one operator (split into two rules if both matter).");
            return null;
        }

        var (key, op) = present[0];
        var node = rule.Value(key);
        if (op is QualityOperator.Between or QualityOperator.NotBetween)
        {
            if (node is YamlSequenceNode { Children.Count: 2 } range
                && range.Children[0] is YamlScalarNode lowNode && YamlScalars.TryNumber(lowNode, out var low)
                && range.Children[1] is YamlScalarNode highNode && YamlScalars.TryNumber(highNode, out var high))
            {
                if (low <= high)
                {
                    return new QualityComparison(op, low, high);
                }

                _sink.Error(range, ContractDiagnosticCodes.InvalidThreshold, $"{rule.FieldPath(key)}: [{low}, {high}] has the larger number first; write [{high}, {low}].");
                return null;
            }

            _sink.Error(node ?? rule.KeyNode(key)!, ContractDiagnosticCodes.InvalidThreshold,
                $"{rule.FieldPath(key)}: must be a list of two numbers [low, high], found {(node is null ? "nothing" : YamlScalars.Describe(node))}.");
            return null;
        }

        if (node is YamlScalarNode scalar && YamlScalars.TryNumber(scalar, out var value))
        {
            return new QualityComparison(op, value);
        }

        _sink.Error(node ?? rule.KeyNode(key)!, ContractDiagnosticCodes.InvalidThreshold,
            $"{rule.FieldPath(key)}: must be a number, found {(node is null ? "nothing" : YamlScalars.Describe(node))}.");
        return null;
    }

    private QualitySeverity ReadSeverity(YamlMappingReader rule)
    {
        var text = rule.String("severity");
        switch (text?.ToLowerInvariant())
        {
            case null or "error":
                return QualitySeverity.Error;
            case "warning" or "info":
                return QualitySeverity.Warning;
            default:
                _sink.Error(rule.Value("severity")!, ContractDiagnosticCodes.InvalidSeverity,
                    $"{rule.FieldPath("severity")}: '{text}' is not a severity; use error (blocks publishing), warning or info (reported only).");
                return QualitySeverity.Error;
        }
    }

    private QualityUnit ReadUnit(YamlMappingReader rule)
    {
        var text = rule.String("unit");
        switch (text?.ToLowerInvariant())
        {
            case null or "rows":
                return QualityUnit.Rows;
            case "percent":
                return QualityUnit.Percent;
            default:
                _sink.Error(rule.Value("unit")!, ContractDiagnosticCodes.InvalidUnit, $"{rule.FieldPath("unit")}: '{text}' is not a unit; use rows (default) or percent.");
                return QualityUnit.Rows;
        }
    }

    private string AssignName(YamlMappingReader rule, string? explicitName, string derivedName)
    {
        if (explicitName is not null)
        {
            if (!_usedNames.Add(explicitName))
            {
                _sink.Error(rule.Value("name")!, ContractDiagnosticCodes.DuplicateRuleName,
                    $"{rule.FieldPath("name")}: another rule is already named '{explicitName}'; rule names must be unique within the contract.");
            }

            return explicitName;
        }

        var name = derivedName;
        for (var n = 2; _usedNames.Contains(name) || _explicitNames.Contains(name); n++)
        {
            name = string.Create(CultureInfo.InvariantCulture, $"{derivedName}_{n}");
        }

        _usedNames.Add(name);
        return name;
    }

    private void ReserveFrom(YamlMappingNode owner)
    {
        if (Child(owner, "quality") is not YamlSequenceNode quality)
        {
            return;
        }

        foreach (var rule in quality.Children.OfType<YamlMappingNode>())
        {
            if (Child(rule, "name") is YamlScalarNode { Value: { Length: > 0 } name } scalar && !YamlScalars.IsNull(scalar))
            {
                _explicitNames.Add(name);
            }
        }
    }

    private static YamlNode? Child(YamlMappingNode mapping, string key) =>
        mapping.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;
}
