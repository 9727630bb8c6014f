using DataMesh.Publishing;
using DataMesh.Storage;

namespace DataMesh.Consumption;

/// <summary>
/// The local cache of release files, one folder per release (releases are immutable, so a cached file never goes
/// stale), bounded in size with least-recently-used eviction, and shared by concurrent readers in any number of
/// processes (<c>datamesh query</c>, <c>datamesh up</c>, tests):
/// <list type="bullet">
/// <item>A release folder only ever appears whole: it is downloaded into <c>KEY.RANDOM.partial</c>, its files checked
/// against the manifest's sizes, then renamed to <c>KEY</c>. A download cut short (crash, cancel, storage error) leaves
/// at most a partial folder, which is never read and is deleted by a later eviction once no process holds its release.</item>
/// <item>Each release has a lock file <c>KEY.lock</c> beside its folder. A reader holds it with a shared lock from before
/// it looks for the folder until it has finished reading (<see cref="ReleaseCacheLease"/>), and sets its last-write time:
/// that time orders eviction. Eviction takes the lock exclusively without waiting, so a release being downloaded or
/// read is skipped, never deleted; a release it may delete is first renamed away while locked, so a reader that comes
/// after finds no folder and downloads it again. Lock files stay (they are empty): deleting one could let a reader lock
/// a file no longer at its path while another locks its replacement.</item>
/// <item>The locks are the operating system's file-sharing locks as .NET takes them for <see cref="FileShare"/>
/// (<c>flock</c> on Linux and macOS, share modes on Windows); <c>DOTNET_SYSTEM_IO_DISABLEFILELOCKING</c> turns them off
/// on Unix, and this protection with them.</item>
/// </list>
/// The bound is checked after each download. Releases in use are never evicted, so the cache may stand above the
/// bound while they are read; the release just downloaded is in use by its reader, so it always stays.
/// </summary>
public sealed class ReleaseCache
{
    private const string LockSuffix = ".lock";
    private const string PartialSuffix = ".partial";
    private const string EvictingSuffix = ".evicting";

    // Eviction holds a lock only to rename a folder away; a reader waits that long at most, then gives up loudly.
    private static readonly TimeSpan LockTimeout = TimeSpan.FromSeconds(30);

    private readonly string _root;
    private readonly Lazy<long> _maxBytes;

