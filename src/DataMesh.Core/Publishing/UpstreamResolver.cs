using DataMesh.Pipeline;
using DataMesh.Specs;
using DataMesh.Storage;
using Semver;

namespace DataMesh.Publishing;

/// <summary>
/// Finds, for a product's upstream input (<c>product: domain.name</c>, <c>versions: ^1</c>), the newest published
/// release in that range: the one a run reads, and the exact release its lineage records.
/// </summary>
public sealed class UpstreamResolver(MeshStorage storage)
{
    /// <summary>The newest release of the input's product within its range, with its data files; null when none is published.</summary>
    public async Task<PlannedUpstream?> ResolveAsync(InputSpec input, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        var (domain, name) = Split(input.Product ?? throw new ArgumentException($"Input '{input.Name}' is not an upstream input.", nameof(input)));
        var range = Range(input);
        var store = new ReleaseStore(storage.Products(domain));
        var latest = await store.LatestReleaseAsync(name, range.Contains, cancellationToken).ConfigureAwait(false);
        if (latest is not { } found)
        {
            return null;
        }

        var manifest = await store.ReadManifestAsync(found.Folder, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"Release {found.Folder} of {input.Product} lost its manifest.");
        return new PlannedUpstream(input.Name, domain, found.Folder, new UpstreamRelease(input.Product, found.Version, found.Release), manifest.Files.Select(f => f.Path).ToList());
    }

    /// <summary>True when <paramref name="version"/> is in the input's accepted range (default: any).</summary>
    public static bool Accepts(InputSpec input, string version)
    {
        ArgumentNullException.ThrowIfNull(input);
        return SemVersion.TryParse(version, SemVersionStyles.Strict, out var parsed) && Range(input).Contains(parsed);
    }

    private static SemVersionRange Range(InputSpec input) =>
        SemVersionRange.ParseNpm(string.IsNullOrWhiteSpace(input.Versions) ? "*" : input.Versions);

    private static (string Domain, string Name) Split(string productId) =>
        ProductIds.TrySplit(productId, out var domain, out var name)
            ? (domain, name)
            : throw new ArgumentException($"'{productId}' is not a product id (domain.name).", nameof(productId));
}
