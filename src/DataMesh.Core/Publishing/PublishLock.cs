using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;

namespace DataMesh.Publishing;

/// <summary>
/// The lock that serialises the releases of one product version: a blob lease on <c>{product}/{version}/_publish.lock</c>
/// in the products container, held while a publisher reads the newest release (its base), builds the snapshot on it,
/// claims a number and writes the manifest. The lease is short and renewed while held, so a host killed while holding
/// it blocks others for at most <see cref="LeaseDuration"/>; the lease id derives from the owner (the run id), so a
/// retry of the same run takes its own lease back at once. Every writer of releases (publish, compaction) holds it.
/// </summary>
public sealed class PublishLock : IAsyncDisposable
{
    /// <summary>Name of the lock blob inside a product version's folder.</summary>
    public const string BlobName = "_publish.lock";

    /// <summary>How long the lease lasts without renewal (15-60 s are the service's bounds).</summary>
    public static readonly TimeSpan LeaseDuration = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan RenewEvery = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan RetryEvery = TimeSpan.FromMilliseconds(250);

    private readonly BlobLeaseClient _lease;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _renewing;
    private volatile Exception? _lost;

    private PublishLock(BlobLeaseClient lease)
    {
        _lease = lease;
        _renewing = RenewAsync();
    }

    /// <summary>The lock blob of a product version, e.g. <c>ledger-emea/1.2.0/_publish.lock</c>.</summary>
    public static string LockBlobName(string productName, string version) => $"{productName}/{version}/{BlobName}";

    /// <summary>Waits until the lock of the product version is free (or already this owner's) and takes it.</summary>
    public static async Task<PublishLock> AcquireAsync(BlobContainerClient products, string productName, string version, string owner, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(products);
        var blob = products.GetBlobClient(LockBlobName(productName, version));
        try
        {
            await blob.UploadAsync(BinaryData.Empty, new BlobUploadOptions { Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All } }, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
        {
            // The lock blob exists (possibly leased): that is all this step needs.
        }

        var lease = blob.GetBlobLeaseClient(LeaseId(owner));
        while (true)
        {
            try
            {
                await lease.AcquireAsync(LeaseDuration, cancellationToken: cancellationToken).ConfigureAwait(false);
                return new PublishLock(lease);
            }
            catch (RequestFailedException ex) when (ex.Status == 409)
            {
                // Another publisher holds it: its lease ends when it releases it, or within LeaseDuration if it died.
                await Task.Delay(RetryEvery, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Throws when the lease was lost (a renewal failed): whatever was built under it must not be published.</summary>
    public void ThrowIfLost()
    {
        if (_lost is { } lost)
        {
            throw new InvalidOperationException($"The publish lock {_lease.Uri.AbsolutePath} was lost while held ({lost.Message}); the publish is retried.", lost);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _renewing.ConfigureAwait(false);
        _stop.Dispose();
        try
        {
            await _lease.ReleaseAsync().ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
        {
            // The lease expired and someone else took it: nothing of ours to release.
        }
    }

    /// <summary>A lease id (a GUID) fixed by the owner: the same run proposes the same id on every attempt.</summary>
    private static string LeaseId(string owner) =>
        new Guid(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(owner)).AsSpan(0, 16)).ToString();

    private async Task RenewAsync()
    {
        try
        {
            while (true)
            {
                await Task.Delay(RenewEvery, _stop.Token).ConfigureAwait(false);
                await _lease.RenewAsync(cancellationToken: _stop.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // Released.
        }
        catch (RequestFailedException ex)
        {
            _lost = ex;
        }
    }
}
