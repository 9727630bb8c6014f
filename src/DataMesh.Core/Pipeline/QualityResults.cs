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
    long FailedRows);

/// <summary>An upstream product release an output was built from.</summary>
public sealed record UpstreamRelease(string ProductId, string Version, int Release);

/// <summary>A landing blob an output was built from, pinned by ETag and content hash.</summary>
public sealed record LandingBlob(string Container, string Name, string ETag, long Size, string Sha256);
