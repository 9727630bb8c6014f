using DataMesh.Pipeline;

namespace DataMesh.Catalog;

/// <summary>The announced outcome of one pipeline run.</summary>
public sealed record CatalogRun
{
    public required string ProductId { get; init; }

    public required string RunId { get; init; }

    /// <summary>One of <see cref="CatalogRunStatus"/>: <c>Published</c>, <c>QualityFailed</c>, <c>Failed</c> or <c>Cancelled</c>.</summary>
    public required string Status { get; init; }

    /// <summary>Stage the run ended in: <c>ingest</c>, <c>transform</c>, <c>quality</c> or <c>publish</c>.</summary>
    public string? Stage { get; init; }

    public string? Error { get; init; }

    public required string Version { get; init; }

    /// <summary>The release the run published; null when it failed.</summary>
    public int? Release { get; init; }

    public IReadOnlyList<string> Quarantined { get; init; } = [];

    public QualitySummary? Quality { get; init; }

    /// <summary>
    /// How the run read each input: schema declared or auto-detected, and its drift (missing optional columns,
    /// unexpected columns), by column name; empty when the run announced none (a run that failed before reading).
    /// </summary>
    public IReadOnlyList<InputReport> Inputs { get; init; } = [];

    /// <summary>Inputs left out of <see cref="Inputs"/> to fit the table's property limit.</summary>
    public int InputsOmitted { get; init; }

    public required DateTimeOffset At { get; init; }

    /// <summary>The run's stage timeline (every attempt of every stage up to the outcome), for a timeline view.</summary>
    public IReadOnlyList<StageTiming> Stages { get; init; } = [];

    /// <summary>Stage attempts left out of <see cref="Stages"/> to fit the table's property limit (the last ones).</summary>
    public int StagesOmitted { get; init; }

    /// <summary>
    /// The run's OpenLineage RunEvents (START, then COMPLETE or FAIL), as the run emitted them; when they would not fit
    /// the table's property limit, their dataset facets are left out (<see cref="OpenLineageTrimmed"/>).
    /// </summary>
    public IReadOnlyList<System.Text.Json.Nodes.JsonObject> OpenLineage { get; init; } = [];

    /// <summary>Whether dataset facets were dropped from <see cref="OpenLineage"/> to fit the catalog row.</summary>
    public bool OpenLineageTrimmed { get; init; }
}
