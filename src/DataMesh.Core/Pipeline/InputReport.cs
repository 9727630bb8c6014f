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
public sealed record DriftFinding(string Column, string Kind, long Count, IReadOnlyList<long> SampleLines, string Detail, bool Blocking);
