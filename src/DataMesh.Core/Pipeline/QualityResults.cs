namespace DataMesh.Pipeline;

/// <summary>Outcome of the quality gate over one output.</summary>
public sealed record QualitySummary(bool Passed, long Rows, IReadOnlyList<QualityRuleResult> Rules)
{
    /// <summary>Rules that failed and block the release.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public IEnumerable<QualityRuleResult> BlockingFailures => Rules.Where(r => !r.Passed && r.Severity == "error");
}

/// <summary>The measured value of one rule against its threshold.</summary>
public sealed record QualityRuleResult(
    string Name,
    string? Property,
    string Metric,
    string Severity,
    decimal Measured,
    string Unit,
    string Expectation,
    bool Passed,
    long FailedRows)
{
    /// <summary>A few failing rows (column → value), with columns classified pii/restricted masked as <c>***</c>.</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, string?>> Samples { get; init; } = [];

    /// <summary>The measured value with its unit, in words: "1 row", "3 rows", "10 percent".</summary>
    public string DescribeMeasured()
    {
        var value = Measured.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Unit == "rows" && Measured == 1 ? $"{value} row" : $"{value} {Unit}";
    }

    /// <summary>Value equality, samples included (compared row by row, column by column).</summary>
    public bool Equals(QualityRuleResult? other) =>
        other is not null
        && (Name, Property, Metric, Severity, Measured, Unit, Expectation, Passed, FailedRows)
            == (other.Name, other.Property, other.Metric, other.Severity, other.Measured, other.Unit, other.Expectation, other.Passed, other.FailedRows)
        && Samples.Count == other.Samples.Count
        && Samples.Zip(other.Samples).All(pair => pair.First.Count == pair.Second.Count
            && pair.First.All(cell => pair.Second.TryGetValue(cell.Key, out var value) && value == cell.Value));

    public override int GetHashCode() => HashCode.Combine(Name, Property, Metric, Measured, Passed, FailedRows, Samples.Count);
}

/// <summary>An upstream product release an output was built from.</summary>
public sealed record UpstreamRelease(string ProductId, string Version, int Release);

/// <summary>A landing blob an output was built from, pinned by ETag and content hash.</summary>
public sealed record LandingBlob(string Container, string Name, string ETag, long Size, string Sha256);
