using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;

namespace DataMesh.Publishing;

/// <summary>
/// The lease on <c>{product}/{version}/_publish.lock</c> in the products container that serialises the writers of a
/// product version's snapshot chain: a publish in a non-replace mode, a compaction and a retention sweep each hold it
/// while they check that the release they built on is still the newest, claim, upload and write the manifest (or, for
/// retention, mark and delete). A blob lease is the storage's own mutual exclusion, across processes and hosts; it
/// expires by itself when its holder dies (after <see cref="LeaseDuration"/>), so a killed writer never blocks the chain.
/// Dispose the lock to release it.
/// </summary>
public sealed class ProductPublishLock : IAsyncDisposable
{
    /// <summary>The lock blob's name inside a version's folder.</summary>
    public const string BlobName = "_publish.lock";

    /// <summary>
    /// The lease's length: long enough for a manifest write, short enough that a dead holder blocks others briefly. A
    /// holder that works longer renews it (<see cref="RenewAsync"/>).
    /// </summary>
    public static readonly TimeSpan LeaseDuration = TimeSpan.FromSeconds(60);

    private readonly BlobLeaseClient _lease;

    private ProductPublishLock(BlobLeaseClient lease) => _lease = lease;

    /// <summary>The blob name of a version's lock, e.g. <c>ledger-emea/1.2.0/_publish.lock</c>.</summary>
    public static string LockBlobName(string productName, string version) => $"{productName}/{version}/{BlobName}";

    /// <summary>
    /// Takes the lock of <paramref name="productName"/> <paramref name="version"/>, waiting while another writer holds
    /// it, for at most <paramref name="timeout"/> (default twice <see cref="LeaseDuration"/>: a dead holder's lease expires first).
    /// </summary>
    /// <exception cref="TimeoutException">The lock stayed held past the timeout.</exception>
    public static async Task<ProductPublishLock> AcquireAsync(BlobContainerClient products, string productName, string version, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(products);
        var blob = products.GetBlobClient(LockBlobName(productName, version));
        try
        {
            // The lock blob is empty and created once, create-only: two first writers both find it afterwards.
            await blob.UploadAsync(BinaryData.Empty, new BlobUploadOptions { Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All } }, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
        {
            // Exists already (409), or is leased by its holder right now (412): either way there is a blob to lease.
        }

        var lease = blob.GetBlobLeaseClient();
        var deadline = DateTimeOffset.UtcNow + (timeout ?? 2 * LeaseDuration);
        var delay = TimeSpan.FromMilliseconds(50);
        while (true)
        {
            try
            {
                await lease.AcquireAsync(LeaseDuration, cancellationToken: cancellationToken).ConfigureAwait(false);
                return new ProductPublishLock(lease);
            }
            catch (RequestFailedException ex) when (ex.Status == 409 && DateTimeOffset.UtcNow < deadline)
            {
                // Held by another writer: wait a little longer each time, up to a second.
            }
            catch (RequestFailedException ex) when (ex.Status == 409)
            {
                throw new TimeoutException(
                    $"{products.Name}/{LockBlobName(productName, version)} stayed leased by another publish, compaction or retention sweep for {(timeout ?? 2 * LeaseDuration).TotalSeconds:N0} s; try again later.", ex);
            }

            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            delay = TimeSpan.FromMilliseconds(Math.Min(1000, delay.TotalMilliseconds * 2));
        }
    }

    /// <summary>Extends the lease by another <see cref="LeaseDuration"/> (a holder whose work may outlast it).</summary>
    public Task RenewAsync(CancellationToken cancellationToken = default) => _lease.RenewAsync(cancellationToken: cancellationToken);

    /// <summary>Releases the lease; one that already expired (a stalled holder) is left to expire.</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            await _lease.ReleaseAsync().ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
        {
            // The lease expired and another writer took it: it is theirs now, nothing to release.
        }
    }
}
