using System.Collections.Concurrent;
using System.Globalization;
using Azure;
using Azure.Storage.Blobs;
using DataMesh.Consumption;
using DataMesh.Specs;
using DataMesh.Storage;

namespace DataMesh.Publishing;

/// <summary>
/// Applies <c>output.retention</c>: a pass (a timer in Azure, a periodic sweep in the local host) does two things per product.
/// <list type="number">
/// <item><b>Expire.</b> Within each version, the releases outside the retention — past the newest <c>releases: N</c>,
/// and older than <c>age</c> (with both, a release stays while either keeps it) — get an <see cref="ReleaseExpiry"/>
/// marker: they leave the listings and the catalog, and exact reads are refused naming the rule. The newest release of
/// every version always stays (consumers pinned to that version read it), whatever the rule says.</item>
/// <item><b>Delete</b>, once an expired release's grace period has passed: the data files listed only by such releases.
/// A file any other release lists — a retained one, one still in its grace period, or one a reader on this machine
/// holds in its release cache — stays; manifests, claims and markers stay. Deletion holds the version's
/// <see cref="PublishLock"/>, so no publish or compaction writes a manifest meanwhile, and lists the manifests
/// again under it.</item>
/// </list>
/// Idempotent: a pass interrupted anywhere is finished by the next one.
/// </summary>
public sealed class ReleaseRetention
{
    private readonly MeshStorage _storage;
    private readonly ReleaseRetentionOptions _options;
    private readonly TimeProvider _time;

    // Manifests never change once written: each is read once per process.
    private readonly ConcurrentDictionary<string, ReleaseManifest> _manifests = new(StringComparer.Ordinal);

    // Releases whose files are gone stay so (only retention writes markers): each marker is read until then, not after.
    private readonly ConcurrentDictionary<string, bool> _finished = new(StringComparer.Ordinal);

