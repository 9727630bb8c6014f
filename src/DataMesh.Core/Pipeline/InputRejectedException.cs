namespace DataMesh.Pipeline;

/// <summary>
/// A landing file cannot be used as the input its product declares (empty, not the declared format or encoding,
/// columns missing, values that do not cast...). The run stops at ingest and the file is quarantined with this reason.
/// </summary>
public sealed class InputRejectedException : PipelineStageException
{
    public InputRejectedException(string message, Exception? innerException = null)
        : base("ingest", message, innerException)
    {
    }
}
