using Azure;
using DataMesh.Publishing;
using DataMesh.Storage;
using Semver;

namespace DataMesh.Catalog;

/// <summary>
/// Takes an expired release (<see cref="ReleaseExpiry"/>) out of the catalog's release list: its row in
/// <see cref="CatalogTables.Releases"/> is deleted. Idempotent (a row already gone is fine), so retention calls it when
/// it marks a release and again when it deletes its files, which also removes a row a late redelivered announcement
/// wrote back. The product's latest release is never expired, so the product row is left as it is. Runs, lineage and
/// quality history keep naming the release: they are history, not the list of readable releases.
/// </summary>
public sealed class CatalogReleaseRetirement(MeshStorage catalog)
{
    /// <summary>Deletes the release's catalog row, if any.</summary>
    public async Task RemoveAsync(ReleaseExpiry expiry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(expiry);
        if (!SemVersion.TryParse(expiry.Version, SemVersionStyles.Strict, out var version) || !ReleaseRowKey.Supports(version) || expiry.Release < 1)
        {
            // Never recorded under a key: the projection rejects such releases.
            return;
        }

        try
        {
            await catalog.Table(CatalogTables.Releases).DeleteEntityAsync(
                CatalogKeys.Encode(expiry.ProductId), ReleaseRowKey.For(version, expiry.Version, expiry.Release), ETag.All, cancellationToken).ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // Not in the catalog (never announced there, removed before, or the table not created yet).
        }
    }
}
