using DataMesh.Pipeline;

namespace DataMesh.Engine;

/// <summary>
/// The DuckDB limits one <see cref="DuckDbSession"/> runs with: <c>memory_limit</c>, <c>threads</c> and
/// <c>max_temp_directory_size</c> (its spill cap). Every session takes them from <see cref="Pipeline.EngineLimits"/>, which
/// derives them from the instance for each kind of session (a run's, the quality gate's, a reader's or maintenance's).
/// </summary>
/// <param name="MemoryLimit">DuckDB <c>memory_limit</c> (e.g. <c>759MiB</c>).</param>
/// <param name="Threads">DuckDB <c>threads</c>.</param>
/// <param name="MaxSpillSize">DuckDB <c>max_temp_directory_size</c>: the most the session spills; past it a statement fails.</param>
public sealed record SessionLimits(string MemoryLimit, int Threads, string MaxSpillSize)
{
    /// <summary>
    /// The slots this kind of session shares (<see cref="EngineLimits.Side"/>: <see cref="SideSessionGate.Process"/>), which
    /// <see cref="DuckDbSession.Open"/> takes one of for a session that may read files; null (a run's, the quality gate's):
    /// none, the run's stage is alone on its instance.
    /// </summary>
    public SideSessionGate? Gate { get; init; }
}
