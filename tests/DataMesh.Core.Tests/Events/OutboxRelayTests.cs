using System.Security.Cryptography;
using System.Text.Json;
using Azure;
using Azure.Messaging;
using Azure.Messaging.EventGrid;
using Azure.Storage.Queues;
using DataMesh.Catalog;
using DataMesh.Core.Tests.Governance;
using DataMesh.Events;
using DataMesh.Local.EventGrid;
using DataMesh.Pipeline;
using DataMesh.Storage;
using DataMesh.Testing;
using Microsoft.DurableTask;

namespace DataMesh.Core.Tests.Events;

/// <summary>
/// Announcements survive a topic that is down: the announce step records the event in the outbox, fails while the
/// topic is down, and the relay delivers the recorded event once it is back; duplicates leave the catalog as it was.
/// Real SDK client, real local topic, real Azurite.
/// </summary>
[Collection("azurite")]
public sealed class OutboxRelayTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private static readonly ProductRegistry Products = ProductRegistry.LoadFrom(RepositoryFiles.Pipelines);

    private readonly string _key = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
    private readonly MeshStorage _storage = azurite.CreateMeshStorage();
    private readonly SettableClock _clock = new(SampleEvents.BaseTime);
    private LocalEventGridTopic _topic = null!;
    private QueueClient _catalogQueue = null!;
    private PipelineRuntime _runtime = null!;

    public async Task InitializeAsync()
    {
        _catalogQueue = _storage.Queue(MeshStorage.CatalogEventsQueue);
        await _catalogQueue.CreateIfNotExistsAsync();
        _topic = new LocalEventGridTopic(_key, [new LocalEventSubscription("catalog", _catalogQueue) { IncludedEventTypes = MeshTopicSubscriptions.CatalogEventTypes }]);
        await _topic.StartAsync();
        var options = new EventGridPublisherClientOptions();
        options.Retry.MaxRetries = 1;
        options.Retry.Delay = TimeSpan.FromMilliseconds(10);
        var publisher = new EventGridProductEventPublisher(new EventGridPublisherClient(_topic.Endpoint, new AzureKeyCredential(_key), options));
        _runtime = new PipelineRuntime(_storage, Products, publisher, timeProvider: _clock);
    }

    public async Task DisposeAsync() => await _topic.DisposeAsync();

    [Fact]
    public async Task AnnounceActivity_TopicDown_FailsAndLeavesTheEventPendingUntilTheRelaySendsIt()
    {
        // Arrange
        var input = FailedRun("run-outbox-1");
        await _topic.StopAsync();

        // Act: the announce step fails (the orchestrator retries it, then ends the run with "announcement failed").
        var failure = await Record.ExceptionAsync(() => Announce(input));
        var pendingWhileDown = await _runtime.Outbox.GetPendingAsync(DateTimeOffset.MaxValue);
        await _topic.StartAsync();
        var relayed = await Relay().RelayAsync(TimeSpan.Zero);

        // Assert
        Assert.True(failure is RequestFailedException or AggregateException, $"expected the publish to fail, got {failure}");
        Assert.Equal("run-outbox-1/" + ProductEventTypes.PipelineRunFailed, Assert.Single(pendingWhileDown).Event.Id);
        Assert.Equal(new OutboxRelayResult(Sent: 1, Failed: 0), relayed);
        Assert.Empty(await _runtime.Outbox.GetPendingAsync(DateTimeOffset.MaxValue));
        var delivered = Assert.Single(await DrainAsync());
        Assert.Equal(pendingWhileDown[0].Event.Id, delivered.Id);
        await new CatalogProjection(_storage).ApplyAsync(delivered);
        var run = Assert.Single(await new CatalogReader(_storage).GetRunsAsync("finance.ledger-emea"));
        Assert.Equal((CatalogRunStatus.Failed, "run-outbox-1"), (run.Status, run.RunId));
    }

    [Fact]
    public async Task AnnounceActivity_TopicUp_SendsTheEventAndLeavesNothingPending()
    {
        // Act
        var eventId = await Announce(FailedRun("run-outbox-2"));

        // Assert
        Assert.Equal(eventId, Assert.Single(await DrainAsync()).Id);
        Assert.Empty(await _runtime.Outbox.GetPendingAsync(DateTimeOffset.MaxValue));
    }

    [Fact]
    public async Task AnnounceActivity_RetriedAfterAFailedAttempt_SendsTheEventTheFirstAttemptRecorded()
    {
        // Arrange: the first attempt fails at 09:30; the retry runs at 09:31 and would stamp a later FailedAt.
        var input = FailedRun("run-outbox-3");
        await _topic.StopAsync();
        await Record.ExceptionAsync(() => Announce(input));
        await _topic.StartAsync();
        _clock.Now = SampleEvents.BaseTime.AddMinutes(1);

        // Act
        await Announce(input);

        // Assert
        var delivered = Assert.Single(await DrainAsync());
        Assert.Equal(SampleEvents.BaseTime, ProductEventJson.ReadData<PipelineRunFailedData>(delivered).FailedAt);
        Assert.Empty(await _runtime.Outbox.GetPendingAsync(DateTimeOffset.MaxValue));
    }

    [Fact]
    public async Task RelayAsync_TopicStillDown_RecordsTheFailedAttemptAndKeepsTheEvent()
    {
        // Arrange
        var cloudEvent = ProductEventFactory.CreateProductVersionPublished(SampleEvents.Published(release: 4));
        await _runtime.Outbox.AddAsync(cloudEvent);
        await _topic.StopAsync();

        // Act
        var first = await Relay().RelayAsync(TimeSpan.Zero);
        var second = await Relay().RelayAsync(TimeSpan.Zero);

        // Assert
        Assert.Equal(new OutboxRelayResult(Sent: 0, Failed: 1), first);
        Assert.Equal(new OutboxRelayResult(Sent: 0, Failed: 1), second);
        var entry = Assert.Single(await _runtime.Outbox.GetPendingAsync(DateTimeOffset.MaxValue));
        Assert.Equal((cloudEvent.Id, 2), (entry.Event.Id, entry.Attempts));
        Assert.False(string.IsNullOrEmpty(entry.LastError));
    }

    [Fact]
    public async Task RelayAsync_EventYoungerThanTheGracePeriod_IsLeftToTheAnnouncer()
    {
        // Arrange: recorded at 09:30, relayed at 09:32 with the default 5-minute grace.
        var cloudEvent = ProductEventFactory.CreateProductVersionPublished(SampleEvents.Published(release: 5));
        await _runtime.Outbox.AddAsync(cloudEvent);
        _clock.Now = SampleEvents.BaseTime.AddMinutes(2);

        // Act
        var early = await Relay().RelayAsync();
        _clock.Now = SampleEvents.BaseTime.AddMinutes(6);
        var late = await Relay().RelayAsync();

        // Assert
        Assert.Equal(new OutboxRelayResult(0, 0), early);
        Assert.Equal(new OutboxRelayResult(1, 0), late);
        Assert.Equal(cloudEvent.Id, Assert.Single(await DrainAsync()).Id);
    }

    [Fact]
    public async Task RelayAsync_EventAlreadySentBeforeTheHostDied_DuplicateLeavesTheCatalogAsItWas()
    {
        // Arrange: published and delivered, but the host died before removing the outbox row.
        var projection = new CatalogProjection(_storage);
        var catalog = new CatalogReader(_storage);
        var cloudEvent = ProductEventFactory.CreateProductVersionPublished(SampleEvents.Published(release: 2));
        var recorded = await _runtime.Outbox.AddAsync(cloudEvent);
        await _runtime.Events.PublishAsync(recorded);
        await projection.ApplyAsync(Assert.Single(await DrainAsync()));
        var before = await SnapshotAsync(catalog);

        // Act
        var relayed = await Relay().RelayAsync(TimeSpan.Zero);
        var duplicate = Assert.Single(await DrainAsync());
        await projection.ApplyAsync(duplicate);

        // Assert
        Assert.Equal(new OutboxRelayResult(1, 0), relayed);
        Assert.Equal((cloudEvent.Id, cloudEvent.Source), (duplicate.Id, duplicate.Source));
        Assert.Equal(before, await SnapshotAsync(catalog));
        Assert.Single(await catalog.GetReleasesAsync("finance.ledger-emea"));
        Assert.Empty(await _runtime.Outbox.GetPendingAsync(DateTimeOffset.MaxValue));
    }

    [Fact]
    public async Task AddAsync_SameEventTwice_ReturnsTheFirstRecordAndRemoveIsIdempotent()
    {
        // Arrange
        var first = ProductEventFactory.CreateProductVersionPublished(SampleEvents.Published(release: 7));
        var retry = ProductEventFactory.CreateProductVersionPublished(SampleEvents.Published(release: 7) with { PublishedAt = SampleEvents.BaseTime.AddDays(1) });

        // Act
        await _runtime.Outbox.AddAsync(first);
        var recorded = await _runtime.Outbox.AddAsync(retry);
        await _runtime.Outbox.RemoveAsync(recorded);
        await _runtime.Outbox.RemoveAsync(recorded);

        // Assert
        Assert.Equal(first.Id, retry.Id);
        Assert.Equal(first.Time, recorded.Time);
        Assert.Equal(SampleEvents.Published(release: 7).PublishedAt, ProductEventJson.ReadData<ProductVersionPublishedData>(recorded).PublishedAt);
        Assert.Empty(await _runtime.Outbox.GetPendingAsync(DateTimeOffset.MaxValue));
    }

    [Fact]
    public async Task AddAsync_RunFailureWithA200KbError_TrimmedToOneQueueMessageAndRoundTrips()
    {
        // Arrange: ~200 KB of error text, over what one queue message delivers.
        var data = SampleEvents.RunFailed("run-large") with { Error = new string('e', 200_000) };
        var cloudEvent = ProductEventFactory.CreatePipelineRunFailed(data);

        // Act
        await _runtime.Outbox.AddAsync(cloudEvent);
        var pending = Assert.Single(await _runtime.Outbox.GetPendingAsync(DateTimeOffset.MaxValue));

        // Assert: the error is cut with a marker, and the data says what was trimmed.
        var recorded = ProductEventJson.ReadData<PipelineRunFailedData>(pending.Event);
        Assert.StartsWith(new string('e', 1_000), recorded.Error, StringComparison.Ordinal);
        Assert.EndsWith("...[trimmed]", recorded.Error, StringComparison.Ordinal);
        Assert.Contains("error", recorded.Trimmed);
        Assert.True(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(pending.Event).Length <= ProductEventBudget.MaxEventBytes);
    }

    private Task<string> Announce(AnnounceInput input) =>
        new AnnounceActivity(_runtime).RunAsync(new TestActivityContext(input.Result.RunId), input);

    private OutboxRelay Relay() => new(_runtime.Outbox, _runtime.Events, time: _clock);

    private static AnnounceInput FailedRun(string runId) => new(
        new PipelineResult
        {
            Status = PipelineStatus.Failed,
            Product = "finance.ledger-emea",
            Version = "1.2.0",
            RunId = runId,
            Stage = "transform",
            Error = "Binder Error: column \"amout\" not found.",
        },
        null,
        null,
        null);

    private async Task<List<CloudEvent>> DrainAsync()
    {
        var events = new List<CloudEvent>();
        while ((await _catalogQueue.ReceiveMessagesAsync(maxMessages: 32)).Value is { Length: > 0 } messages)
        {
            foreach (var message in messages)
            {
                events.Add(CloudEventDelivery.Parse(message.Body.ToString()));
                await _catalogQueue.DeleteMessageAsync(message.MessageId, message.PopReceipt);
            }
        }

        return events;
    }

    private static async Task<string> SnapshotAsync(CatalogReader catalog) => JsonSerializer.Serialize(new
    {
        product = await catalog.GetProductAsync("finance.ledger-emea"),
        releases = await catalog.GetReleasesAsync("finance.ledger-emea"),
        runs = await catalog.GetRunsAsync("finance.ledger-emea"),
    });

    private sealed class TestActivityContext(string instanceId) : TaskActivityContext
    {
        public override TaskName Name => nameof(AnnounceActivity);

        public override string InstanceId => instanceId;
    }

    private sealed class SettableClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }
}
