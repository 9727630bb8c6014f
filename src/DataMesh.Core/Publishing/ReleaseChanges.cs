using System.Text.Json.Serialization;
using DataMesh.Specs;

namespace DataMesh.Publishing;

/// <summary>
/// What a release changed in its product's table against the release it was built on (<see cref="BasedOn"/>), as its
/// manifest records it and the catalog shows it.
/// </summary>
public sealed record ReleaseChanges
{
    /// <summary>The output mode that built the release.</summary>
    public OutputMode Mode { get; init; } = OutputMode.Replace;

    /// <summary>The release (same version unless <see cref="BasedOnVersion"/> says otherwise) this one was built on; null for the first of its chain and in replace mode.</summary>
    public int? BasedOn { get; init; }

    /// <summary>The version of <see cref="BasedOn"/> when it differs from the release's own.</summary>
    public string? BasedOnVersion { get; init; }

    /// <summary>Rows whose key (or row) was not in the table before.</summary>
    public long RowsAdded { get; init; }

    /// <summary>Rows that replaced a row with the same key (merge) or a row of a replaced partition.</summary>
    public long RowsReplaced { get; init; }

    /// <summary>Rows that left the table (deleted keys, rows of replaced partitions with no successor, or the whole previous table in replace mode).</summary>
    public long RowsRemoved { get; init; }

    /// <summary>The partitions the release wrote (Hive folder names, e.g. <c>day=2026-11-02</c>), for a partitioned output.</summary>
    public IReadOnlyList<string> Partitions { get; init; } = [];

    /// <summary>Data files written by this release (the rest are referenced from earlier ones).</summary>
    public int FilesWritten { get; init; }

    /// <summary>Data files referenced from earlier releases, unchanged.</summary>
    public int FilesReferenced { get; init; }

    /// <summary>
    /// True for a compaction release (<see cref="ReleaseCompactor"/>): the rows of <see cref="BasedOn"/> in other files.
    /// Consumers are not rebuilt for it (same rows in, same rows out). Omitted from the manifest when false.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool Compaction { get; init; }
}
