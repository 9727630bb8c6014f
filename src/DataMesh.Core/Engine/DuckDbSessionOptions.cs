namespace DataMesh.Engine;

/// <summary>Limits of a <see cref="DuckDbSession"/>.</summary>
public sealed record DuckDbSessionOptions
{
    /// <summary>The only folders SQL may read (and the platform write).</summary>
    public required IReadOnlyList<string> AllowedDirectories { get; init; }

    public required string TempDirectory { get; init; }

    public string MemoryLimit { get; init; } = "1GB";

    /// <summary>
    /// Most DuckDB may spill to <see cref="TempDirectory"/> (<c>max_temp_directory_size</c>); past it the statement fails
    /// with DuckDB's out-of-space error. Default <see cref="DefaultMaxTempDirectorySize"/>, where DuckDB's own is 90 % of
    /// the free disk.
    /// </summary>
    public string MaxTempDirectorySize { get; init; } = DefaultMaxTempDirectorySize;

    /// <summary>The spill cap of a session unless its owner says otherwise: 10 GB.</summary>
    public const string DefaultMaxTempDirectorySize = "10GB";

    public int Threads { get; init; } = 2;

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
