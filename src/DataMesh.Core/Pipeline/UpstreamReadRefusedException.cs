namespace DataMesh.Pipeline;

/// <summary>
/// DM1130: the upstream domain's storage refused this domain's pipeline (it holds no grant on that domain's
/// <c>products</c>: the upstream's access rules do not admit it). The refusal is storage's; this names why.
/// </summary>
public sealed class UpstreamReadRefusedException : PipelineStageException
{
    /// <summary>The diagnostic code of the refusal.</summary>
    public const string Code = "DM1130";

    public UpstreamReadRefusedException(string message, Exception? innerException = null)
        : base("ingest", message, innerException)
    {
    }
}
