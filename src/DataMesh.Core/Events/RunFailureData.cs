using DataMesh.Pipeline;

namespace DataMesh.Events;

/// <summary>What every failed-run event carries: the run, where it stopped, why, and what was quarantined.</summary>
public abstract record RunFailureData
{
    public required string ProductId { get; init; }

    public required string Domain { get; init; }

    public required string Name { get; init; }

    public required string Version { get; init; }

    public required string RunId { get; init; }

    /// <summary>Stage the run stopped in: <c>ingest</c>, <c>transform</c>, <c>quality</c> or <c>publish</c>.</summary>
    public required string Stage { get; init; }

    /// <summary>What went wrong, for a person to act on.</summary>
    public required string Error { get; init; }

    /// <summary>The quality gate's outcome when the run stopped there; otherwise null.</summary>
    public QualitySummary? Quality { get; init; }

    /// <summary>Names of the landing blobs moved to the <c>quarantine</c> container.</summary>
    public IReadOnlyList<string> Quarantined { get; init; } = [];

    /// <summary>
    /// Each blob of <see cref="Quarantined"/> with its name in the quarantine and whether it can be replayed; empty in
    /// events of versions before it (the catalog then lists replayability as unknown).
    /// </summary>
    public IReadOnlyList<QuarantinedInput> QuarantinedFiles { get; init; } = [];

    /// <summary>How each input was read when the run got that far (a quality-failed run), with its drift; empty otherwise.</summary>
    public IReadOnlyList<InputReport> Inputs { get; init; } = [];

    /// <summary>The run's stage timeline up to its outcome: every attempt of every stage (<see cref="PipelineResult.Stages"/>).</summary>
    public IReadOnlyList<StageTiming> Stages { get; init; } = [];

    public required DateTimeOffset FailedAt { get; init; }

    /// <summary>The run's OpenLineage RunEvents (START, then FAIL), as emitted.</summary>
    public IReadOnlyList<System.Text.Json.Nodes.JsonObject> OpenLineage { get; init; } = [];

    /// <summary>What was shortened to fit one queue message (<see cref="ProductEventBudget"/>); empty when nothing was.</summary>
    public IReadOnlyList<string> Trimmed { get; init; } = [];
}
