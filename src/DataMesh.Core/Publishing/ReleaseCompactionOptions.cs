namespace DataMesh.Publishing;

/// <summary>When <see cref="ReleaseCompactor"/> rewrites a snapshot's small files, and into what.</summary>
public sealed class ReleaseCompactionOptions
{
    /// <summary>A data file smaller than this is small: 8 MB by default (a Parquet file well under one row group of a typical engine).</summary>
    public long SmallFileBytes { get; set; } = 8L * 1024 * 1024;

    /// <summary>
    /// Compaction is due when the newest snapshot holds at least this many small files: 16 by default. Fewer cost a
    /// reader little, and each compaction rewrites the small files, so a lower bound would rewrite after every append.
    /// </summary>
    public int MinSmallFiles { get; set; } = 16;

    /// <summary>
    /// Compaction is also due when the rows the snapshot's deletion files drop (<see cref="ReleaseFile.Deletes"/>) reach
    /// this share of the rows its files store: 0.1 by default. Every file with a deletion file is then rewritten without
    /// those rows (the deletions are folded), so readers stop reading and dropping them.
    /// </summary>
    public double DeletedShare { get; set; } = 0.1;

    /// <summary>The size a compacted file grows to before the next one starts: 128 MB by default (the small files' bytes, before recompression).</summary>
    public long TargetFileBytes { get; set; } = 128L * 1024 * 1024;

    /// <summary>
    /// Called under the publish lock with the compaction release's manifest just before it is written (create-only): the
    /// host records the release's announcement in its outbox here (<see cref="Events.MaintenanceAnnouncer.RecordCompaction"/>),
    /// so a process that dies between the manifest and the send leaves the event to the outbox relay, not lost. Should
    /// the manifest then not be written, a retry of the same compaction claims the same release (same event id); a
    /// release abandoned for good leaves an event for a release without a manifest, which the catalog and consumers refuse
    /// (<see cref="AnnouncedReleaseCheck"/>).
    /// </summary>
    public Func<ReleaseManifest, CancellationToken, Task>? BeforeManifest { get; set; }

    /// <summary>Where the files are rewritten; default the temp path.</summary>
    public string WorkDirectory { get; set; } = Path.GetTempPath();
}
