using System.Security.Cryptography;
using System.Text;
using Azure.Storage.Blobs;
using DataMesh.Storage;

namespace DataMesh.Publishing;

/// <summary>
/// Data files with their deletion file applied (<see cref="DeletionFiles.ApplyAsync"/>),
/// kept on this machine per (data file, deletion file), so the second reader of the same pair — another release that
/// references both unchanged, a cache folder of another release, the next run reading the same upstream — copies the
/// result instead of downloading the data file and rewriting it again. Entries are named by the two files' SHA-256 from
/// the manifest: the same bytes give the same rows wherever they are stored, so no entry is ever stale. Bounded by
/// <see cref="MaxBytes"/>, least recently used first out. Safe across processes: an entry gets its name only once
/// complete, and a reader that finds it gone meanwhile applies the pair itself.
/// </summary>
public sealed class DeletionFileCache
{
    /// <summary>Default bound of the cache: 1 GiB.</summary>
    public const long DefaultMaxBytes = 1L << 30;

    private int _applied;
    private int _reused;

    /// <param name="directory">Where the entries live (created when first needed).</param>
    /// <param name="maxBytes">The bound; <see cref="DefaultMaxBytes"/> when null.</param>
    public DeletionFileCache(string directory, long? maxBytes = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        Directory = directory;
        MaxBytes = maxBytes ?? DefaultMaxBytes;
        ArgumentOutOfRangeException.ThrowIfNegative(MaxBytes, nameof(maxBytes));
    }

    /// <summary>The cache this machine's readers share (release cache, upstream inputs of runs): under the temp path.</summary>
    public static DeletionFileCache Shared { get; } = new(Path.Combine(Path.GetTempPath(), "datamesh-applied-deletes"));

    /// <summary>Where the entries live.</summary>
    public string Directory { get; }

    /// <summary>The most bytes the entries hold after an entry is added.</summary>
    public long MaxBytes { get; }

    /// <summary>Deletion files applied (data file rewritten) through this instance.</summary>
    public int Applied => _applied;

    /// <summary>Reads served from an entry without rewriting, through this instance.</summary>
    public int Reused => _reused;

    /// <summary>
    /// Writes <paramref name="target"/>: the rows of <paramref name="file"/> (a file with a <see cref="SnapshotFile.Deletes"/>)
    /// left by its deletion file, from the cache when an entry holds the pair, else downloaded, applied and kept.
    /// <paramref name="scratch"/> is a folder the caller owns, where the raw files are fetched and applied.
    /// </summary>
    public async Task WriteAsync(BlobContainerClient container, SnapshotFile file, string target, string scratch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(container);
        ArgumentNullException.ThrowIfNull(file);
        var deletesFile = file.Deletes ?? throw new ArgumentException($"{file.BlobName} has no deletion file.", nameof(file));

        // Rows of possibly restricted products, reused by name across processes: a folder only this user enters.
        PrivateDirectory.Ensure(Directory);
        var entry = EntryPath(file);
        if (entry is not null && TryCopy(entry, target))
        {
            Interlocked.Increment(ref _reused);
            return;
        }

        var id = Guid.NewGuid().ToString("N");
        var data = Path.Combine(scratch, $".{id}.data");
        var deletes = Path.Combine(scratch, $".{id}.deletes");
        var applied = Path.Combine(scratch, $".{id}.applied");
        try
        {
            await container.GetBlobClient(file.BlobName).DownloadToAsync(data, cancellationToken).ConfigureAwait(false);
            await container.GetBlobClient(deletesFile.BlobName).DownloadToAsync(deletes, cancellationToken).ConfigureAwait(false);
            await DeletionFiles.ApplyAsync(scratch, data, deletes, applied, cancellationToken).ConfigureAwait(false);
            Interlocked.Increment(ref _applied);
            if (entry is not null)
            {
                var partial = $"{entry}.{id}.partial";
                File.Copy(applied, partial, overwrite: true);
                File.Move(partial, entry, overwrite: true);
                Trim(entry);
            }

            File.Move(applied, target, overwrite: true);
        }
        finally
        {
            File.Delete(data);
            File.Delete(deletes);
            File.Delete(applied);
        }
    }

    // Named by content: the data file's and the deletion file's SHA-256 (none recorded, e.g. a plan made before: not cached).
    private string? EntryPath(SnapshotFile file) =>
        file.Sha256 is { Length: > 0 } data && file.Deletes?.Sha256 is { Length: > 0 } deletes
            ? Path.Combine(Directory, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(data + "\n" + deletes)))[..40] + ".parquet")
            : null;

    private static bool TryCopy(string entry, string target)
    {
        try
        {
            var partial = $"{target}.{Guid.NewGuid():N}.partial";
            File.Copy(entry, partial, overwrite: true);
            File.Move(partial, target, overwrite: true);
            File.SetLastWriteTimeUtc(entry, DateTime.UtcNow); // recently used: evicted last
            return true;
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return false; // not there, or evicted meanwhile
        }
    }

    // Least recently used out until the entries fit; the one just added stays.
    private void Trim(string keep)
    {
        var entries = new DirectoryInfo(Directory).EnumerateFiles("*.parquet").OrderBy(f => f.LastWriteTimeUtc).ToList();
        var total = entries.Sum(f => f.Length);
        foreach (var entry in entries)
        {
            if (total <= MaxBytes)
            {
                break;
            }

            if (!string.Equals(entry.FullName, Path.GetFullPath(keep), StringComparison.Ordinal))
            {
                total -= entry.Length;
                entry.Delete();
            }
        }
    }
}
