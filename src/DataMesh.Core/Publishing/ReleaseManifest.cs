using DataMesh.Pipeline;

namespace DataMesh.Publishing;

/// <summary>
/// <c>_manifest.json</c> of a release, written last and create-only: a release without one does not exist (DESIGN §5).
/// </summary>
public sealed record ReleaseManifest
{
    public required string ProductId { get; init; }

    public required string Version { get; init; }

    public required int Release { get; init; }

    public required string RunId { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>Rows of the release's whole table (its snapshot), not only of the run that made it.</summary>
    public required long Rows { get; init; }

    public required IReadOnlyList<OutputColumn> Schema { get; init; }

    public required string SchemaHash { get; init; }

    /// <summary>
    /// Every data file of the product's table at this release: files this release wrote, and files of earlier releases
    /// it keeps, referenced where they are (<see cref="ReleaseFile.Release"/>), never copied.
    /// </summary>
    public required IReadOnlyList<ReleaseFile> Files { get; init; }

    /// <summary>What this release changed against the one it was built on; null in manifests written before output modes.</summary>
    public ReleaseChanges? Changes { get; init; }

    public required QualitySummary Quality { get; init; }

    public required ReleaseLineage Lineage { get; init; }

    /// <summary>Id and version of the contract the release was checked against.</summary>
    public required string ContractId { get; init; }
}

/// <summary>
/// A data file of a release's snapshot. <see cref="Path"/> is relative to the folder of the release that wrote it: this
/// release's own folder when <see cref="Release"/> is null, else release <see cref="Release"/> of version
/// <see cref="Version"/> (this release's version when null) of the same product.
/// </summary>
public sealed record ReleaseFile(string Path, long Size, string Sha256)
{
    /// <summary>Rows in the file (its Parquet footer); 0 in manifests written before snapshots.</summary>
    public long Rows { get; init; }

    /// <summary>The earlier release whose folder holds the file, when this release references it; null when it wrote it.</summary>
    public int? Release { get; init; }

    /// <summary>The version of <see cref="Release"/> when it differs from this release's version.</summary>
    public string? Version { get; init; }

    /// <summary>
    /// True for a file this release wrote as a rewrite of an earlier file without the rows it replaced or removed (a
    /// merge): its rows are not changes. A file the release wrote from its run's output is false: its rows are the
    /// release's changes (what <c>read: changes</c> delivers).
    /// </summary>
    public bool Rewritten { get; init; }

    /// <summary>
    /// Bounds of the first merge key column in the file (merge mode); null in other modes, in manifests written before
    /// key bounds, and for a file whose statistics lack them: a merge then reads the file to know whether it holds a key.
    /// </summary>
    public KeyRange? Key { get; init; }

    /// <summary>
    /// The file's deletion file (merge-on-read), when a merge removed rows from it without rewriting it: a Parquet file of
    /// one column <c>pos</c> (BIGINT), the 0-based positions (DuckDB's <c>file_row_number</c>) of the rows that are no
    /// longer part of the table. It lives in the folder of the release that wrote it (its own <see cref="Release"/> and
    /// <see cref="Version"/>, read like this file's); its <see cref="Rows"/> count the positions. This file's
    /// <see cref="Rows"/> are then the rows left. Every reader drops those rows (<see cref="DeletionFiles"/>); a release
    /// keeps the file once per data file: a later merge writes a new one holding the earlier positions too.
    /// </summary>
    public ReleaseFile? Deletes { get; init; }

    /// <summary>
    /// The file's name within a snapshot, unique across the files of one release: <see cref="Path"/> for a file the
    /// release wrote, <c>VERSION/RELEASE/PATH</c> of its writer for a referenced one (readers use it as the local name).
    /// </summary>
    public string SnapshotPath(string releaseVersion) =>
        Release is null ? Path : $"{Version ?? releaseVersion}/{Release.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)}/{Path}";

    /// <summary>
    /// This file of release <paramref name="baseRelease"/> (version <paramref name="baseVersion"/>) as a release of
    /// <paramref name="releaseVersion"/> that references it lists it: in the folder of the release that wrote it, its
    /// deletion file likewise, the version named only when it differs from the referencing release's.
    /// </summary>
    public ReleaseFile ReferencedFrom(int baseRelease, string baseVersion, string releaseVersion)
    {
        var version = Version ?? baseVersion;
        return this with
        {
            Release = Release ?? baseRelease,
            Version = version == releaseVersion ? null : version,
            Rewritten = false,
            Deletes = Deletes?.ReferencedFrom(baseRelease, baseVersion, releaseVersion),
        };
    }
}

/// <summary>What a release was built from.</summary>
public sealed record ReleaseLineage(IReadOnlyList<LandingBlob> Landing, IReadOnlyList<UpstreamRelease> Upstream)
{
    /// <summary>How each input port was read (declared or auto-detected schema, drift).</summary>
    public IReadOnlyList<InputReport> Inputs { get; init; } = [];
}
