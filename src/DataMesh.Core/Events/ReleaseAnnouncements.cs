using Azure.Messaging;
using DataMesh.Pipeline;
using DataMesh.Publishing;
using DataMesh.Specs;
using DataMesh.Storage;

namespace DataMesh.Events;

/// <summary>
/// The announcements of release maintenance (retention and compaction), so the catalog and consumers learn of them as of
/// any release: a compaction release is a <c>ProductVersionPublished</c> like a run's; an expired release is a
/// <c>ReleaseExpired</c>, on which the catalog drops it from its list (a domain app cannot write the hub's catalog).
/// </summary>
public static class ReleaseAnnouncements
{
    /// <summary>The <c>ReleaseExpired</c> event of <paramref name="expiry"/>; its id is the release's, so a pass that expires it again sends a duplicate the catalog recognises.</summary>
    public static CloudEvent Expired(ReleaseExpiry expiry)
    {
        ArgumentNullException.ThrowIfNull(expiry);
        var (domain, name) = ProductIds.Split(expiry.ProductId, nameof(expiry));
        return ProductEventFactory.CreateReleaseExpired(new ReleaseExpiredData
        {
            ProductId = expiry.ProductId,
            Domain = domain,
            Name = name,
            Version = expiry.Version,
            Release = expiry.Release,
            Rule = expiry.Rule,
            ExpiredAt = expiry.ExpiredAt,
        });
    }

    /// <summary>
    /// The <c>ProductVersionPublished</c> event of a compaction release (<paramref name="result"/> with status
    /// <see cref="CompactionStatus.Compacted"/>), from its manifest: its rows, changes (none), quality, schema and lineage
    /// are the compacted release's; its run id is the compaction's.
    /// </summary>
    public static async Task<CloudEvent> CompactedAsync(MeshStorage storage, ProductSpec spec, CompactionResult result, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(storage);
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(result);
        var release = result.Release ?? throw new ArgumentException($"{result.ProductId} {result.Version} was not compacted ({result.Status}).", nameof(result));
        var store = new ReleaseStore(storage.Products(spec.Domain));
        var folder = ReleaseStore.Folder(spec.Name, result.Version, release);
        var manifest = await store.ReadManifestAsync(folder, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"{spec.Id} {result.Version}#{release}: the compaction release has no manifest.");
        return Compacted(storage, spec, manifest);
    }

    /// <summary>
    /// The <c>ProductVersionPublished</c> event of the compaction release <paramref name="manifest"/> describes (written or
    /// about to be): the same event whether built before the manifest is written or after.
    /// </summary>
    public static CloudEvent Compacted(MeshStorage storage, ProductSpec spec, ReleaseManifest manifest)
    {
        ArgumentNullException.ThrowIfNull(storage);
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(manifest);
        var folder = ReleaseStore.Folder(spec.Name, manifest.Version, manifest.Release);
        return ProductEventFactory.CreateProductVersionPublished(new ProductVersionPublishedData
        {
            ProductId = spec.Id,
            Domain = spec.Domain,
            Name = spec.Name,
            Version = manifest.Version,
            Release = manifest.Release,
            RunId = manifest.RunId,
            Location = storage.Products(spec.Domain).Uri.AbsoluteUri.TrimEnd('/') + "/" + folder,
            Rows = manifest.Rows,
            Changes = manifest.Changes is { } changes ? ReleaseChangeSummary.From(changes, spec) : null,
            SchemaHash = manifest.SchemaHash,
            Quality = manifest.Quality,
            Landing = manifest.Lineage.Landing,
            Upstream = manifest.Lineage.Upstream,
            Inputs = manifest.Lineage.Inputs,
            PublishedAt = manifest.CreatedAt,
        });
    }
}