    public ReleaseRetention(MeshStorage storage, ReleaseRetentionOptions? options = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(storage);
        _storage = storage;
        _options = options ?? new ReleaseRetentionOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.GracePeriod, TimeSpan.Zero);
        _time = time ?? TimeProvider.System;
    }

    /// <summary>The rule as a reader is told it, e.g. <c>output.retention { releases: 3, age: P30D }</c>.</summary>
    public static string Describe(RetentionSpec retention)
    {
        ArgumentNullException.ThrowIfNull(retention);
        var parts = new List<string>();
        if (retention.Releases is { } count)
        {
            parts.Add($"releases: {count.ToString(CultureInfo.InvariantCulture)}");
        }

        if (retention.Age is { } age)
        {
            parts.Add($"age: {System.Xml.XmlConvert.ToString(age)}");
        }

        return $"output.retention {{ {string.Join(", ", parts)} }}";
    }

    /// <summary>One pass over every product that declares a retention.</summary>
    public async Task<IReadOnlyList<RetentionSweepResult>> SweepAsync(IEnumerable<ProductSpec> products, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(products);
        var results = new List<RetentionSweepResult>();
        foreach (var spec in products.Where(p => p.Output.Retention is not null))
        {
            results.Add(await SweepAsync(spec.Domain, spec.Name, spec.Output.Retention!, cancellationToken).ConfigureAwait(false));
        }

        return results;
    }

    /// <summary>One pass over one product of <paramref name="domain"/>.</summary>
    public async Task<RetentionSweepResult> SweepAsync(string domain, string productName, RetentionSpec retention, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(domain);
        ArgumentException.ThrowIfNullOrWhiteSpace(productName);
        ArgumentNullException.ThrowIfNull(retention);
        var productId = $"{domain}.{productName}";
        var container = _storage.Products(domain);
        var now = _time.GetUtcNow();

        // 1. Expire what the rule lets go (no lock needed: a release that landed since only moves others further out).
        var releases = await ListAsync(container, productName, cancellationToken).ConfigureAwait(false);
        var expired = new List<string>();
        foreach (var version in releases.GroupBy(r => r.Version, StringComparer.Ordinal))
        {
            var newestFirst = version.Where(r => r.HasManifest).OrderByDescending(r => r.Release).ToList();
            for (var rank = 1; rank < newestFirst.Count; rank++)
            {
                var release = newestFirst[rank];
                if (release.HasMarker)
                {
                    continue;
                }

                var manifest = await ManifestAsync(container, release.Folder, cancellationToken).ConfigureAwait(false);
                var keptByCount = retention.Releases is { } count && rank < count;
                var keptByAge = retention.Age is { } age && now - manifest.CreatedAt < age;
                if (keptByCount || keptByAge)
                {
                    continue;
                }

                var expiry = new ReleaseExpiry
                {
                    ProductId = productId,
                    Version = release.Version,
                    Release = release.Release,
                    Rule = Describe(retention),
                    ExpiredAt = now,
                    DeleteAfter = now + _options.GracePeriod,
                };

                // The catalog first: a pass cut short here expires the release again next time, and the removal is idempotent.
                if (_options.OnExpired is { } onExpired)
                {
                    await onExpired(expiry, cancellationToken).ConfigureAwait(false);
                }

                await ReleaseExpiry.WriteAsync(container, release.Folder, expiry, cancellationToken).ConfigureAwait(false);
                expired.Add($"{release.Version}#{release.Release.ToString(CultureInfo.InvariantCulture)}");
            }
        }

        // 2. Delete the files of expired releases past their grace period that nothing else lists.
        var (deleted, held) = await DeleteDueAsync(container, productName, now, cancellationToken).ConfigureAwait(false);
        return new RetentionSweepResult(productId, expired, deleted, held);
    }

    private async Task<(List<string> Deleted, List<string> Held)> DeleteDueAsync(
        BlobContainerClient container, string productName, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var deleted = new List<string>();
        var held = new List<string>();
        var marked = (await ListAsync(container, productName, cancellationToken).ConfigureAwait(false)).Where(r => r.HasMarker && r.HasManifest).ToList();
        var due = new List<(ReleaseEntry Entry, ReleaseExpiry Expiry)>();
        foreach (var entry in marked)
        {
            if (_finished.ContainsKey(container.Uri.AbsoluteUri + "\n" + entry.Folder)
                || await ReleaseExpiry.ReadAsync(container, entry.Folder, cancellationToken).ConfigureAwait(false) is not { } expiry)
            {
                continue;
            }

            if (expiry.FilesDeletedAt is not null)
            {
                _finished.TryAdd(container.Uri.AbsoluteUri + "\n" + entry.Folder, true);
            }
            else if (expiry.DeleteAfter <= now)
            {
                due.Add((entry, expiry));
            }
        }

        if (due.Count == 0)
        {
            return (deleted, held);
        }

        // Under the lock of every version losing files: no manifest is being written meanwhile, and the listing below
        // sees every manifest written before (their writers held the same lock).
        var locks = new List<PublishLock>();
        var readerLocks = new List<FileStream>();
        try
        {
            foreach (var version in due.Select(d => d.Entry.Version).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
            {
                locks.Add(await PublishLock.AcquireAsync(container, productName, version, timeout: PublishLock.MaintenanceTimeout, cancellationToken: cancellationToken).ConfigureAwait(false));
            }

            // A due release a reader on this machine holds in its release cache keeps its files this time; holding the
            // cache's lock of the others keeps a reader from starting on them while their files go.
            var deleting = new List<(ReleaseEntry Entry, ReleaseExpiry Expiry)>();
            foreach (var release in due)
            {
                if (TryHoldAgainstReaders(container, release.Entry.Folder, readerLocks))
                {
                    deleting.Add(release);
                }
                else
                {
                    held.Add($"{release.Entry.Version}#{release.Entry.Release.ToString(CultureInfo.InvariantCulture)}");
                }
            }

            // Every manifest under the locks: files listed by a release that is neither being deleted now nor finished
            // in an earlier pass (its files gone) stay — retained releases, those in their grace period, those held.
            var deletingFolders = deleting.Select(d => d.Entry.Folder).ToHashSet(StringComparer.Ordinal);
            var kept = new HashSet<string>(StringComparer.Ordinal);
            foreach (var entry in await ListAsync(container, productName, cancellationToken).ConfigureAwait(false))
            {
                if (!entry.HasManifest || deletingFolders.Contains(entry.Folder)
                    || (entry.HasMarker && await IsFinishedAsync(container, entry.Folder, cancellationToken).ConfigureAwait(false)))
                {
                    continue;
                }

                var manifest = await ManifestAsync(container, entry.Folder, cancellationToken).ConfigureAwait(false);
                kept.UnionWith(BlobNames(productName, entry.Version, entry.Release, manifest));
            }

            var candidates = new SortedSet<string>(StringComparer.Ordinal);
            foreach (var (entry, _) in deleting)
            {
                var manifest = await ManifestAsync(container, entry.Folder, cancellationToken).ConfigureAwait(false);
                candidates.UnionWith(BlobNames(productName, entry.Version, entry.Release, manifest));
            }

            candidates.ExceptWith(kept);
            // The locks renew themselves while held, however many files there are to delete.
            foreach (var blob in candidates)
            {
                await container.GetBlobClient(blob).DeleteIfExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
                deleted.Add(blob);
            }

            foreach (var (entry, expiry) in deleting)
            {
                if (_options.OnExpired is { } onExpired)
                {
                    await onExpired(expiry, cancellationToken).ConfigureAwait(false);
                }

                await ReleaseExpiry.RecordFilesDeletedAsync(container, entry.Folder, expiry with { FilesDeletedAt = _time.GetUtcNow() }, cancellationToken).ConfigureAwait(false);
                _finished.TryAdd(container.Uri.AbsoluteUri + "\n" + entry.Folder, true);
            }
        }
        finally
        {
            foreach (var readerLock in readerLocks)
            {
                await readerLock.DisposeAsync().ConfigureAwait(false);
            }

            foreach (var productLock in locks)
            {
                await productLock.DisposeAsync().ConfigureAwait(false);
            }
        }

        return (deleted, held);
    }

    /// <summary>
    /// Takes, in each configured release cache, the lock a reader of the release in <paramref name="folder"/> holds
    /// shared while it downloads and reads it (<see cref="ReleaseCache"/>), exclusively and without waiting. False
    /// when a reader holds it (the locks taken so far stay in <paramref name="held"/> and are released with the rest).
    /// </summary>
    private bool TryHoldAgainstReaders(BlobContainerClient container, string folder, List<FileStream> held)
    {
        var key = ReleaseReader.CacheKey(container, folder);
        foreach (var directory in _options.ReaderCacheDirectories)
        {
            var path = Path.Combine(directory, key + ".lock");
            if (!File.Exists(path))
            {
                // No reader on this machine ever read the release through this cache.
                continue;
            }

            try
            {
                held.Add(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.None));
            }
            catch (FileNotFoundException)
            {
                // Gone meanwhile: nobody holds it.
            }
            catch (IOException)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>True when the expired release in <paramref name="folder"/> has had its files deleted (an earlier pass).</summary>
    private async Task<bool> IsFinishedAsync(BlobContainerClient container, string folder, CancellationToken cancellationToken)
    {
        var key = container.Uri.AbsoluteUri + "\n" + folder;
        if (_finished.ContainsKey(key))
        {
            return true;
        }

        if (await ReleaseExpiry.ReadAsync(container, folder, cancellationToken).ConfigureAwait(false) is { FilesDeletedAt: not null })
        {
            _finished.TryAdd(key, true);
            return true;
        }

        return false;
    }

    private async Task<ReleaseManifest> ManifestAsync(BlobContainerClient container, string folder, CancellationToken cancellationToken)
    {
        var key = container.Uri.AbsoluteUri + "\n" + folder;
        if (_manifests.TryGetValue(key, out var cached))
        {
            return cached;
        }

        var manifest = await new ReleaseStore(container).ReadManifestAsync(folder, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"{container.Name}/{folder}{ReleaseStore.ManifestName} vanished: a manifest is never deleted; restore it from a backup of the products container.");
        _manifests.TryAdd(key, manifest);
        return manifest;
    }

    /// <summary>Every release folder of the product (any version) with what it holds: one flat listing.</summary>
    private static async Task<List<ReleaseEntry>> ListAsync(BlobContainerClient container, string productName, CancellationToken cancellationToken)
    {
        var found = new Dictionary<(string Version, int Release), ReleaseEntry>();
        var prefix = productName + "/";
        await foreach (var blob in container.GetBlobsAsync(new Azure.Storage.Blobs.Models.GetBlobsOptions { Prefix = prefix }, cancellationToken).ConfigureAwait(false))
        {
            var parts = blob.Name[prefix.Length..].Split('/', 3);
            if (parts.Length != 3 || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number < 1)
            {
                continue;
            }

            var entry = found.TryGetValue((parts[0], number), out var e) ? e : new ReleaseEntry(parts[0], number, ReleaseStore.Folder(productName, parts[0], number), false, false);
            found[(parts[0], number)] = parts[2] switch
            {
                ReleaseStore.ManifestName => entry with { HasManifest = true },
                ReleaseExpiry.MarkerName => entry with { HasMarker = true },
                _ => entry,
            };
        }

        return [.. found.Values];
    }

    private sealed record ReleaseEntry(string Version, int Release, string Folder, bool HasManifest, bool HasMarker);

    /// <summary>The blobs a release's snapshot reads: its data files and their deletion files.</summary>
    private static IEnumerable<string> BlobNames(string productName, string version, int release, ReleaseManifest manifest) =>
        manifest.Files.SelectMany(f => f.Deletes is { } deletes ? new[] { f, deletes } : [f]).Select(f => ReleaseStore.FileBlobName(productName, version, release, f));
}
