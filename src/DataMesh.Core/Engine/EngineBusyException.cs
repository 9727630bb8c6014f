namespace DataMesh.Engine;

/// <summary>
/// No slot for a DuckDB session outside a run freed in time (<see cref="SideSessionGate"/>): the work was not started
/// and may be retried after <see cref="RetryAfter"/>.
/// </summary>
public sealed class EngineBusyException : Exception
{
    public EngineBusyException()
        : this("The engine is busy; retry shortly.", SideSessionGate.DefaultWait)
    {
    }

    public EngineBusyException(string message)
        : this(message, SideSessionGate.DefaultWait)
    {
    }

    public EngineBusyException(string message, Exception innerException)
        : base(message, innerException) => RetryAfter = SideSessionGate.DefaultWait;

    public EngineBusyException(string message, TimeSpan retryAfter)
        : base(message) => RetryAfter = retryAfter;

    /// <summary>When to try again.</summary>
    public TimeSpan RetryAfter { get; }
}
