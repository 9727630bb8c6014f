namespace DataMesh.Pipeline;

/// <summary>
/// Input of <see cref="StuckRunFailure"/>: a run the host terminated (stuck past its bound, or cancelled by an operator),
/// to be announced as failed with the reason and cleaned up.
/// </summary>
/// <param name="RunId">The stuck run.</param>
/// <param name="ProductId">Its product.</param>
/// <param name="Version">The product version it was building.</param>
/// <param name="Stage">The last stage it was in (its custom status), or <c>unknown</c>.</param>
/// <param name="Reason">Why it was failed: how long it ran, its bound, and that its input stays in landing.</param>
/// <param name="LandingBlobs">The landing blobs it was triggered with (left in landing).</param>
public sealed record StuckRun(string RunId, string ProductId, string Version, string Stage, string Reason, IReadOnlyList<string> LandingBlobs)
{
    /// <summary>
    /// The word the announcement carries as <see cref="Events.PipelineRunFailedData.Reason"/>: <see cref="RunCancellation.Reason"/>
    /// for a cancelled run, null for a stuck one.
    /// </summary>
    public string? Cause { get; init; }
}
