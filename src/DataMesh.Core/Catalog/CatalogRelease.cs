using DataMesh.Events;
using DataMesh.Pipeline;

namespace DataMesh.Catalog;

/// <summary>One published release of a product, with its quality and lineage.</summary>
public sealed record CatalogRelease
{
    public required string ProductId { get; init; }

    public required string Version { get; init; }

    public required int Release { get; init; }

    public required string RunId { get; init; }

    public required string Location { get; init; }

    /// <summary>Rows of the release's whole snapshot (the product's table at this release).</summary>
    public required long Rows { get; init; }

    /// <summary>What the release changed (rows added, replaced, removed; partitions; mode; the release it was built on); null for releases announced without it (before output modes).</summary>
    public ReleaseChangeSummary? Changes { get; init; }

    public required string SchemaHash { get; init; }

    public required bool QualityPassed { get; init; }

    public QualitySummary? Quality { get; init; }

    /// <summary>Quality rules left out of <see cref="Quality"/> to fit the table's property limit (failed rules are kept first).</summary>
    public int QualityRulesOmitted { get; init; }

    public IReadOnlyList<UpstreamRelease> Upstream { get; init; } = [];

    /// <summary>Upstream releases left out of <see cref="Upstream"/> to fit the table's property limit.</summary>
    public int UpstreamOmitted { get; init; }

    public IReadOnlyList<LandingBlob> Landing { get; init; } = [];

    /// <summary>
    /// How the run read each input: schema declared or auto-detected, and its drift (missing optional columns,
    /// unexpected columns), by column name; empty when the run announced none (a run that failed before reading).
    /// </summary>
    public IReadOnlyList<InputReport> Inputs { get; init; } = [];

    /// <summary>Inputs left out of <see cref="Inputs"/> to fit the table's property limit.</summary>
    public int InputsOmitted { get; init; }

    /// <summary>Landing blobs left out of <see cref="Landing"/> to fit the table's property limit.</summary>
    public int LandingOmitted { get; init; }

    public required DateTimeOffset PublishedAt { get; init; }

    /// <summary>
    /// Base URL of the domain app that serves this release's data (<see cref="ReleaseDataEndpoint"/>), when its event
    /// carried one (in Azure); null on the local mesh, which serves data itself.
    /// </summary>
    public string? DataEndpoint { get; init; }
}
