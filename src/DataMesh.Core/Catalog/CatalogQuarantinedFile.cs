namespace DataMesh.Catalog;

/// <summary>
/// A quarantined input as the catalog recorded it from its run's failure announcement (<c>PipelineRunFailed</c> or
/// <c>PipelineQualityFailed</c>): what any host's catalog can list without reading the domain's quarantine container.
/// The reason is the announced one, already redacted by the domain (no value of a classified column); the failed rules
/// are named, never sampled. Replayability is as the domain judged it when it quarantined the file.
/// </summary>
public sealed record CatalogQuarantinedFile
{
    /// <summary>The blob name in the domain's quarantine container.</summary>
    public required string File { get; init; }

    /// <summary>The name it had in landing; null for a refused name (quarantined under a safe one).</summary>
    public string? LandingName { get; init; }

    public required string RunId { get; init; }

    public required string Version { get; init; }

    /// <summary>The stage the run stopped in.</summary>
    public required string Stage { get; init; }

    public required string Reason { get; init; }

    public required DateTimeOffset QuarantinedAt { get; init; }

    /// <summary>Names of the quality rules that failed and blocked the release; empty otherwise.</summary>
    public IReadOnlyList<string> FailedRules { get; init; } = [];

    /// <summary>
    /// Whether the domain said the file can be replayed as it is (<see cref="Events.QuarantinedInput"/>); null when its
    /// announcement predates that.
    /// </summary>
    public bool? Replayable { get; init; }

    /// <summary>Why it cannot be replayed, as the domain said (the kind of problem, no value); null when it can or unknown.</summary>
    public string? NotReplayable { get; init; }

    /// <summary>
    /// Whether the domain said the file itself stayed in its landing container under its original name (a name with
    /// <c>.</c>/<c>..</c> segments, which no storage client can move) and only its record was quarantined
    /// (<see cref="Events.QuarantinedInput.KeptInLanding"/>); null when its announcement (or the row) predates that.
    /// </summary>
    public bool? KeptInLanding { get; init; }
}
