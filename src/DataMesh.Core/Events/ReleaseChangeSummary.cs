using DataMesh.Publishing;
using DataMesh.Specs;

namespace DataMesh.Events;

/// <summary>
/// What a release changed (its manifest's <see cref="ReleaseChanges"/>), as a release event and the catalog carry it:
/// the counts whole, the partitions capped (the manifest keeps them all) with the number left out. Partition names
/// are the Hive folder names of <c>output.partitionBy</c> columns, which are never masked or classified (DM1029); a
/// name on any other column is withheld all the same, so the event and the catalog never show a protected value.
/// </summary>
public sealed record ReleaseChangeSummary
{
    /// <summary>Most partition names an event carries.</summary>
    public const int MaxPartitions = 100;

    /// <summary>Most characters of partition names an event carries (about 4 KiB of the event's 46 KiB).</summary>
    public const int MaxPartitionChars = 4_000;

    /// <summary>The output mode that built the release: <c>replace</c>, <c>append</c>, <c>merge</c> or <c>partitions</c>.</summary>
    public required string Mode { get; init; }

    /// <summary>The release this one was built on (same version unless <see cref="BasedOnVersion"/> says otherwise); null for the first of its chain and in replace mode.</summary>
    public int? BasedOn { get; init; }

    /// <summary>The version of <see cref="BasedOn"/> when it differs from the release's own.</summary>
    public string? BasedOnVersion { get; init; }

    public long RowsAdded { get; init; }

    public long RowsReplaced { get; init; }

    public long RowsRemoved { get; init; }

    /// <summary>Partitions the release wrote (Hive folder names, e.g. <c>day=2026-11-02</c>), at most <see cref="MaxPartitions"/>.</summary>
    public IReadOnlyList<string> Partitions { get; init; } = [];

    /// <summary>Partitions the release wrote that <see cref="Partitions"/> leaves out (over the cap, or withheld); the release wrote <c>Partitions.Count + PartitionsOmitted</c> in all.</summary>
    public int PartitionsOmitted { get; init; }

    /// <summary>Data files written by this release.</summary>
    public int FilesWritten { get; init; }

    /// <summary>Data files referenced from earlier releases, unchanged (not copied).</summary>
    public int FilesReferenced { get; init; }

    /// <summary>True for a compaction release: <see cref="BasedOn"/>'s rows rewritten into fewer files; consumers are not rebuilt for it. Absent when false.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    public bool Compaction { get; init; }

    /// <summary>The summary of <paramref name="changes"/> for a release of <paramref name="spec"/>.</summary>
    public static ReleaseChangeSummary From(ReleaseChanges changes, ProductSpec spec)
    {
        ArgumentNullException.ThrowIfNull(changes);
        ArgumentNullException.ThrowIfNull(spec);
        var shown = new List<string>();
        var chars = 0;
        foreach (var partition in changes.Partitions)
        {
            if (shown.Count == MaxPartitions || chars + partition.Length > MaxPartitionChars)
            {
                break;
            }

            if (IsOnPublicColumns(partition, spec))
            {
                shown.Add(partition);
                chars += partition.Length;
            }
        }

        return new ReleaseChangeSummary
        {
            Mode = changes.Mode.ToString().ToLowerInvariant(),
            BasedOn = changes.BasedOn,
            BasedOnVersion = changes.BasedOnVersion,
            RowsAdded = changes.RowsAdded,
            RowsReplaced = changes.RowsReplaced,
            RowsRemoved = changes.RowsRemoved,
            Partitions = shown,
            PartitionsOmitted = changes.Partitions.Count - shown.Count,
            FilesWritten = changes.FilesWritten,
            FilesReferenced = changes.FilesReferenced,
            Compaction = changes.Compaction,
        };
    }

    /// <summary>
    /// Whether every <c>column=value</c> segment of a Hive partition name is on an <c>output.partitionBy</c> column the
    /// contract neither masks nor classifies (<see cref="PartitionColumns"/>). The loader and the publish gate refuse
    /// any other partition column; this holds should a partition name reach the summary some other way.
    /// </summary>
    internal static bool IsOnPublicColumns(string partition, ProductSpec spec)
    {
        var segments = partition.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments.Length == 0)
        {
            return false;
        }

        var properties = spec.Contract.Schema.FirstOrDefault()?.Properties ?? [];
        foreach (var segment in segments)
        {
            var equals = segment.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                return false;
            }

            var column = segment[..equals];
            if (!spec.Output.PartitionBy.Contains(column, StringComparer.OrdinalIgnoreCase)
                || properties.FirstOrDefault(p => string.Equals(p.Name, column, StringComparison.OrdinalIgnoreCase)) is { } property
                    && PartitionColumns.Protection(property) is not null)
            {
                return false;
            }
        }

        return true;
    }
}
