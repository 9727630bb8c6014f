namespace DataMesh.Pipeline;

/// <summary>What <see cref="RunCancellation.CancelAsync"/> found and did.</summary>
public enum RunCancellationOutcome
{
    /// <summary>No pipeline run has that id on this task hub.</summary>
    NotFound,

    /// <summary>The run had already ended (published, failed or terminated): nothing to cancel.</summary>
    AlreadyEnded,

    /// <summary>The run was terminated; its failure (reason <c>cancelled</c>) is announced once the termination took effect.</summary>
    Terminated,
}
