namespace DataMesh.Publishing;

/// <summary>
/// A release's snapshot as built before it is published: the files this release writes (local, with their rows), the
/// files it references from earlier releases, and what changed against its base.
/// </summary>
public sealed record SnapshotPlan
{
    /// <summary>Files this release writes: path relative to its folder, local file, rows, and whether it is a merge's rewrite.</summary>
    public required IReadOnlyList<OwnSnapshotFile> Own { get; init; }

    /// <summary>Files of earlier releases the snapshot keeps, as this release's manifest lists them.</summary>
    public required IReadOnlyList<ReleaseFile> Referenced { get; init; }

    /// <summary>What changed against the base (files counted by the publisher).</summary>
    public required ReleaseChanges Changes { get; init; }

    /// <summary>
    /// Deletion files this release writes (a merge's, <see cref="ReleaseFile.Deletes"/>): each is named by
    /// <see cref="OwnSnapshotFile.Path"/> in the <see cref="ReleaseFile.Deletes"/> of one referenced file (with no
    /// <see cref="ReleaseFile.Release"/> yet, size and checksum set at upload); <see cref="OwnSnapshotFile.Rows"/> counts its positions.
    /// </summary>
    public IReadOnlyList<OwnSnapshotFile> Deletions { get; init; } = [];

    /// <summary>Base files the build downloaded and read (a merge's candidates: files whose key bounds may hold a key of the output).</summary>
    public IReadOnlyList<ReleaseFile> Scanned { get; init; } = [];

    /// <summary>Rows of the whole snapshot.</summary>
    public long Rows => Own.Sum(f => f.Rows) + Referenced.Sum(f => f.Rows);

    /// <summary>
    /// Uploads the <see cref="Deletions"/> to the release's <paramref name="folder"/> and returns <see cref="Referenced"/>
    /// as the manifest lists them: each deletion file with its size and checksum.
    /// </summary>
    public async Task<List<ReleaseFile>> UploadDeletionsAsync(ReleaseStore store, string folder, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        var uploaded = new Dictionary<string, ReleaseFile>(StringComparer.Ordinal);
        foreach (var deletion in Deletions)
        {
            uploaded[deletion.Path] = await store.UploadFileAsync(folder, deletion.Path, deletion.LocalPath, cancellationToken).ConfigureAwait(false) with { Rows = deletion.Rows };
        }

        return Referenced.Select(f => f.Deletes is { Release: null } deletes ? f with { Deletes = uploaded[deletes.Path] } : f).ToList();
    }
}

/// <summary>
/// A data file a release writes: its path in the release folder, where it is on this machine, its rows, and the bounds of
/// its first merge key column (merge mode, from its Parquet statistics).
/// </summary>
public sealed record OwnSnapshotFile(string Path, string LocalPath, long Rows, bool Rewritten)
{
    public KeyRange? Key { get; init; }
}
