using DataMesh.Pipeline;

namespace DataMesh.Events;

/// <summary>The <c>data</c> of a <c>DataMesh.ProductVersionPublished</c> event: one release and what it was built from.</summary>
public sealed record ProductVersionPublishedData
{
    public required string ProductId { get; init; }

    public required string Domain { get; init; }

    public required string Name { get; init; }

    public required string Version { get; init; }

    public required int Release { get; init; }

    public required string RunId { get; init; }

    /// <summary>Blob URL of the release folder (ends with <c>/</c>); the manifest is <c>_manifest.json</c> inside.</summary>
    public required string Location { get; init; }

    /// <summary>Rows of the release's whole snapshot (the product's table at this release), not only the rows it changed.</summary>
    public required long Rows { get; init; }

    /// <summary>What the release changed (<see cref="ReleaseChangeSummary"/>); null in events of releases whose manifest records no changes (before output modes).</summary>
    public ReleaseChangeSummary? Changes { get; init; }

    /// <summary>SHA-256 of the output schema (names and types in order), hex.</summary>
    public required string SchemaHash { get; init; }

    public required QualitySummary Quality { get; init; }

    /// <summary>Exact upstream releases read (lineage).</summary>
    public IReadOnlyList<UpstreamRelease> Upstream { get; init; } = [];

    /// <summary>Exact landing blobs read (lineage).</summary>
    public IReadOnlyList<LandingBlob> Landing { get; init; } = [];

    /// <summary>How each input was read: declared or auto-detected schema, and the drift it carried (column names, never values).</summary>
    public IReadOnlyList<InputReport> Inputs { get; init; } = [];

    /// <summary>The run's stage timeline up to its outcome: every attempt of every stage (<see cref="PipelineResult.Stages"/>).</summary>
    public IReadOnlyList<StageTiming> Stages { get; init; } = [];

    /// <summary>The run's OpenLineage RunEvents (START, then COMPLETE), as emitted.</summary>
    public IReadOnlyList<System.Text.Json.Nodes.JsonObject> OpenLineage { get; init; } = [];

    public required DateTimeOffset PublishedAt { get; init; }

    /// <summary>
    /// What the run said besides its release (<see cref="PipelineResult.Error"/> of a published run): its inputs not
    /// archived, or a cancellation that came after its publish had committed. Null when nothing; never a data value.
    /// </summary>
    public string? Note { get; init; }

    /// <summary>
    /// The product as its domain declares it at this release (contract columns with classifications, input ranges, the
    /// columns it reads and its column lineage: names and types only, never a value), recorded by the hub's catalog when
    /// this release is not older than its latest. How a domain app, which holds only its own specs, tells the mesh which
    /// columns of other domains' products it reads. Null in events of releases announced before registrations.
    /// </summary>
    public Catalog.ProductRegistration? Registration { get; init; }

    /// <summary>What was shortened to fit one queue message (<see cref="ProductEventBudget"/>); empty when nothing was.</summary>
    public IReadOnlyList<string> Trimmed { get; init; } = [];
}
