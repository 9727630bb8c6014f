namespace DataMesh.Pipeline;

/// <summary>
/// A stage failed because of the product or its input (bad data, bad SQL, sandbox refusal), not because of
/// the platform: retrying cannot help, so retry policies stop at it and the run ends as Failed with this message.
/// </summary>
public class PipelineStageException : Exception
{
    public PipelineStageException(string stage, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Stage = stage;
    }

    public string Stage { get; }
}
