namespace DataMesh.Events;

/// <summary>The <c>data</c> of a <c>DataMesh.PipelineRunFailed</c> event: a run failed for a reason other than quality.</summary>
public sealed record PipelineRunFailedData : RunFailureData
{
    /// <summary>
    /// Why the run ended, as a word a subscriber can branch on: <c>cancelled</c> (<see cref="Pipeline.RunCancellation.Reason"/>)
    /// when an operator cancelled it; null when it failed on its own (<see cref="RunFailureData.Error"/> says how).
    /// </summary>
    public string? Reason { get; init; }
}
