using DataMesh.Catalog;
using DataMesh.Consumption;
using DataMesh.Events;
using DataMesh.Publishing;
using Microsoft.Extensions.Logging;

namespace DataMesh.Local;

/// <summary>Retention and compaction of the mesh's releases (a timer in Azure, a periodic sweep while serving here).</summary>
public sealed partial class LocalMesh
{
    // How often `up` applies retention and compaction: cheap when nothing is due (a listing and a manifest per product).
    private static readonly TimeSpan ReleaseMaintenanceInterval = TimeSpan.FromMinutes(5);

    private TimeSpan _retentionGracePeriod = ReleaseRetentionOptions.DefaultGracePeriod;

    // One per mesh (its caches of manifests and finished expiries last across passes); a test's clock gets its own.
    private ReleaseRetention? _retention;

    /// <summary>
    /// Applies every product's <c>output.retention</c> (expired releases leave the listings and the catalog; their files
    /// no other release lists go after <see cref="LocalMeshOptions.RetentionGracePeriod"/>, never while a reader on this
    /// machine holds them in the release cache), then compacts snapshots with many small files, then deletes the staging
    /// blobs older than <see cref="Pipeline.StagingExpiry.After"/> (Azure's lifecycle rule). One pass; idempotent.
    /// </summary>
    public async Task<(IReadOnlyList<RetentionSweepResult> Retention, IReadOnlyList<CompactionResult> Compaction)> MaintainReleasesAsync(
        TimeProvider? time = null, CancellationToken cancellationToken = default)
    {
        var retention = time is null ? _retention ??= CreateRetention(null) : CreateRetention(time);
        var swept = await retention.SweepAsync(Products.All, cancellationToken).ConfigureAwait(false);
        foreach (var result in swept.Where(r => r.Expired.Count + r.DeletedFiles.Count + r.HeldByReaders.Count > 0))
        {
            LogRetention(_logger, result.ProductId, string.Join(", ", result.Expired), result.DeletedFiles.Count, string.Join(", ", result.HeldByReaders));
        }

        var compactor = new ReleaseCompactor(Storage, new ReleaseCompactionOptions { BeforeManifest = Announcer.RecordCompaction(Products, Storage) }, time);
        var compacted = await compactor.CompactAsync(Products.All, cancellationToken).ConfigureAwait(false);
        foreach (var result in compacted.Where(r => r.Status == CompactionStatus.Compacted))
        {
            LogCompacted(_logger, result.ProductId, result.Version, result.BasedOn ?? 0, result.Release ?? 0, result.FilesBefore, result.FilesAfter);

            // Announced like any release, through the outbox (recorded before the manifest): the catalog records it;
            // consumers are not rebuilt for it (same rows, UpstreamRouter).
            await Announcer.AnnounceCompactedAsync(Storage, Products, result, cancellationToken).ConfigureAwait(false);
        }

        // What runs leave in staging for good expires as the container's lifecycle rule has it in Azure.
        var now = (time ?? TimeProvider.System).GetUtcNow();
        foreach (var domain in Products.All.Select(p => p.Domain).Distinct(StringComparer.Ordinal))
        {
            var staging = Storage.Staging(domain);
            if (await staging.ExistsAsync(cancellationToken).ConfigureAwait(false)
                && await Pipeline.StagingExpiry.SweepAsync(staging, now, cancellationToken).ConfigureAwait(false) is > 0 and var expired)
            {
                LogStagingExpired(_logger, domain, expired, Pipeline.StagingExpiry.After.TotalDays);
            }
        }

        return (swept, compacted);
    }

    private ReleaseRetention CreateRetention(TimeProvider? time) => new(Storage, new ReleaseRetentionOptions
    {
        GracePeriod = _retentionGracePeriod,
        ReaderCacheDirectories = [ReleaseCacheOptions.FromEnvironment(Environment.GetEnvironmentVariable).Directory],
        // Announced on the domain's topic through the outbox; the catalog drops the release from its list on the event.
        OnExpired = Announcer.OnExpiredAsync,
    }, time);

    // The outbox of the runtime's announcements: maintenance events are relayed like a run's.
    private MaintenanceAnnouncer Announcer => _announcer ??= new MaintenanceAnnouncer(Runtime.OutboxFor, Events, Runtime.LoggerFactory.CreateLogger<MaintenanceAnnouncer>());

    private MaintenanceAnnouncer? _announcer;

    [LoggerMessage(EventId = 2020, Level = LogLevel.Information, Message = "{ProductId}: retention expired [{Expired}], deleted {Deleted} file(s); held by readers [{Held}]")]
    private static partial void LogRetention(ILogger logger, string productId, string expired, int deleted, string held);

    [LoggerMessage(EventId = 2022, Level = LogLevel.Information, Message = "{Domain}: {Count} staging blob(s) older than {Days} days deleted (the container's lifecycle rule in Azure)")]
    private static partial void LogStagingExpired(ILogger logger, string domain, int count, double days);

    [LoggerMessage(EventId = 2021, Level = LogLevel.Information, Message = "{ProductId} {Version}#{BasedOn} compacted into #{Release}: {Before} files → {After}")]
    private static partial void LogCompacted(ILogger logger, string productId, string version, int basedOn, int release, int before, int after);
}
