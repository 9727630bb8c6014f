namespace DataMesh.Contracts;

/// <summary>An ODCS v3 quality rule, at property level (<see cref="Property"/> set) or object level.</summary>
public sealed record QualityRule
{
    /// <summary>A stable name for reports: the rule's <c>name</c>, else derived (<c>amount.nullValues</c>).</summary>
    public required string Name { get; init; }

    /// <summary>The column the rule belongs to; null for object-level rules.</summary>
    public string? Property { get; init; }

    public QualityRuleType Type { get; init; } = QualityRuleType.Library;

    /// <summary>Library metric: <c>nullValues</c>, <c>missingValues</c>, <c>duplicateValues</c>, <c>invalidValues</c>, <c>rowCount</c>.</summary>
    public string? Metric { get; init; }

    /// <summary>SQL rules: a query returning one number; <c>{object}</c> names the output.</summary>
    public string? Query { get; init; }

    /// <summary>How the measured value is compared.</summary>
    public required QualityComparison Comparison { get; init; }

    /// <summary><c>rows</c> (count) or <c>percent</c> (of all rows).</summary>
    public QualityUnit Unit { get; init; } = QualityUnit.Rows;

    /// <summary><c>invalidValues</c>: the accepted values (null entries allowed).</summary>
    public IReadOnlyList<string?>? ValidValues { get; init; }

    /// <summary><c>invalidValues</c>: a regular expression the whole value must match.</summary>
    public string? Pattern { get; init; }

    /// <summary><c>missingValues</c>: values that count as missing besides null.</summary>
    public IReadOnlyList<string?>? MissingValues { get; init; }

    /// <summary><c>error</c> rules block publishing, <c>warning</c> rules are reported only.</summary>
    public QualitySeverity Severity { get; init; } = QualitySeverity.Error;

    public string? Dimension { get; init; }

    public string? Description { get; init; }
}

/// <summary>Kind of rule.</summary>
public enum QualityRuleType
{
    Library,
    Sql,

    /// <summary>ODCS <c>text</c>: prose only; kept in <see cref="DataContract.UnsupportedQuality"/>, never evaluated.</summary>
    Text,

    /// <summary>ODCS <c>custom</c>: another engine's rule (Soda, Great Expectations...); kept in <see cref="DataContract.UnsupportedQuality"/>, never evaluated.</summary>
    Custom,
}

/// <summary>Unit of a threshold.</summary>
public enum QualityUnit
{
    Rows,
    Percent,
}

/// <summary>Whether a failed rule blocks the release.</summary>
public enum QualitySeverity
{
    Error,
    Warning,
}

/// <summary>ODCS comparison operators (<c>mustBe</c>, <c>mustBeGreaterThan</c>, ...).</summary>
public enum QualityOperator
{
    Equal,
    NotEqual,
    GreaterThan,
    GreaterOrEqual,
    LessThan,
    LessOrEqual,
    Between,
    NotBetween,
}

/// <summary>An operator and its threshold(s); <see cref="High"/> only for between operators.</summary>
public sealed record QualityComparison(QualityOperator Operator, decimal Low, decimal? High = null)
{
    /// <summary>True when <paramref name="measured"/> satisfies the comparison.</summary>
    public bool IsSatisfiedBy(decimal measured) => Operator switch
    {
        QualityOperator.Equal => measured == Low,
        QualityOperator.NotEqual => measured != Low,
        QualityOperator.GreaterThan => measured > Low,
        QualityOperator.GreaterOrEqual => measured >= Low,
        QualityOperator.LessThan => measured < Low,
        QualityOperator.LessOrEqual => measured <= Low,
        QualityOperator.Between => measured >= Low && measured <= High,
        QualityOperator.NotBetween => measured < Low || measured > High,
        _ => throw new InvalidOperationException($"Unknown operator {Operator}."),
    };

    /// <summary>The ODCS spelling, e.g. <c>mustBeLessThan 5</c>.</summary>
    public override string ToString() => Operator switch
    {
        QualityOperator.Equal => $"mustBe {Low}",
        QualityOperator.NotEqual => $"mustNotBe {Low}",
        QualityOperator.GreaterThan => $"mustBeGreaterThan {Low}",
        QualityOperator.GreaterOrEqual => $"mustBeGreaterOrEqualTo {Low}",
        QualityOperator.LessThan => $"mustBeLessThan {Low}",
        QualityOperator.LessOrEqual => $"mustBeLessOrEqualTo {Low}",
        QualityOperator.Between => $"mustBeBetween [{Low}, {High}]",
        QualityOperator.NotBetween => $"mustNotBeBetween [{Low}, {High}]",
        _ => Operator.ToString(),
    };
}
