namespace DataMesh.Pipeline;

/// <summary>What a run of <see cref="DataProductPipeline"/> ended with (the JSON of <c>datamesh run --json</c>).</summary>
public sealed record PipelineResult
{
    public required PipelineStatus Status { get; init; }

    public required string Product { get; init; }

    public required string Version { get; init; }

    public required string RunId { get; init; }

    public int? Release { get; init; }

    public long? Rows { get; init; }

    /// <summary>URL of the release folder when published.</summary>
    public string? Location { get; init; }

    public IReadOnlyList<QualityRuleResult> Quality { get; init; } = [];

    /// <summary>How each input was read: declared or auto-detected schema, and non-blocking drift.</summary>
    public IReadOnlyList<InputReport> Inputs { get; init; } = [];

    /// <summary>The exact upstream product releases a published run read (its lineage).</summary>
    public IReadOnlyList<UpstreamRelease> Upstream { get; init; } = [];

    /// <summary>Stage that stopped the run: ingest, transform, quality, publish.</summary>
    public string? Stage { get; init; }

    public string? Error { get; init; }

    /// <summary>Landing blobs moved to the quarantine container, with a <c>.error.json</c> beside each.</summary>
    public IReadOnlyList<string> Quarantined { get; init; } = [];

    /// <summary>
    /// Landing blobs the quarantine could not move, their <c>.error.json</c> written and the file left in landing: names
    /// with <c>.</c>/<c>..</c> segments, which a storage client would resolve to another blob.
    /// </summary>
    public IReadOnlyList<string> KeptInLanding { get; init; } = [];

    /// <summary>
    /// The run's stage timeline: every attempt of every stage in the order scheduled. The announcement carries the
    /// stages up to the outcome; the run's result adds the announcement and clean-up.
    /// </summary>
    public IReadOnlyList<StageTiming> Stages { get; init; } = [];
}

/// <summary>Outcome of a run.</summary>
public enum PipelineStatus
{
    Published,
    QualityFailed,
    Failed,
}