    /// <param name="options">Folder and bound; default <see cref="ReleaseCacheOptions"/>.</param>
    public ReleaseCache(ReleaseCacheOptions? options = null)
    {
        options ??= new ReleaseCacheOptions();
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Directory);
        _root = Path.GetFullPath(options.Directory);
        if (options.MaxBytes is { } max)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(max);
        }

        // The default needs the disk's free space: measured when first needed (a host may build a reader per request).
        _maxBytes = options.MaxBytes is { } bound ? new Lazy<long>(bound) : new Lazy<long>(DefaultBound);
    }

    /// <summary>The cache folder.</summary>
    public string Directory => _root;

    /// <summary>The size past which least-recently-used releases not in use are evicted.</summary>
    public long MaxBytes => _maxBytes.Value;

    /// <summary>
    /// The release's files, downloaded by <paramref name="download"/> into a fresh folder when the cache lacks them,
    /// held against eviction until the lease is disposed. Evicts least-recently-used releases beyond the bound after a download.
    /// </summary>
    /// <param name="key">The release's folder name: letters and digits (e.g. a hash of its location).</param>
    /// <param name="files">The manifest's files: their paths relative to the folder, and sizes.</param>
    /// <param name="download">Writes the files under the folder it is given.</param>
    /// <param name="cancellationToken">Cancels the download and the wait for a lock.</param>
    /// <exception cref="InvalidDataException">A cached or downloaded file is missing or not of the manifest's size.</exception>
    public Task<ReleaseCacheLease> AcquireAsync(string key, IReadOnlyList<ReleaseFile> files, Func<string, CancellationToken, Task> download, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(files);
        return AcquireAsync(key, files.Select(f => new SnapshotFile(f.Path, f.Path, f.Size)).ToList(), download, cancellationToken);
    }

    /// <summary>
    /// The files of a release's snapshot (its own and those it references from earlier releases, each at its
    /// <see cref="SnapshotFile.LocalPath"/>), downloaded by <paramref name="download"/> into a fresh folder when the
    /// cache lacks them, held against eviction until the lease is disposed.
    /// </summary>
    /// <param name="key">The release's folder name: letters and digits (e.g. a hash of its location).</param>
    /// <param name="files">The snapshot's files: their local paths relative to the folder, and sizes.</param>
    /// <param name="download">Writes the files under the folder it is given.</param>
    /// <param name="cancellationToken">Cancels the download and the wait for a lock.</param>
    /// <exception cref="InvalidDataException">A cached or downloaded file is missing or not of the manifest's size.</exception>
    public async Task<ReleaseCacheLease> AcquireAsync(string key, IReadOnlyList<SnapshotFile> files, Func<string, CancellationToken, Task> download, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(files);
        ArgumentNullException.ThrowIfNull(download);
        if (string.IsNullOrEmpty(key) || !key.All(char.IsAsciiLetterOrDigit))
        {
            throw new ArgumentException($"'{key}' is not a release cache key (letters and digits only).", nameof(key));
        }

        PrivateDirectory.Ensure(_root);
        var shared = await LockSharedAsync(key, cancellationToken).ConfigureAwait(false);
        try
        {
            var folder = Path.Combine(_root, key);
            var downloaded = false;
            if (!System.IO.Directory.Exists(folder))
            {
                var partial = Path.Combine(_root, $"{key}.{Guid.NewGuid():N}{PartialSuffix}");
                try
                {
                    System.IO.Directory.CreateDirectory(partial);
                    await download(partial, cancellationToken).ConfigureAwait(false);
                    LocalFiles(partial, files);
                    System.IO.Directory.Move(partial, folder);
                    downloaded = true;
                }
                catch (IOException) when (System.IO.Directory.Exists(folder))
                {
                    // Another reader finished the same download first: its copy is as good as ours.
                }
                finally
                {
                    if (System.IO.Directory.Exists(partial))
                    {
                        System.IO.Directory.Delete(partial, recursive: true);
                    }
                }
            }

            var paths = LocalFiles(folder, files);
            File.SetLastWriteTimeUtc(LockPath(key), DateTime.UtcNow);
            if (downloaded)
            {
                Evict();
            }

            return new ReleaseCacheLease(shared, folder, paths);
        }
        catch
        {
            shared.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Deletes leftovers (partial downloads no process holds, folders renamed for eviction), then releases not in use,
    /// least recently used first, until the cache holds at most <see cref="MaxBytes"/>.
    /// </summary>
    /// <returns>The bytes the cache's releases hold afterwards.</returns>
    public long Evict()
    {
        if (!System.IO.Directory.Exists(_root))
        {
            return 0;
        }

        var releases = new List<(string Key, string Folder, long Size, DateTime LastUsed)>();
        foreach (var folder in System.IO.Directory.EnumerateDirectories(_root))
        {
            var name = Path.GetFileName(folder);
            var dot = name.IndexOf('.', StringComparison.Ordinal);
            if (dot < 0)
            {
                var lockPath = LockPath(name);
                releases.Add((name, folder, Size(folder), File.Exists(lockPath) ? File.GetLastWriteTimeUtc(lockPath) : System.IO.Directory.GetLastWriteTimeUtc(folder)));
            }
            else if (name.EndsWith(EvictingSuffix, StringComparison.Ordinal))
            {
                TryDelete(folder);
            }
            else if (name.EndsWith(PartialSuffix, StringComparison.Ordinal))
            {
                // A partial download whose release no process holds: its downloader is gone.
                using var abandoned = TryLockExclusive(name[..dot]);
                if (abandoned is not null)
                {
                    TryDelete(folder);
                }
            }
        }

        var total = releases.Sum(r => r.Size);
        foreach (var release in releases.OrderBy(r => r.LastUsed).ThenBy(r => r.Key, StringComparer.Ordinal))
        {
            if (total <= MaxBytes)
            {
                break;
            }

            var away = Path.Combine(_root, $"{release.Key}.{Guid.NewGuid():N}{EvictingSuffix}");
            using (var exclusive = TryLockExclusive(release.Key))
            {
                if (exclusive is null || !System.IO.Directory.Exists(release.Folder))
                {
                    continue;
                }

                System.IO.Directory.Move(release.Folder, away);
            }

            total -= release.Size;
            TryDelete(away);
        }

        return total;
    }

    private static IReadOnlyList<string> LocalFiles(string folder, IReadOnlyList<SnapshotFile> files)
    {
        var paths = new List<string>(files.Count);
        foreach (var file in files)
        {
            var local = ReleaseSnapshot.LocalPath(folder, file);
            var info = new FileInfo(local);
            // A file with a deletion file is stored without the rows it drops: its size is not the blob's.
            if (!info.Exists || (file.Deletes is null && info.Length != file.Size))
            {
                throw new InvalidDataException(
                    $"Cached release file {local} is {(info.Exists ? $"{info.Length} bytes, not the manifest's {file.Size}" : "missing")}: delete {folder} and read the release again.");
            }

            paths.Add(local);
        }

        return paths;
    }

    private async Task<FileStream> LockSharedAsync(string key, CancellationToken cancellationToken)
    {
        var path = LockPath(key);
        var deadline = DateTime.UtcNow + LockTimeout;
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.Read, FileShare.ReadWrite);
            }
            catch (IOException ex)
            {
                // Eviction holds it for a rename: try again shortly.
                if (DateTime.UtcNow >= deadline)
                {
                    throw new IOException($"{path} stayed locked for {LockTimeout.TotalSeconds:N0} s: another process holds the release exclusively; try again, or delete {_root} when no datamesh process runs.", ex);
                }
            }

            await Task.Delay(TimeSpan.FromMilliseconds(20), cancellationToken).ConfigureAwait(false);
        }
    }

    private FileStream? TryLockExclusive(string key)
    {
        try
        {
            return new FileStream(LockPath(key), FileMode.OpenOrCreate, FileAccess.Read, FileShare.None);
        }
        catch (IOException)
        {
            return null;
        }
    }

    private string LockPath(string key) => Path.Combine(_root, key + LockSuffix);

    private static long Size(string folder) =>
        new DirectoryInfo(folder).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length);

    private static void TryDelete(string folder)
    {
        try
        {
            System.IO.Directory.Delete(folder, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Still open somewhere (Windows) or removed meanwhile: the next eviction tries again.
        }
    }

    private long DefaultBound()
    {
        PrivateDirectory.Ensure(_root);
        var held = new DirectoryInfo(_root).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length);
        var free = new DriveInfo(_root).AvailableFreeSpace;
        return Math.Min(ReleaseCacheOptions.DefaultMaxBytes, (free + held) / 2);
    }
}
