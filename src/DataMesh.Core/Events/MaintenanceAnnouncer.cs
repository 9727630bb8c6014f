using Azure;
using Azure.Messaging;
using DataMesh.Pipeline;
using DataMesh.Publishing;
using DataMesh.Specs;
using DataMesh.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace DataMesh.Events;

/// <summary>
/// Announces release maintenance (compaction releases, expired releases) through the same <see cref="AnnouncementOutbox"/>
/// a run's announcement goes through: the event is recorded before what it announces is written (a compaction's
/// manifest, an expiry's marker), sent, and removed once the topic accepted it. A process that dies in between, or a
/// topic that refuses the send, leaves the event to <see cref="OutboxRelay"/>; its <c>source</c> + <c>id</c> are the
/// release's, so a redelivery is a duplicate the catalog and the consumers collapse. Each event goes to the outbox of
/// its product's domain (in that domain's own account where each domain has one), as the run announcements do.
/// </summary>
public sealed partial class MaintenanceAnnouncer
{
    private readonly Func<string, AnnouncementOutbox> _outboxFor;
    private readonly IProductEventPublisher _events;
    private readonly ILogger _logger;

    /// <summary>An announcer whose every event goes through <paramref name="outbox"/> (a domain app: its one domain).</summary>
    public MaintenanceAnnouncer(AnnouncementOutbox outbox, IProductEventPublisher events, ILogger<MaintenanceAnnouncer>? logger = null)
        : this(_ => outbox, events, logger)
    {
        ArgumentNullException.ThrowIfNull(outbox);
    }

    /// <summary>An announcer that records each event in the outbox of its product's domain (<paramref name="outboxFor"/>, by domain).</summary>
    public MaintenanceAnnouncer(Func<string, AnnouncementOutbox> outboxFor, IProductEventPublisher events, ILogger<MaintenanceAnnouncer>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(outboxFor);
        ArgumentNullException.ThrowIfNull(events);
        _outboxFor = outboxFor;
        _events = events;
        _logger = logger ?? NullLogger<MaintenanceAnnouncer>.Instance;
    }

    /// <summary>
    /// Records <paramref name="cloudEvent"/> in the outbox (or finds the copy an earlier attempt recorded), sends it and
    /// removes it. True when sent; false when the topic refused it (logged): it stays in the outbox for the relay.
    /// Storage failures of the outbox surface.
    /// </summary>
    public async Task<bool> AnnounceAsync(string productId, CloudEvent cloudEvent, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(productId);
        var outbox = OutboxOf(productId);
        var pending = await outbox.AddAsync(cloudEvent, cancellationToken).ConfigureAwait(false);
        try
        {
            await _events.PublishAsync(pending, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RequestFailedException or AggregateException or HttpRequestException)
        {
            // Maintenance goes on: the relay (timer in Azure, `up`'s sweep and start) sends it once the topic takes it.
            LogPending(_logger, pending.Id, pending.Type, ex.Message);
            return false;
        }

        await outbox.RemoveAsync(pending, cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>Retention's <see cref="ReleaseRetentionOptions.OnExpired"/>: announces the expiry (<see cref="ReleaseAnnouncements.Expired"/>) through the outbox before retention writes its marker.</summary>
    public Task OnExpiredAsync(ReleaseExpiry expiry, CancellationToken cancellationToken) =>
        AnnounceAsync(expiry.ProductId, ReleaseAnnouncements.Expired(expiry), cancellationToken);

    /// <summary>
    /// The compactor's <see cref="ReleaseCompactionOptions.BeforeManifest"/>: records the compaction release's
    /// <c>ProductVersionPublished</c> in the outbox before its manifest is written. <see cref="AnnounceCompactedAsync"/>
    /// sends it after.
    /// </summary>
    public Func<ReleaseManifest, CancellationToken, Task> RecordCompaction(IProductRegistry products, MeshStorage storage)
    {
        ArgumentNullException.ThrowIfNull(products);
        ArgumentNullException.ThrowIfNull(storage);
        return (manifest, cancellationToken) => OutboxOf(manifest.ProductId).AddAsync(ReleaseAnnouncements.Compacted(storage, products.Get(manifest.ProductId), manifest), cancellationToken);
    }

    /// <summary>Sends the announcement of a compaction release (<see cref="CompactionStatus.Compacted"/>): the copy recorded before its manifest, else one built from it.</summary>
    public async Task<bool> AnnounceCompactedAsync(MeshStorage storage, IProductRegistry products, CompactionResult result, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(products);
        ArgumentNullException.ThrowIfNull(result);
        var announcement = await ReleaseAnnouncements.CompactedAsync(storage, products.Get(result.ProductId), result, cancellationToken).ConfigureAwait(false);
        return await AnnounceAsync(result.ProductId, announcement, cancellationToken).ConfigureAwait(false);
    }

    private AnnouncementOutbox OutboxOf(string productId) => _outboxFor(ProductIds.DomainOf(productId));

    [LoggerMessage(EventId = 4010, Level = LogLevel.Warning, Message = "Release maintenance: sending event {EventId} of type {Type} failed; it stays in the outbox until the relay sends it: {Reason}")]
    private static partial void LogPending(ILogger logger, string eventId, string type, string reason);
}
