using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;

namespace DataMesh.Publishing;

/// <summary>
/// The contents a product has published: one create-only blob per landing file's SHA-256 in the domain's own
/// <c>products</c> container, <c>_inputs/&lt;product&gt;/sha256/&lt;hex&gt;.json</c>, written after the release's
/// manifest. The first run to publish some bytes owns their entry for good, so the same bytes arriving again — under
/// another name, or uploaded again under the same one — are known as a duplicate of that run and release.
/// </summary>
public sealed class PublishedInputIndex
{
    /// <summary>Top folder of the index in the <c>products</c> container (outside every product's release folders).</summary>
    public const string Prefix = "_inputs/";

    private readonly BlobContainerClient _products;

    /// <param name="products">The domain's <c>products</c> container.</param>
    public PublishedInputIndex(BlobContainerClient products)
    {
        ArgumentNullException.ThrowIfNull(products);
        _products = products;
    }

    /// <summary>The index entry of some bytes of a product.</summary>
    public static string EntryName(string productName, string sha256) => $"{Prefix}{productName}/sha256/{sha256}.json";

    /// <summary>The run and release that first published these bytes for the product; null when none did.</summary>
    public async Task<PublishedInput?> FindAsync(string productName, string sha256, CancellationToken cancellationToken = default)
    {
        try
        {
            var content = await _products.GetBlobClient(EntryName(productName, sha256)).DownloadContentAsync(cancellationToken).ConfigureAwait(false);
            return content.Value.Content.ToObjectFromJson<PublishedInput>();
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
    }

    /// <summary>
    /// Records that <paramref name="entry"/>'s run published those bytes, unless an earlier run did (create-only: a
    /// retry, or a later run, leaves the first entry). Returns the entry that stands.
    /// </summary>
    public async Task<PublishedInput> RecordAsync(string productName, PublishedInput entry, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(entry);
        try
        {
            await _products.GetBlobClient(EntryName(productName, entry.Sha256)).UploadAsync(
                BinaryData.FromObjectAsJson(entry),
                new BlobUploadOptions { Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All } },
                cancellationToken).ConfigureAwait(false);
            return entry;
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
        {
            return await FindAsync(productName, entry.Sha256, cancellationToken).ConfigureAwait(false) ?? entry;
        }
    }
}
