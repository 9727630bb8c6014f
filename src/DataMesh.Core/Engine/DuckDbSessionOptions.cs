namespace DataMesh.Engine;

/// <summary>Limits of a <see cref="DuckDbSession"/>.</summary>
public sealed record DuckDbSessionOptions
{
    /// <summary>The only folders SQL may read (and the platform write).</summary>
    public required IReadOnlyList<string> AllowedDirectories { get; init; }

    /// <summary>Where DuckDB spills past its memory limit; empty for a session that reads no data (spills nowhere).</summary>
    public required string TempDirectory { get; init; }

    /// <summary>
    /// The session's <c>memory_limit</c>, <c>threads</c> and spill cap: one kind of session's limits from
    /// <see cref="Pipeline.EngineLimits"/> (derived from the instance), never a figure of the caller's own. Required, so no
    /// session runs with DuckDB's defaults (80 % of the machine's memory, every core, 90 % of the free disk).
    /// </summary>
    public required SessionLimits Limits { get; init; }

    /// <summary>
    /// Keep rows in file order (DuckDB's <c>preserve_insertion_order</c>): needed where a result is paged with
    /// LIMIT/OFFSET; off by default, which lets scans and writes run in parallel with less memory.
    /// </summary>
    public bool PreserveInsertionOrder { get; init; }

    /// <summary>
    /// Cancelling it interrupts whatever statement the session is running (a stage's time limit, a cancelled run); the
    /// statement then fails with <see cref="OperationCanceledException"/>. Default: never.
    /// </summary>
    public CancellationToken Cancellation { get; init; }
}
