using System.Globalization;
using DataMesh.Pipeline;
using DataMesh.Specs;
using DataMesh.Storage;
using Semver;

namespace DataMesh.Publishing;

/// <summary>
/// Finds, for a product's upstream input (<c>product: domain.name</c>, <c>versions: ^1</c>), the newest published
/// release in that range: the one a run reads, and the exact release its lineage records. An input that reads
/// <c>changes</c> gets only the files holding the rows changed since the upstream release the consumer last built
/// from (<see cref="LastBuildAsync"/>), release after release along the upstream's history, never with a gap.
/// </summary>
public sealed class UpstreamResolver(MeshStorage storage)
{
    /// <summary>The newest release of the input's product within its range, with its whole snapshot; null when none is published.</summary>
    public Task<PlannedUpstream?> ResolveAsync(InputSpec input, CancellationToken cancellationToken = default) =>
        ResolveAsync(input, lastBuild: null, cancellationToken);

    /// <summary>
    /// The newest release of the input's product within its range, with the files the input reads: its whole snapshot,
    /// or for <c>read: changes</c> those of every release after the one <paramref name="lastBuild"/> records for that
    /// product, oldest first (none when it is the newest). The whole snapshot, saying why in
    /// <see cref="PlannedUpstream.Read"/>, when there is no earlier build or its upstream release is not in the newest
    /// release's history (another version, or a release of the history no longer exists). Null when none is published.
    /// </summary>
    /// <param name="input">The upstream input port.</param>
    /// <param name="lastBuild">Lineage of the consumer's release the run builds on (<see cref="LastBuildAsync"/>); null for a first build.</param>
    /// <param name="cancellationToken">Cancels the storage reads.</param>
    public async Task<PlannedUpstream?> ResolveAsync(InputSpec input, ReleaseLineage? lastBuild, CancellationToken cancellationToken = default)
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
        var release = new UpstreamRelease(input.Product, found.Version, found.Release);
        var snapshot = ReleaseSnapshot.Files(name, manifest);
        var planned = new PlannedUpstream(input.Name, domain, found.Folder, release, snapshot.Select(f => f.LocalPath).ToList()) { Sources = snapshot };
        if (input.Read != UpstreamRead.Changes)
        {
            return planned with { Read = $"snapshot of {Label(found.Version, found.Release)}" };
        }

        var since = lastBuild?.Upstream.LastOrDefault(u => string.Equals(u.ProductId, input.Product, StringComparison.Ordinal));
        if (since is null)
        {
            return planned with { Read = $"changes: whole snapshot of {Label(found.Version, found.Release)} (no earlier build of this product read {input.Product})" };
        }

        var changes = await ChangesSinceAsync(store, name, manifest, since, cancellationToken).ConfigureAwait(false);
        if (changes.Fallback is { } why)
        {
            return planned with { Read = $"changes: whole snapshot of {Label(found.Version, found.Release)}, not the changes since {Label(since.Version, since.Release)}: {why}" };
        }

