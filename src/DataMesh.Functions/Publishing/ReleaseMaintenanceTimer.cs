using DataMesh.Events;
using DataMesh.Functions.Configuration;
using DataMesh.Pipeline;
using DataMesh.Publishing;
using DataMesh.Storage;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace DataMesh.Functions.Publishing;

/// <summary>
/// Every 15 minutes in a domain app, applies each product's <c>output.retention</c> (<see cref="ReleaseRetention"/>) and
/// compacts snapshots that have gathered many small files (<see cref="ReleaseCompactor"/>). The hub holds no release
/// data, so it does nothing there. Both steps are idempotent and serialised with publishing by the version's publish
/// lock, so an overlapping run on another instance is harmless.
/// </summary>
public sealed partial class ReleaseMaintenanceTimer(
    IProductRegistry products, ReleaseRetention retention, ReleaseCompactor compactor, DataMeshAppMode mode, MeshStorage storage, MaintenanceAnnouncer announcer,
    ILogger<ReleaseMaintenanceTimer> logger)
{
    /// <summary>NCRONTAB (with seconds) of the pass.</summary>
    public const string Schedule = "0 */15 * * * *";

    [Function(nameof(ReleaseMaintenanceTimer))]
    public async Task RunAsync([TimerTrigger(Schedule)] TimerInfo timer, CancellationToken cancellationToken)
    {
        if (mode.IsHub)
        {
            return;
        }

        foreach (var swept in await retention.SweepAsync(products.All, cancellationToken))
        {
            if (swept.Expired.Count + swept.DeletedFiles.Count + swept.HeldByReaders.Count > 0)
            {
                LogRetention(logger, swept.ProductId, string.Join(", ", swept.Expired), swept.DeletedFiles.Count, string.Join(", ", swept.HeldByReaders));
            }
        }

        foreach (var compacted in await compactor.CompactAsync(products.All, cancellationToken))
        {
            if (compacted.Status == CompactionStatus.Compacted)
            {
                LogCompacted(logger, compacted.ProductId, compacted.Version, compacted.BasedOn ?? 0, compacted.Release ?? 0, compacted.FilesBefore, compacted.FilesAfter);

                // Announced like any release, through the outbox (recorded before the manifest): the catalog records it;
                // consumers are not rebuilt for it (same rows, UpstreamRouter).
                await announcer.AnnounceCompactedAsync(storage, products, compacted, cancellationToken);
            }
        }
    }

    [LoggerMessage(EventId = 3410, Level = LogLevel.Information, Message = "{ProductId}: retention expired [{Expired}], deleted {Deleted} file(s); held by readers [{Held}]")]
    private static partial void LogRetention(ILogger logger, string productId, string expired, int deleted, string held);

    [LoggerMessage(EventId = 3411, Level = LogLevel.Information, Message = "{ProductId} {Version}#{BasedOn} compacted into #{Release}: {Before} files → {After}")]
    private static partial void LogCompacted(ILogger logger, string productId, string version, int basedOn, int release, int before, int after);
}
