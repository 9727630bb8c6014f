namespace DataMesh.Pipeline;

/// <summary>How an input port was read in a run: its files, whether its schema was declared or guessed, and drift.</summary>
public sealed record InputReport(string Name, int Files, bool AutoDetected, IReadOnlyList<DriftFinding> Drift)
{
    /// <summary>For an upstream input: what it read (the snapshot, or the changes of which releases, and why it fell back to the snapshot); null for a landing input.</summary>
    public string? Read { get; init; }
}

/// <summary>
/// A difference between a landing file and the columns its input declares: <c>missing-column</c>,
/// <c>unexpected-column</c> or <c>uncastable</c> (with the count and sample line numbers), or a reader error kind.
/// </summary>
public sealed record DriftFinding(string Column, string Kind, long Count, IReadOnlyList<long> SampleLines, string Detail, bool Blocking)
{
    /// <summary>True when the finding blocks only because its input declares <c>onDrift: block</c> (it would warn otherwise).</summary>
    public bool BlockedByPolicy { get; init; }

    /// <summary>For an <c>unexpected-column</c>: the type DuckDB detected and read the column with (e.g. <c>BIGINT</c>); null otherwise, or when the run was stopped before the read.</summary>
    public string? DetectedType { get; init; }
}
