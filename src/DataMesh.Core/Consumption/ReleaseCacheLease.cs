namespace DataMesh.Consumption;

/// <summary>
/// A release's files in the local cache, held against eviction until disposed (a shared lock on the release's lock
/// file, across processes). Dispose it once the files are no longer read: after the query, not after the download.
/// </summary>
public sealed class ReleaseCacheLease : IDisposable
{
    private readonly FileStream _lock;

    internal ReleaseCacheLease(FileStream sharedLock, string folder, IReadOnlyList<string> files)
    {
        _lock = sharedLock;
        Folder = folder;
        Files = files;
    }

    /// <summary>The release's folder in the cache.</summary>
    public string Folder { get; }

    /// <summary>The release's data files, in manifest order.</summary>
    public IReadOnlyList<string> Files { get; }

    public void Dispose() => _lock.Dispose();
}
