namespace DataMesh.Pipeline;

/// <summary>
/// An upstream product the run reads has no release in the declared range yet. Nothing is wrong with the landing
/// input: it stays where it is (no quarantine), and the upstream's first release in range rebuilds this product
/// from it (the upstream router picks the newest landing file of each landing input).
/// </summary>
public sealed class UpstreamNotReadyException : PipelineStageException
{
    public UpstreamNotReadyException(string message, Exception? innerException = null)
        : base("ingest", message, innerException)
    {
    }
}
