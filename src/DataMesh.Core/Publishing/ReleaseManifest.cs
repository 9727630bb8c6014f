using DataMesh.Pipeline;

namespace DataMesh.Publishing;

/// <summary>
/// <c>_manifest.json</c> of a release, written last and create-only: a release without one does not exist (DESIGN §5).
/// </summary>
public sealed record ReleaseManifest
{
    public required string ProductId { get; init; }

    public required string Version { get; init; }

    public required int Release { get; init; }

    public required string RunId { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required long Rows { get; init; }

    public required IReadOnlyList<OutputColumn> Schema { get; init; }

    public required string SchemaHash { get; init; }

    public required IReadOnlyList<ReleaseFile> Files { get; init; }

    public required QualitySummary Quality { get; init; }

    public required ReleaseLineage Lineage { get; init; }

    /// <summary>Id and version of the contract the release was checked against.</summary>
    public required string ContractId { get; init; }
}

/// <summary>A data file of a release, relative to the release folder.</summary>
public sealed record ReleaseFile(string Path, long Size, string Sha256);

/// <summary>What a release was built from.</summary>
public sealed record ReleaseLineage(IReadOnlyList<LandingBlob> Landing, IReadOnlyList<UpstreamRelease> Upstream)
{
    /// <summary>How each input port was read (declared or auto-detected schema, drift).</summary>
    public IReadOnlyList<InputReport> Inputs { get; init; } = [];
}
