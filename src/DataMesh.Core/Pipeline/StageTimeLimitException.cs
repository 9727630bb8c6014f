namespace DataMesh.Pipeline;

/// <summary>
/// A stage ran past its time limit (<c>limits</c> in <c>product.yaml</c>) and was stopped. A product's fault, never the
/// platform's: not retried (a retry would hold the engine's slots as long again), and the run fails with this reason.
/// </summary>
public sealed class StageTimeLimitException(string stage, string message, Exception? innerException = null)
    : PipelineStageException(stage, message, innerException);
