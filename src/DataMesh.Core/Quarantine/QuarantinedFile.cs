using System.Text.Json.Nodes;

namespace DataMesh.Quarantine;

/// <summary>
/// One input in a domain's <c>quarantine</c> container, with what its <c>.error.json</c> says: the product, the run that
/// failed on it, the stage and the reason, and (for a quality failure) the rules that failed.
/// </summary>
public sealed record QuarantinedFile
{
    /// <summary>The blob name in the quarantine container (the landing name, or a safe name for a refused one).</summary>
    public required string File { get; init; }

    /// <summary>The product whose run quarantined it; null when its <c>.error.json</c> is missing or unreadable.</summary>
    public string? ProductId { get; init; }

    public required string Domain { get; init; }

    /// <summary>The name it had in landing (where a replay puts it back).</summary>
    public string? LandingName { get; init; }

    public string? Version { get; init; }

    public string? RunId { get; init; }

    /// <summary>The stage the run stopped in: <c>ingest</c>, <c>transform</c>, <c>quality</c>, ...</summary>
    public string? Stage { get; init; }

    public string? Reason { get; init; }

    /// <summary>When it was quarantined (from its <c>.error.json</c>, else the blob's last write).</summary>
    public DateTimeOffset? QuarantinedAt { get; init; }

    public long Size { get; init; }

    /// <summary>The quality rules that failed (with their samples, pii/restricted columns already shown as <c>***</c>); empty otherwise.</summary>
    public IReadOnlyList<JsonObject> FailedRules { get; init; } = [];

    /// <summary>Why the file cannot be put back in landing as it is (a refused name); null when it can.</summary>
    public string? NotReplayable { get; init; }

    /// <summary>
    /// True when only its <c>.error.json</c> is here: the file itself stayed in landing under its original name (a name
    /// with <c>.</c>/<c>..</c> segments, which no storage client can move), never replayable.
    /// </summary>
    public bool KeptInLanding { get; init; }
}
