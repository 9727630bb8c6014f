using DataMesh.Events;
using DataMesh.Pipeline;
using DataMesh.Publishing;
using DataMesh.Specs;
using DataMesh.Testing;
using DataMesh.Triggers;

namespace DataMesh.Core.Tests.Publishing;

/// <summary>
/// Release maintenance announced through the outbox (compaction releases, expiries), so a process that dies after
/// the manifest (or the expiry) and before the send, or a topic that refuses it, leaves the event to the relay, which
/// delivers it once; and consumers not rebuilt for a compaction release (same rows), still rebuilt for a real one.
/// </summary>
[Collection("azurite")]
public sealed class MaintenanceAnnouncementTests(AzuriteFixture azurite)
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Compact_ProcessDiesAfterTheManifestBeforeTheSend_RelayDeliversTheReleaseEventExactlyOnce()
    {
        // Arrange: release 1 of two small files; compaction records its announcement through the hook the hosts wire.
        var storage = azurite.CreateMeshStorage();
        using var chain = new SnapshotChain(storage, "finance", "ledger-emea", "1.2.0");
        await chain.WriteAsync(1, T0, [("part-0.parquet", 0, 10), ("part-1.parquet", 10, 20)], mode: OutputMode.Append);
        var products = Registry(MaintainedReleases.Spec("finance", "ledger-emea", "1.2.0"));
        var outbox = new AnnouncementOutbox(storage);
        var topic = new RecordingPublisher();
        var announcer = new MaintenanceAnnouncer(outbox, topic);
        var compactor = new ReleaseCompactor(
            storage,
            new ReleaseCompactionOptions { MinSmallFiles = 2, WorkDirectory = Path.GetTempPath(), BeforeManifest = announcer.RecordCompaction(products, storage) },
            new ManualClock(T0.AddDays(1)));

        // Act: the pass writes release 2 and the process dies before announcing it; the next start relays, then the
        // next maintenance pass and relay run again.
        var compacted = await compactor.CompactAsync(products.All);
        var relayed = await new OutboxRelay(outbox, topic).RelayAsync(TimeSpan.Zero);
        var again = await compactor.CompactAsync(products.All);
        var relayedAgain = await new OutboxRelay(outbox, topic).RelayAsync(TimeSpan.Zero);

        // Assert: one ProductVersionPublished of release 2, marked a compaction, sent once; nothing left pending.
        Assert.Equal((CompactionStatus.Compacted, (int?)2), (Assert.Single(compacted).Status, compacted[0].Release));
        Assert.Equal(CompactionStatus.NotNeeded, Assert.Single(again).Status);
        Assert.Equal((new OutboxRelayResult(1, 0), new OutboxRelayResult(0, 0)), (relayed, relayedAgain));
        var sent = Assert.Single(topic.Sent);
        Assert.Equal((ProductEventTypes.ProductVersionPublished, "finance.ledger-emea/1.2.0/2"), (sent.Type, sent.Id));
        var data = ProductEventJson.ReadData<ProductVersionPublishedData>(sent);
        Assert.Equal((true, (int?)1, 20L), (data.Changes!.Compaction, data.Changes.BasedOn, data.Rows));
        Assert.Empty(await outbox.GetPendingAsync(DateTimeOffset.MaxValue));
    }

    [Fact]
    public async Task AnnounceCompacted_TopicRefusesTheSend_StaysPendingAndTheRelaySendsIt()
    {
        // Arrange: a compaction release written with its announcement recorded; the topic is down.
        var storage = azurite.CreateMeshStorage();
        using var chain = new SnapshotChain(storage, "finance", "ledger-emea", "1.2.0");
        await chain.WriteAsync(1, T0, [("part-0.parquet", 0, 10), ("part-1.parquet", 10, 20)], mode: OutputMode.Append);
        var products = Registry(MaintainedReleases.Spec("finance", "ledger-emea", "1.2.0"));
        var outbox = new AnnouncementOutbox(storage);
        var topic = new RecordingPublisher { Down = true };
        var announcer = new MaintenanceAnnouncer(outbox, topic);
        var compacted = await new ReleaseCompactor(
            storage,
            new ReleaseCompactionOptions { MinSmallFiles = 2, WorkDirectory = Path.GetTempPath(), BeforeManifest = announcer.RecordCompaction(products, storage) },
            new ManualClock(T0.AddDays(1))).CompactAsync(products.All);

        // Act
        var sentWhileDown = await announcer.AnnounceCompactedAsync(storage, products, compacted.Single());
        topic.Down = false;
        var relayed = await new OutboxRelay(outbox, topic).RelayAsync(TimeSpan.Zero);

        // Assert
        Assert.False(sentWhileDown);
        Assert.Equal(new OutboxRelayResult(1, 0), relayed);
        Assert.Equal("finance.ledger-emea/1.2.0/2", Assert.Single(topic.Sent).Id);
    }

    [Fact]
    public async Task Sweep_TopicDownWhileExpiring_SweepCompletesAndTheRelayDeliversEachExpiryOnce()
    {
        // Arrange: releases 1-3; keep the newest 1; expiries announced through the outbox on a topic that is down.
        var storage = azurite.CreateMeshStorage();
        await MaintainedReleases.PublishAsync(storage, 3, T0);
        var outbox = new AnnouncementOutbox(storage);
        var topic = new RecordingPublisher { Down = true };
        var retention = new ReleaseRetention(storage, new ReleaseRetentionOptions
        {
            ReaderCacheDirectories = [],
            OnExpired = new MaintenanceAnnouncer(outbox, topic).OnExpiredAsync,
        }, new ManualClock(T0));

        // Act: the sweep runs with the topic down; the topic comes back; the relay runs, then another sweep and relay.
        var swept = await retention.SweepAsync("finance", "ledger-emea", new RetentionSpec { Releases = 1 });
        topic.Down = false;
        var relayed = await new OutboxRelay(outbox, topic).RelayAsync(TimeSpan.Zero);
        await retention.SweepAsync("finance", "ledger-emea", new RetentionSpec { Releases = 1 });
        var relayedAgain = await new OutboxRelay(outbox, topic).RelayAsync(TimeSpan.Zero);

        // Assert: both releases expired despite the topic; each ReleaseExpired delivered once.
        Assert.Equal(["1.2.0#1", "1.2.0#2"], swept.Expired.Order());
        Assert.Equal((new OutboxRelayResult(2, 0), new OutboxRelayResult(0, 0)), (relayed, relayedAgain));
        Assert.Equal(
            ["finance.ledger-emea/1.2.0/1/expired", "finance.ledger-emea/1.2.0/2/expired"],
            topic.Sent.Select(e => e.Id).Order());
    }

    [Fact]
    public async Task Route_CompactionReleaseOfAnUpstream_ConsumerNotRebuiltAndARealReleaseStillRebuildsIt()
    {
        // Arrange: finance.revenue-global reads finance.ledger-emea ^1; release 1, its compaction 2, a real append 3.
        var storage = azurite.CreateMeshStorage();
        using var chain = new SnapshotChain(storage, "finance", "ledger-emea", "1.2.0");
        var r1 = await chain.WriteAsync(1, T0, [("part-0.parquet", 0, 10), ("part-1.parquet", 10, 20)], mode: OutputMode.Append);
        var upstream = MaintainedReleases.Spec("finance", "ledger-emea", "1.2.0");
        var consumer = MaintainedReleases.Spec("finance", "revenue-global", "1.0.0") with { Inputs = [new InputSpec { Name = "ledger", Product = upstream.Id, Versions = "^1" }] };
        var products = Registry(upstream, consumer);
        var compacted = await new ReleaseCompactor(storage, new ReleaseCompactionOptions { MinSmallFiles = 2, WorkDirectory = Path.GetTempPath() }, new ManualClock(T0.AddDays(1)))
            .CompactAsync("finance", "ledger-emea", "1.2.0", OutputMode.Append);
        var r2 = await chain.Store.ReadManifestAsync(ReleaseStore.Folder("ledger-emea", "1.2.0", compacted.Release!.Value));
        var r3 = await chain.WriteAsync(3, T0.AddDays(2), [("part-2.parquet", 20, 30)], [r2!], mode: OutputMode.Append);
        var router = new UpstreamRouter(products, storage);

        // Act
        var afterCompaction = await router.RouteAsync(ReleaseAnnouncements.Compacted(storage, upstream, r2!));
        var afterRelease = await router.RouteAsync(ReleaseAnnouncements.Compacted(storage, upstream, r3));

        // Assert: the compaction starts no run and says why; the real release rebuilds the consumer.
        var skipped = Assert.Single(afterCompaction);
        Assert.Null(skipped.Request);
        Assert.Contains("finance.revenue-global is not rebuilt", skipped.Reason, StringComparison.Ordinal);
        Assert.Contains("compaction of #1", skipped.Reason, StringComparison.Ordinal);
        var rebuilt = Assert.Single(afterRelease);
        Assert.Equal("finance.revenue-global", rebuilt.Request?.ProductId);
        Assert.Equal(1, r1.Release);
    }

    private static ProductRegistry Registry(params ProductSpec[] specs)
    {
        var registry = new ProductRegistry();
        foreach (var spec in specs)
        {
            registry.Add(spec);
        }

        return registry;
    }
}
