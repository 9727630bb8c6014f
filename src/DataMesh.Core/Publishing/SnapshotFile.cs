namespace DataMesh.Publishing;

/// <summary>
/// A data file of a release's snapshot as a reader fetches it: the blob that holds it (in the folder of the release
/// that wrote it, which may be an earlier one) and its name within the snapshot, unique across the release's files
/// (<see cref="ReleaseFile.SnapshotPath"/>), used as its local path under a reader's folder.
/// </summary>
/// <param name="BlobName">The blob's name in the product's domain <c>products</c> container.</param>
/// <param name="LocalPath">The file's name within the snapshot, <c>/</c>-separated (Hive folders kept).</param>
/// <param name="Size">Bytes of the file, as its manifest records them.</param>
public sealed record SnapshotFile(string BlobName, string LocalPath, long Size)
{
    /// <summary>
    /// The file's deletion file (<see cref="ReleaseFile.Deletes"/>; its <see cref="LocalPath"/> is its name within the
    /// snapshot): a reader's local copy is then the data file without those rows (<see cref="ReleaseSnapshot.DownloadAsync(Azure.Storage.Blobs.BlobContainerClient, IEnumerable{SnapshotFile}, string, DeletionFileCache, CancellationToken)"/>),
    /// not the blob's bytes, and <see cref="Size"/> is the blob's.
    /// </summary>
    public SnapshotFile? Deletes { get; init; }

    /// <summary>The file's SHA-256 as its manifest records it: names a file with a deletion file in the <see cref="DeletionFileCache"/>; null in plans made before it.</summary>
    public string? Sha256 { get; init; }
}
