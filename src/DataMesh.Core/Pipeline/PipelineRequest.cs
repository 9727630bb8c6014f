namespace DataMesh.Pipeline;

/// <summary>Input of <see cref="DataProductPipeline"/>: which product to build from which arrivals.</summary>
/// <remarks>A plain record: the local engine's client serialises it with Newtonsoft.Json, the worker reads it with System.Text.Json.</remarks>
public sealed record PipelineRequest
{
    /// <summary>Run id; also the orchestration instance id, so duplicate triggers collapse.</summary>
    public required string RunId { get; init; }

    public required string ProductId { get; init; }

    /// <summary>Landing blob names (in the product domain's landing container) that triggered the run.</summary>
    public IReadOnlyList<string> LandingBlobs { get; init; } = [];

    /// <summary>Blob names in the domain's <c>archive</c> container to replay (<c>datamesh backfill</c>): published inputs run again on purpose.</summary>
    public IReadOnlyList<string> ArchivedBlobs { get; init; } = [];

    /// <summary>
    /// A backfill's partition selection (<c>column=value</c>) for a <c>partitions</c>-mode product: the transform keeps
    /// only those partitions' rows (<see cref="BackfillPartitions"/>), so only they change in the new snapshot.
    /// </summary>
    public IReadOnlyList<string> Partitions { get; init; } = [];

    /// <summary>
    /// A partition backfill's fan-out (<see cref="BackfillPlanner"/>): one transform activity per part, each into scratch,
    /// then one quality gate and one publish. Empty: one transform over every input (any other run).
    /// </summary>
    public IReadOnlyList<BackfillPart> Parts { get; init; } = [];

    /// <summary>What started the run, for the record: <c>cli</c>, <c>blob</c>, <c>upstream</c>, <c>http</c>, <c>backfill</c>.</summary>
    public string Trigger { get; init; } = "cli";
}
