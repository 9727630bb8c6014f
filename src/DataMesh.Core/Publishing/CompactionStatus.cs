namespace DataMesh.Publishing;

/// <summary>What a compaction did.</summary>
public enum CompactionStatus
{
    /// <summary>A new release holds the same rows in fewer files.</summary>
    Compacted,

    /// <summary>The newest snapshot has too few small files to be worth rewriting (<see cref="ReleaseCompactionOptions"/>).</summary>
    NotNeeded,

    /// <summary>The product version has no release.</summary>
    NoRelease,

    /// <summary>A release landed after the one compacted: nothing written (the next pass compacts the new newest).</summary>
    BaseMoved,
}
