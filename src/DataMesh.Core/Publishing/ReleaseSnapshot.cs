using Azure.Storage.Blobs;

namespace DataMesh.Publishing;

/// <summary>
/// Where the data files of a release's snapshot live: its own files in its folder, the files it references in the
/// folders of the earlier releases that wrote them (never copied). Every reader (release cache, rows and files routes,
/// <c>datamesh query</c>, an upstream input) locates files through it, so a snapshot reads the same everywhere.
/// </summary>
public static class ReleaseSnapshot
{
    /// <summary>Every data file of the release's table, in manifest order.</summary>
    /// <param name="productName">The product's name (without its domain).</param>
    /// <param name="manifest">The release's manifest; one written before snapshots lists only its own files, which is read the same way.</param>
    public static IReadOnlyList<SnapshotFile> Files(string productName, ReleaseManifest manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        return manifest.Files.Select(f => Locate(productName, manifest, f)).ToList();
    }

    /// <summary>
    /// The files that hold the rows the release changed: its own files that are not rewrites of earlier ones
    /// (<see cref="ReleaseFile.Rewritten"/>). A replace-mode release, and one written before snapshots, wrote its whole
    /// table: all its files. Local paths are <c>VERSION/RELEASE/PATH</c>, so the changes of several releases never collide.
    /// </summary>
    public static IReadOnlyList<SnapshotFile> ChangeFiles(string productName, ReleaseManifest manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        var release = manifest.Release.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return manifest.Files
            .Where(f => f.Release is null && !f.Rewritten)
            .Select(f => new SnapshotFile(ReleaseStore.FileBlobName(productName, manifest.Version, manifest.Release, f), $"{manifest.Version}/{release}/{f.Path}", f.Size))
            .ToList();
    }

    /// <summary>One file of the release's snapshot.</summary>
    public static SnapshotFile Locate(string productName, ReleaseManifest manifest, ReleaseFile file)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(file);
        return new SnapshotFile(ReleaseStore.FileBlobName(productName, manifest.Version, manifest.Release, file), file.SnapshotPath(manifest.Version), file.Size)
        {
            Deletes = file.Deletes is { } deletes
                ? new SnapshotFile(ReleaseStore.FileBlobName(productName, manifest.Version, manifest.Release, deletes), deletes.SnapshotPath(manifest.Version), deletes.Size) { Sha256 = deletes.Sha256 }
                : null,
            Sha256 = file.Deletes is null ? null : file.Sha256,
        };
    }

    /// <summary>Copies <paramref name="files"/> under <paramref name="localRoot"/>, applying deletion files through <see cref="DeletionFileCache.Shared"/> (see the overload taking a cache).</summary>
    public static Task<List<string>> DownloadAsync(BlobContainerClient container, IEnumerable<SnapshotFile> files, string localRoot, CancellationToken cancellationToken = default) =>
        DownloadAsync(container, files, localRoot, null, cancellationToken);

    /// <summary>
    /// Copies <paramref name="files"/> from <paramref name="container"/> under <paramref name="localRoot"/> (each at its
    /// <see cref="SnapshotFile.LocalPath"/>) and returns their local paths in the same order. A file already there is
    /// kept (releases are immutable, and a file only gets its name once completely downloaded), so a retry downloads
    /// only what is missing. A file with a deletion file is stored locally without the rows it drops, through
    /// <paramref name="appliedDeletes"/> (default <see cref="DeletionFileCache.Shared"/>): applied once per (data file,
    /// deletion file) on this machine and copied for every later reader, so every reader of the local files reads the snapshot.
    /// </summary>
    public static async Task<List<string>> DownloadAsync(
        BlobContainerClient container, IEnumerable<SnapshotFile> files, string localRoot, DeletionFileCache? appliedDeletes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(container);
        ArgumentNullException.ThrowIfNull(files);
        var cache = appliedDeletes ?? DeletionFileCache.Shared;
        var paths = new List<string>();
        foreach (var file in files)
        {
            var local = LocalPath(localRoot, file);
            paths.Add(local);
            if (File.Exists(local))
            {
                continue;
            }

            Directory.CreateDirectory(Path.GetDirectoryName(local)!);
            if (file.Deletes is not null)
            {
                await cache.WriteAsync(container, file, local, localRoot, cancellationToken).ConfigureAwait(false);
                continue;
            }

            var partial = $"{local}.{Guid.NewGuid():N}.partial";
            try
            {
                await container.GetBlobClient(file.BlobName).DownloadToAsync(partial, cancellationToken).ConfigureAwait(false);
                File.Move(partial, local, overwrite: true);
            }
            finally
            {
                File.Delete(partial);
            }
        }

        return paths;
    }

    /// <summary>The file's path under <paramref name="localRoot"/>.</summary>
    public static string LocalPath(string localRoot, SnapshotFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        return Path.Combine(localRoot, file.LocalPath.Replace('/', Path.DirectorySeparatorChar));
    }
}
