namespace DataMesh.Pipeline;

/// <summary>
/// One attempt of one stage of a run, as the orchestrator saw it (its replay-safe clock): the data of the run's stage
/// timeline.
/// </summary>
/// <param name="Stage"><c>resolve</c>, <c>ingest</c> (one per file), <c>transform</c>, <c>quality</c>, <c>publish</c>, <c>quarantine</c>, <c>announce</c> or <c>cleanup</c>.</param>
/// <param name="Attempt">From 1; a retried stage has one entry per attempt.</param>
/// <param name="StartedAt">When the attempt was scheduled.</param>
/// <param name="EndedAt">When its completion (or failure) was processed.</param>
/// <param name="Outcome"><c>succeeded</c> or <c>failed</c>.</param>
public sealed record StageTiming(string Stage, int Attempt, DateTimeOffset StartedAt, DateTimeOffset EndedAt, string Outcome)
{
    /// <summary>Why the attempt failed; null when it succeeded.</summary>
    public string? Error { get; init; }

    /// <summary>For a transform of a backfill's fan-out, the partitions it computed (<see cref="BackfillPart.Describe"/>); null otherwise.</summary>
    public string? Part { get; init; }
}
