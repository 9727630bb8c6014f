namespace DataMesh.Pipeline;

/// <summary>
/// A backfill ready to run (<see cref="Request"/>: one run over every archived input in range), or why there is
/// nothing to run (<see cref="Problem"/>, a message naming the product, the range and what to do).
/// </summary>
public sealed record BackfillPlan(PipelineRequest? Request, string? Problem)
{
    /// <summary>The archived inputs replayed, by name, oldest arrival first.</summary>
    public IReadOnlyList<string> Inputs => Request?.ArchivedBlobs ?? [];
}
