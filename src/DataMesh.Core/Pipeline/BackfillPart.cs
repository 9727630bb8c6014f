namespace DataMesh.Pipeline;

/// <summary>
/// One activity of a backfill's fan-out (<see cref="BackfillPlanner"/>): the Hive partition folders it computes
/// (<c>day=2026-11-01</c>; one, or a bounded group when a backfill spans more than <see cref="BackfillPlanner.MaxParts"/>)
/// and the archived inputs whose releases wrote them. Names only: the activity reads the files itself (Durable messages stay small).
/// </summary>
/// <param name="Folders">The partition folders, as the releases' <c>changes.partitions</c> spell them, sorted.</param>
/// <param name="ArchivedBlobs">Blob names in the domain's <c>archive</c> container the partitions' rows come from, in the backfill's order.</param>
public sealed record BackfillPart(IReadOnlyList<string> Folders, IReadOnlyList<string> ArchivedBlobs)
{
    /// <summary>How messages name the part: its folder, or its first and last folder and how many.</summary>
    public string Describe() => Folders.Count switch
    {
        0 => "(no partition)",
        1 => Folders[0],
        _ => $"{Folders[0]} .. {Folders[^1]} ({Folders.Count} partitions)",
    };
}
