using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Blobs.Specialized;

namespace DataMesh.Publishing;

/// <summary>
/// The lock that serialises the writers of one product version's snapshot chain: a blob lease on
/// <c>{product}/{version}/_publish.lock</c> in the products container, held while a publisher reads the newest release
/// (its base), builds the snapshot on it, claims a number and writes the manifest; a compaction while it checks its base
/// is still the newest and writes its release; a retention sweep while it lists manifests and deletes files. A blob
/// lease is the storage's own mutual exclusion, across processes and hosts. It is short and renewed while held, so a
/// host killed while holding it blocks others for at most <see cref="LeaseDuration"/>; with an owner (a publish's run
/// id) the lease id derives from it, so a retry of the same run takes its own lease back at once.
/// </summary>
public sealed class PublishLock : IAsyncDisposable
{
    /// <summary>Name of the lock blob inside a product version's folder.</summary>
    public const string BlobName = "_publish.lock";

    /// <summary>How long the lease lasts without renewal (15-60 s are the service's bounds).</summary>
    public static readonly TimeSpan LeaseDuration = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long compaction and retention wait for the lock before giving up until their next pass: long enough for a
    /// publish to finish its manifest or a dead holder's lease to expire.
    /// </summary>
    public static readonly TimeSpan MaintenanceTimeout = TimeSpan.FromMinutes(2);

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

    /// <summary>
    /// Waits until the lock of the product version is free (or already <paramref name="owner"/>'s) and takes it. Without
    /// an owner the lease id is new each time. With <paramref name="timeout"/>, gives up when the lock stays held that
    /// long; without, waits until cancelled (a dead holder's lease expires within <see cref="LeaseDuration"/>).
    /// </summary>
    /// <exception cref="TimeoutException">The lock stayed held past <paramref name="timeout"/>.</exception>
    public static async Task<PublishLock> AcquireAsync(
        BlobContainerClient products, string productName, string version, string? owner = null, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(products);
        var blob = products.GetBlobClient(LockBlobName(productName, version));
        var deadline = timeout is { } limit ? DateTimeOffset.UtcNow + limit : DateTimeOffset.MaxValue;
        try
        {
            await blob.UploadAsync(BinaryData.Empty, new BlobUploadOptions { Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All } }, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
        {
            // The lock blob exists (possibly leased): that is all this step needs.
        }

        var lease = blob.GetBlobLeaseClient(owner is null ? Guid.NewGuid().ToString() : LeaseId(owner));
        while (true)
        {
            try
            {
                await lease.AcquireAsync(LeaseDuration, cancellationToken: cancellationToken).ConfigureAwait(false);
                return new PublishLock(lease);
            }
            catch (RequestFailedException ex) when (ex.Status == 409 && DateTimeOffset.UtcNow < deadline)
            {
                // Another writer holds it: its lease ends when it releases it, or within LeaseDuration if it died.
                await Task.Delay(RetryEvery, cancellationToken).ConfigureAwait(false);
            }
            catch (RequestFailedException ex) when (ex.Status == 409)
            {
                throw new TimeoutException(
                    $"{products.Name}/{LockBlobName(productName, version)} stayed leased by another publish, compaction or retention sweep for {timeout!.Value.TotalSeconds:N0} s; try again later.", ex);
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