        var files = changes.Releases.SelectMany(m => ReleaseSnapshot.ChangeFiles(name, m)).ToList();
        var read = changes.Releases.Count == 0
            ? $"changes: none (already built from {Label(found.Version, found.Release)})"
            : $"changes of {string.Join(", ", changes.Releases.Select(m => Label(m.Version, m.Release)))} since {Label(since.Version, since.Release)}";
        return planned with
        {
            Files = files.Select(f => f.LocalPath).ToList(),
            Sources = files,
            SchemaSource = files.Count == 0 ? snapshot.FirstOrDefault() : null,
            Read = read,
        };
    }

    /// <summary>
    /// The lineage of the consumer's newest release of <paramref name="version"/> (the one its next run builds on), or
    /// null when it has none yet.
    /// </summary>
    public async Task<ReleaseLineage?> LastBuildAsync(string productId, string version, CancellationToken cancellationToken = default)
    {
        var (domain, name) = Split(productId);
        var store = new ReleaseStore(storage.Products(domain));
        if (await store.LatestReleaseAsync(name, v => string.Equals(v.ToString(), version, StringComparison.Ordinal), cancellationToken).ConfigureAwait(false) is not { } newest)
        {
            return null;
        }

        return (await store.ReadManifestAsync(newest.Folder, cancellationToken).ConfigureAwait(false))?.Lineage;
    }

    /// <summary>True when <paramref name="version"/> is in the input's accepted range (default: any).</summary>
    public static bool Accepts(InputSpec input, string version)
    {
        ArgumentNullException.ThrowIfNull(input);
        return SemVersion.TryParse(version, SemVersionStyles.Strict, out var parsed) && Range(input).Contains(parsed);
    }

    /// <summary>
    /// The releases after <paramref name="since"/> up to <paramref name="newest"/>, oldest first, found by walking the
    /// newest release's history backwards: a release built on another (<see cref="ReleaseChanges.BasedOn"/>) follows
    /// that one; a replace-mode release, or one written before snapshots, follows the previous published release of its
    /// version. Following the recorded bases (not release numbers) skips numbers claimed by runs that never published.
    /// A fallback reason instead when the walk cannot reach <paramref name="since"/>.
    /// </summary>
    private static async Task<(IReadOnlyList<ReleaseManifest> Releases, string? Fallback)> ChangesSinceAsync(
        ReleaseStore store, string name, ReleaseManifest newest, UpstreamRelease since, CancellationToken cancellationToken)
    {
        if (newest.Version == since.Version && newest.Release < since.Release)
        {
            return ([], $"{Label(since.Version, since.Release)} is newer than the newest release in range");
        }

        var chain = new List<ReleaseManifest>();
        var visited = new HashSet<(string, int)> { (newest.Version, newest.Release) };
        var published = new Dictionary<string, IReadOnlyList<int>>(StringComparer.Ordinal);
        var current = newest;
        while (!(current.Version == since.Version && current.Release == since.Release))
        {
            chain.Add(current);
            (string Version, int Release)? previous;
            if (current.Changes is { Mode: not OutputMode.Replace, BasedOn: { } basedOn })
            {
                previous = (current.Changes.BasedOnVersion ?? current.Version, basedOn);
            }
            else
            {
                if (!published.TryGetValue(current.Version, out var releases))
                {
                    releases = await store.ListReleasesAsync(name, current.Version, cancellationToken).ConfigureAwait(false);
                    published[current.Version] = releases;
                }

                previous = releases.Where(r => r < current.Release).Select(r => ((string, int)?)(current.Version, r)).LastOrDefault();
            }

            if (previous is not { } step)
            {
                return ([], $"{Label(since.Version, since.Release)} is not in the history of {Label(newest.Version, newest.Release)} (another version, or it no longer exists)");
            }

            if (step.Version == since.Version && step.Release == since.Release)
            {
                break;
            }

            // Release numbers only grow along a version's history: below the last one read, it cannot come any more.
            if (step.Version == since.Version && step.Release < since.Release)
            {
                return ([], $"{Label(since.Version, since.Release)} no longer exists");
            }

            if (!visited.Add(step))
            {
                return ([], $"the history of {Label(newest.Version, newest.Release)} loops at {Label(step.Version, step.Release)}");
            }

            if (await store.ReadManifestAsync(ReleaseStore.Folder(name, step.Version, step.Release), cancellationToken).ConfigureAwait(false) is not { } earlier)
            {
                return ([], $"{Label(step.Version, step.Release)}, a release of its history, no longer exists, so its changes cannot be told apart");
            }

            current = earlier;
        }

        chain.Reverse();
        return (chain, null);
    }

    private static string Label(string version, int release) => $"{version}#{release.ToString(CultureInfo.InvariantCulture)}";

    private static SemVersionRange Range(InputSpec input) =>
        SemVersionRange.ParseNpm(string.IsNullOrWhiteSpace(input.Versions) ? "*" : input.Versions);

    private static (string Domain, string Name) Split(string productId) =>
        ProductIds.TrySplit(productId, out var domain, out var name)
            ? (domain, name)
            : throw new ArgumentException($"'{productId}' is not a product id (domain.name).", nameof(productId));
}
