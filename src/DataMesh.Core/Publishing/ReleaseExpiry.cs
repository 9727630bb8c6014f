using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace DataMesh.Publishing;

/// <summary>
/// <c>_expired</c> in a release folder: the release fell outside its product's <c>output.retention</c>. It has left the
/// release listings and the catalog; exact reads (time travel) are refused naming <see cref="Rule"/>; its data files no
/// retained release references are deleted once <see cref="DeleteAfter"/> has passed. The manifest stays (a few KB: the
/// release's lineage, quality and schema remain readable, and its number is never reused).
/// </summary>
public sealed record ReleaseExpiry
{
    /// <summary>The marker's blob name inside the release folder.</summary>
    public const string MarkerName = "_expired";

    public required string ProductId { get; init; }

    public required string Version { get; init; }

    public required int Release { get; init; }

    /// <summary>The retention the release fell outside, as written in <c>product.yaml</c> (e.g. <c>output.retention.releases: 3</c>).</summary>
    public required string Rule { get; init; }

    public required DateTimeOffset ExpiredAt { get; init; }

    /// <summary>When its unreferenced files may go: <see cref="ExpiredAt"/> plus the grace period (readers that picked the release before it expired finish by then).</summary>
    public required DateTimeOffset DeleteAfter { get; init; }

    /// <summary>When the files it alone referenced were deleted; null while within its grace period or held by a reader.</summary>
    public DateTimeOffset? FilesDeletedAt { get; init; }

    /// <summary>What a reader who asked for this release is told.</summary>
    public string Message =>
        $"{ProductId} {Version}#{Release} has expired (since {ExpiredAt:yyyy-MM-dd HH:mm} UTC) under its product's {Rule}: only releases inside the retention stay readable. "
        + $"Read a retained release (datamesh catalog show {ProductId}), or ask its owners to widen output.retention in product.yaml.";

    /// <summary>The marker of the release in <paramref name="folder"/>, or null when the release has not expired.</summary>
    public static async Task<ReleaseExpiry?> ReadAsync(BlobContainerClient products, string folder, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(products);
        try
        {
            var content = await products.GetBlobClient(folder + MarkerName).DownloadContentAsync(cancellationToken).ConfigureAwait(false);
            return content.Value.Content.ToObjectFromJson<ReleaseExpiry>(ReleaseStore.Json);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
    }

    /// <summary>Writes the marker create-only; when one exists already (another sweep, a retry) that one stands and is returned.</summary>
    public static async Task<ReleaseExpiry> WriteAsync(BlobContainerClient products, string folder, ReleaseExpiry expiry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(products);
        ArgumentNullException.ThrowIfNull(expiry);
        try
        {
            await products.GetBlobClient(folder + MarkerName).UploadAsync(
                BinaryData.FromObjectAsJson(expiry, ReleaseStore.Json),
                new BlobUploadOptions
                {
                    Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All },
                    HttpHeaders = new BlobHttpHeaders { ContentType = "application/json" },
                },
                cancellationToken).ConfigureAwait(false);
            return expiry;
        }
        catch (RequestFailedException ex) when (ex.Status == 409 || ex.ErrorCode == BlobErrorCode.BlobAlreadyExists)
        {
            return await ReadAsync(products, folder, cancellationToken).ConfigureAwait(false) ?? expiry;
        }
    }

    /// <summary>Records that the release's unreferenced files are gone (overwrites the marker: only retention writes it).</summary>
    internal static Task RecordFilesDeletedAsync(BlobContainerClient products, string folder, ReleaseExpiry expiry, CancellationToken cancellationToken) =>
        products.GetBlobClient(folder + MarkerName).UploadAsync(
            BinaryData.FromObjectAsJson(expiry, ReleaseStore.Json),
            new BlobUploadOptions { HttpHeaders = new BlobHttpHeaders { ContentType = "application/json" } },
            cancellationToken);
}
