namespace DataMesh.Pipeline;

/// <summary>
/// Where a running pipeline is: the orchestration's custom status, set before each stage attempt (replay-safe), so
/// any client — the Durable Functions status API, <c>datamesh run</c>'s live progress — can show it.
/// </summary>
/// <param name="Stage">resolve, ingest, transform, quality, publish, quarantine, announce or cleanup.</param>
/// <param name="Attempt">The stage's attempt, from 1.</param>
public sealed record RunProgress(string Stage, int Attempt)
{
    /// <summary>The run this is about, when a client follows several (set by the client, not the orchestration).</summary>
    public string? RunId { get; init; }

    /// <summary>How a person reads it: <c>transform</c>, <c>publish (attempt 2)</c>, or <c>&lt;run id&gt;: transform</c>.</summary>
    public override string ToString() => (RunId is null ? "" : RunId + ": ") + (Attempt > 1 ? $"{Stage} (attempt {Attempt})" : Stage);
}
