using DataMesh.Pipeline;

namespace DataMesh.Catalog;

/// <summary>The quality gate's rule results for one run of a product (published or stopped at the gate).</summary>
public sealed record CatalogQualityRun
{
    public required string ProductId { get; init; }

    public required string RunId { get; init; }

    /// <summary>One of <see cref="CatalogRunStatus"/>.</summary>
    public required string Status { get; init; }

    public required string Version { get; init; }

    public int? Release { get; init; }

    public required DateTimeOffset At { get; init; }

    public required bool Passed { get; init; }

    public required long Rows { get; init; }

    /// <summary>Rule results in the contract's order (failing samples are not kept in the history).</summary>
    public required IReadOnlyList<QualityRuleResult> Rules { get; init; }
}
