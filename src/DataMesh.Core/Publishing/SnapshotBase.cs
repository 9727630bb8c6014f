using DataMesh.Specs;
using Semver;

namespace DataMesh.Publishing;

/// <summary>The release a new release is built on: its version, number and manifest.</summary>
public sealed record SnapshotBase(string Version, int Release, ReleaseManifest Manifest)
{
    /// <summary>
    /// The base of the next release of <paramref name="spec"/>, read under the publish lock: the newest release of the same
    /// version; when that version has none yet (and the mode is not replace), the newest release of an earlier version of
    /// the same major whose schema hash equals <paramref name="schemaHash"/> (a new minor or patch that kept the table's
    /// shape carries its rows over); else null, and the release starts a fresh table.
    /// </summary>
    public static async Task<SnapshotBase?> FindAsync(ProductSpec spec, ReleaseStore store, string schemaHash, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(store);
        var current = SemVersion.Parse(spec.Version, SemVersionStyles.Strict);
        if (await ReadAsync(store, spec.Name, v => v.ComparePrecedenceTo(current) == 0, cancellationToken).ConfigureAwait(false) is { } same)
        {
            return same;
        }

        if (spec.Output.Mode == OutputMode.Replace)
        {
            return null;
        }

        var earlier = await ReadAsync(store, spec.Name, v => v.Major == current.Major && v.ComparePrecedenceTo(current) < 0, cancellationToken).ConfigureAwait(false);
        return earlier is not null && earlier.Manifest.SchemaHash == schemaHash ? earlier : null;
    }

    private static async Task<SnapshotBase?> ReadAsync(ReleaseStore store, string productName, Func<SemVersion, bool> versions, CancellationToken cancellationToken)
    {
        if (await store.LatestReleaseAsync(productName, versions, cancellationToken).ConfigureAwait(false) is not { } latest)
        {
            return null;
        }

        var manifest = await store.ReadManifestAsync(latest.Folder, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"The manifest of {latest.Folder} vanished while it was read.");
        return new SnapshotBase(latest.Version, latest.Release, manifest);
    }
}
