using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace DataMesh.Pipeline;

/// <summary>
/// The local twin of the <c>staging</c> container's lifecycle rule in Azure (<c>infra/domain.bicep</c>,
/// <c>expiringContainers</c>: a blob is deleted <see cref="After"/> its last write). Azurite has no lifecycle management,
/// so the local mesh's maintenance pass sweeps it: what a run leaves in staging for good (its <see cref="RunDecision"/>,
/// the scratch of a run whose clean-up never ran) goes after the same time, far past any run's bound.
/// </summary>
public static class StagingExpiry
{
    /// <summary>Days after its last write a staging blob is deleted: the Bicep rule's <c>days: 7</c>.</summary>
    public static readonly TimeSpan After = TimeSpan.FromDays(7);

    /// <summary>
    /// Deletes every blob of <paramref name="staging"/> last written more than <see cref="After"/> before
    /// <paramref name="now"/> (only as listed: a blob written again since is kept). Returns how many were deleted.
    /// </summary>
    public static async Task<int> SweepAsync(BlobContainerClient staging, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(staging);
        var deleted = 0;
        await foreach (var blob in staging.GetBlobsAsync(cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            if (blob.Properties.LastModified is not { } written || now - written <= After)
            {
                continue;
            }

            try
            {
                var conditions = new BlobRequestConditions { IfMatch = blob.Properties.ETag };
                if ((await staging.DeleteBlobIfExistsAsync(blob.Name, DeleteSnapshotsOption.IncludeSnapshots, conditions, cancellationToken).ConfigureAwait(false)).Value)
                {
                    deleted++;
                }
            }
            catch (RequestFailedException ex) when (ex.Status == 412)
            {
                // Written again since it was listed: not expired.
            }
        }

        return deleted;
    }
}
