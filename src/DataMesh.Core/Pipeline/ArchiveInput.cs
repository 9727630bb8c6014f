namespace DataMesh.Pipeline;

/// <summary>Input of <see cref="ArchiveActivity"/>: a published run's landing files (each pinned to the version ingested) and its release.</summary>
public sealed record ArchiveInput(string RunId, string ProductId, string Version, int Release, IReadOnlyList<LandingBlob> Landing)
{
    /// <summary>Attempt of the activity, from 1 (set by the orchestrator, which retries it): telemetry only.</summary>
    public int Attempt { get; init; } = 1;
}
