namespace DataMesh.Contracts;

/// <summary>The ODCS library metrics the platform evaluates (<see cref="QualityRule.Metric"/> values).</summary>
public static class QualityMetrics
{
    public const string NullValues = "nullValues";

    public const string MissingValues = "missingValues";

    public const string DuplicateValues = "duplicateValues";

    public const string InvalidValues = "invalidValues";

    /// <summary>Object level only: the number of rows.</summary>
    public const string RowCount = "rowCount";

    /// <summary>All metrics, in documentation order.</summary>
    public static IReadOnlyList<string> All { get; } = [NullValues, MissingValues, DuplicateValues, InvalidValues, RowCount];
}
