using DataMesh.Events;
using DataMesh.Storage;

namespace DataMesh.Publishing;

/// <summary>
/// Checks that the release a <c>DataMesh.ProductVersionPublished</c> event announces exists where the event says,
/// in the storage this host has: its location names the announcing domain's <c>products</c> container and the
/// release's own folder, and that folder holds a manifest written by the run the event names. A release without a
/// manifest does not exist (DESIGN §5): an event for one must neither move a product's "latest" nor rebuild its
/// consumers. Reads only; storage failures surface so the caller retries.
/// </summary>
/// <remarks>
/// Host and port of the location are not compared: the local mesh's Azurite takes a new port at each start, so an
/// announcement relayed after a restart names the old one. The account is the one this host's storage reaches.
/// </remarks>
public sealed class AnnouncedReleaseCheck(MeshStorage storage)
{
    /// <summary>
    /// The hub in Azure reads a domain's manifests only once that domain granted it (domains.json's <c>hub</c> entry, then
    /// the domain's provision): until then storage answers 403 and the release is let through on its location alone
    /// (which the domain registry has checked) rather than refused. A missing or mismatched manifest is still refused.
    /// </summary>
    public bool AcceptWhenForbidden { get; init; }

    /// <summary>How many announcements were let through unverified because storage refused the read (for logs and tests).</summary>
    public int Unverified => _unverified;

    private int _unverified;

    /// <summary>Null when the announced release exists as announced; otherwise why it is refused, for a person to read.</summary>
    public async Task<string?> VerifyAsync(ProductVersionPublishedData data, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        var container = storage.Products(data.Domain);
        var folder = ReleaseStore.Folder(data.Name, data.Version, data.Release);
        var expected = $"/{container.Name}/{folder}";
        if (!Uri.TryCreate(data.Location, UriKind.Absolute, out var location)
            || !Uri.UnescapeDataString(location.AbsolutePath).EndsWith(expected, StringComparison.Ordinal))
        {
            return $"its location '{Shorten(data.Location)}' is not the release's folder '{expected}' in domain {data.Domain}'s products container";
        }

        ReleaseManifest? manifest;
        try
        {
            manifest = await new ReleaseStore(container).ReadManifestAsync(folder, cancellationToken).ConfigureAwait(false);
        }
        catch (Azure.RequestFailedException ex) when (AcceptWhenForbidden && ex.Status == 403)
        {
            Interlocked.Increment(ref _unverified);
            return null;
        }
        catch (System.Text.Json.JsonException ex)
        {
            return $"the manifest at {container.Name}/{folder}{ReleaseStore.ManifestName} is not a release manifest: {ex.Message}";
        }

        if (manifest is null)
        {
            return $"release {data.Version}#{data.Release} of {data.ProductId} has no manifest at {container.Name}/{folder}{ReleaseStore.ManifestName}: the release does not exist";
        }

        return manifest.ProductId == data.ProductId && manifest.Version == data.Version && manifest.Release == data.Release && manifest.RunId == data.RunId
            ? null
            : $"the manifest at {container.Name}/{folder}{ReleaseStore.ManifestName} is release {manifest.Version}#{manifest.Release} of {manifest.ProductId} "
                + $"by run {manifest.RunId}, not the event's {data.Version}#{data.Release} of {data.ProductId} by run {data.RunId}";
    }

    private static string Shorten(string text) => text.Length <= 200 ? text : string.Concat(text.AsSpan(0, 200), "...");
}
