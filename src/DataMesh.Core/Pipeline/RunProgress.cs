namespace DataMesh.Pipeline;

/// <summary>
/// Where a running pipeline is: the orchestration's custom status, set before each stage attempt (replay-safe), so
/// any client — the Durable Functions status API, <c>datamesh run</c>'s live progress — can show it.
/// </summary>
/// <param name="Stage">resolve, ingest, transform, quality, publish, quarantine, announce or cleanup.</param>
/// <param name="Attempt">The stage's attempt, from 1.</param>
public sealed record RunProgress(string Stage, int Attempt)
{
    /// <summary>How a person reads it: <c>transform</c>, or <c>publish (attempt 2)</c>.</summary>
    public override string ToString() => Attempt > 1 ? $"{Stage} (attempt {Attempt})" : Stage;
}
