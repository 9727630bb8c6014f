using System.Collections.Concurrent;
using Azure;
using Azure.Messaging;
using DataMesh.Events;
using DataMesh.Local;
using DataMesh.Local.Durable;
using DataMesh.Pipeline;
using DataMesh.Publishing;
using DataMesh.Storage;
using DataMesh.Testing;

namespace DataMesh.EndToEnd.Tests;

/// <summary>
/// The mesh under the faults its platform promises to survive (issue 8): Event Grid delivering a blob arrival more than
/// once and out of order, an activity failing after its side effect and retried, the event publisher failing for a
/// while, the catalog projection down while events queue. Each ends with exactly the releases and announcements a
/// fault-free run would have left. Killed hosts are in <see cref="HostKillTests"/>; two runs racing is
/// <see cref="PipelineTests.Run_TwoRunsRacing_GetReleases1And2"/>.
/// </summary>
[Collection(AzuriteCollection.Name)]
[Trait("Category", "Faults")]
public sealed class FaultTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private readonly string _domain = "faults" + Guid.NewGuid().ToString("N")[..6];
    private readonly List<TestProduct> _products = [];
    private readonly List<IAsyncDisposable> _hosts = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        // Engines first (they use the mesh's storage and topic), then the meshes.
        for (var i = _hosts.Count - 1; i >= 0; i--)
        {
            await _hosts[i].DisposeAsync();
        }

        _products.ForEach(p => p.Dispose());
    }

    [Fact]
    public async Task ProcessTriggers_SameBlobCreatedDeliveredThreeTimesBeforeDuringAndAfterTheRun_OneRunOneRelease()
    {
        // Arrange: one write, its BlobCreated delivery taken off the queue to be delivered again at will; ingest
        // counted, to see how many times the run executed.
        var product = Product();
        var ingests = new ConcurrentQueue<string>();
        var mesh = await StartAsync(product, CountIngests(ingests));
        var blob = await mesh.UploadToLandingAsync(mesh.Products.Get(product.Id), product.WriteOrders("orders-1.csv", rows: 30));
        var delivery = await NotificationOfAsync(mesh, product, blob);
        var triggers = mesh.Storage.Queue(MeshStorage.PipelineTriggersQueue);

        // Act: two deliveries routed in one pass (the second while the run is pending), settle, then a late third.
        await triggers.SendMessageAsync(delivery);
        await triggers.SendMessageAsync(delivery);
        var startedByTwo = await mesh.ProcessTriggersAsync();
        var results = await mesh.SettleAsync(TimeSpan.FromMinutes(2));
        await triggers.SendMessageAsync(delivery);
        var startedByLate = await mesh.ProcessTriggersAsync();

        // Assert
        // Duplicates may be reported as started again (the task hub drops them without saying so): always the same
        // run id, and that instance executes once.
        var runId = Assert.Single(startedByTwo.Distinct());
        Assert.All(startedByLate, id => Assert.Equal(runId, id));
        Assert.Equal([runId], ingests);
        var result = Assert.Single(results);
        Assert.Equal((runId, PipelineStatus.Published, 1), (result.RunId, result.Status, result.Release));
        var store = new ReleaseStore(mesh.Storage.Products(product.Domain));
        Assert.Equal([1], await store.ListReleasesAsync(product.Name, "1.0.0"));
        Assert.Equal(["1"], await ReleaseFoldersAsync(store, product));
        var release = Assert.Single(await mesh.Catalog.GetReleasesAsync(product.Id));
        Assert.Equal(runId, release.RunId);
        Assert.Single(await mesh.Catalog.GetRunsAsync(product.Id));
    }

    [Fact]
    public async Task ProcessTriggers_DeliveriesOfTwoWritesRepeatedAndOutOfOrder_OneReleasePerWrite()
    {
        // Arrange: a written before b; their deliveries arrive b first, interleaved and each three times.
        var product = Product();
        var ingests = new ConcurrentQueue<string>();
        var mesh = await StartAsync(product, CountIngests(ingests));
        var spec = mesh.Products.Get(product.Id);
        var a = await mesh.UploadToLandingAsync(spec, product.WriteOrders("orders-a.csv", rows: 10));
        var deliveryA = await NotificationOfAsync(mesh, product, a);
        var b = await mesh.UploadToLandingAsync(spec, product.WriteOrders("orders-b.csv", rows: 20, idOffset: 100));
        var deliveryB = await NotificationOfAsync(mesh, product, b);
        var triggers = mesh.Storage.Queue(MeshStorage.PipelineTriggersQueue);

        // Act
        foreach (var delivery in new[] { deliveryB, deliveryA, deliveryB, deliveryA, deliveryA, deliveryB })
        {
            await triggers.SendMessageAsync(delivery);
        }

        var results = await mesh.SettleAsync(TimeSpan.FromMinutes(2));

        // Assert
        Assert.Equal(2, results.Select(r => r.RunId).Distinct().Count());
        Assert.Equal(results.Select(r => r.RunId).Order(StringComparer.Ordinal), ingests.Order(StringComparer.Ordinal));
        Assert.All(results, r => Assert.Equal(PipelineStatus.Published, r.Status));
        var store = new ReleaseStore(mesh.Storage.Products(product.Domain));
        Assert.Equal([1, 2], await store.ListReleasesAsync(product.Name, "1.0.0"));
        var built = new List<string>();
        foreach (var release in new[] { 1, 2 })
        {
            var manifest = await store.ReadManifestAsync(ReleaseStore.Folder(product.Name, "1.0.0", release));
            built.Add(Assert.Single(manifest!.Lineage.Landing).Name);
        }

        Assert.Equal([a, b], built.Order(StringComparer.Ordinal));
        Assert.Equal(2, (await mesh.Catalog.GetReleasesAsync(product.Id)).Count);
    }

    [Theory]
    [InlineData(PipelineFaults.AfterIngest)]
    [InlineData(PipelineFaults.AfterTransform)]
    [InlineData(PipelineFaults.AfterQuality)]
    [InlineData(PipelineFaults.BeforeManifest)]
    [InlineData(PipelineFaults.AfterManifest)]
    public async Task Run_ActivityThrowsAfterItsSideEffectAndIsRetried_OneReleaseWithUnchangedOutput(string point)
    {
        // Arrange: the activity fails once at the point, after its work, as a host dying between the work and the
        // acknowledgement would; the retry policy runs it again.
        var product = Product();
        var reached = new ConcurrentQueue<string>();
        ETag? manifestAtFault = null;
        ETag? dataAtFault = null;
        LocalMesh mesh = null!;
        var faults = new PipelineFaults(async (at, runId) =>
        {
            if (at != point)
            {
                return;
            }

            reached.Enqueue(runId);
            if (reached.Count == 1)
            {
                if (point == PipelineFaults.AfterManifest)
                {
                    var products = mesh.Storage.Products(product.Domain);
                    manifestAtFault = (await products.GetBlobClient($"{product.Name}/1.0.0/1/{ReleaseStore.ManifestName}").GetPropertiesAsync()).Value.ETag;
                    dataAtFault = (await products.GetBlobClient($"{product.Name}/1.0.0/1/{TransformActivity.PartFileName}").GetPropertiesAsync()).Value.ETag;
                }

                throw new InvalidOperationException($"injected fault after {at}");
            }
        });
        mesh = await StartAsync(product, faults);

        // Act
        var result = await mesh.RunAsync(product.Id, [product.WriteOrders("orders-1.csv", rows: 40)], TimeSpan.FromMinutes(2));

        // Assert
        Assert.Equal(2, reached.Count);
        Assert.Equal((PipelineStatus.Published, 1, (long)TestProduct.ExpectedRows(40)), (result.Status, result.Release, result.Rows));
        Assert.Null(result.Error);
        var store = new ReleaseStore(mesh.Storage.Products(product.Domain));
        Assert.Equal([1], await store.ListReleasesAsync(product.Name, "1.0.0"));
        Assert.Equal(["1"], await ReleaseFoldersAsync(store, product));
        var manifest = (await store.ReadManifestAsync(ReleaseStore.Folder(product.Name, "1.0.0", 1)))!;
        Assert.Equal(result.RunId, manifest.RunId);
        var part = Assert.Single(manifest.Files);
        Assert.Equal(part.Sha256, await Sha256Async(store, $"{product.Name}/1.0.0/1/{part.Path}"));
        Assert.Equal(TestProduct.ExpectedRows(40), await ReleaseReader.CountRowsAsync(store.Container, product.Name, "1.0.0", 1));
        if (point == PipelineFaults.AfterManifest)
        {
            // The retry found the release it had written and left it alone: neither blob was written again.
            Assert.Equal(manifestAtFault, (await store.Container.GetBlobClient($"{product.Name}/1.0.0/1/{ReleaseStore.ManifestName}").GetPropertiesAsync()).Value.ETag);
            Assert.Equal(dataAtFault, (await store.Container.GetBlobClient($"{product.Name}/1.0.0/1/{TransformActivity.PartFileName}").GetPropertiesAsync()).Value.ETag);
        }

        Assert.Single(await mesh.Catalog.GetReleasesAsync(product.Id));
    }

    [Fact]
    public async Task Run_EventPublisherFailingForAWhile_AnnouncementArrivesLaterExactlyOnce()
    {
        // Arrange: the pipeline host's publisher refuses its first two sends (a topic throttling or briefly down).
        var product = Product();
        var mesh = await StartAsync(product);
        var publisher = new FlakyPublisher(mesh.Events) { FailuresLeft = 2 };
        var engine = await PipelineHostAsync(mesh, product, publisher);
        var request = await RequestAsync(mesh, product, "orders-1.csv");

        // Act
        await engine.ScheduleAsync(request);
        var result = await engine.WaitAsync(request.RunId, TimeSpan.FromMinutes(2));
        await mesh.ProcessCatalogEventsAsync();

        // Assert
        Assert.Equal((PipelineStatus.Published, 1), (result.Status, result.Release));
        Assert.Null(result.Error);
        Assert.Equal(3, publisher.Attempts);
        var release = Assert.Single(await mesh.Catalog.GetReleasesAsync(product.Id));
        Assert.Equal((request.RunId, 1), (release.RunId, release.Release));
        Assert.Empty(await mesh.Outbox(product.Domain).GetPendingAsync(DateTimeOffset.MaxValue));
    }

    /// <remarks>
    /// The slow variant (every one of the pipeline's announcement retries failing, about 2.5 minutes) is
    /// <c>LocalMeshEventsTests.RunAsync_TopicDown_RunEndsPublishedWithTheAnnouncementPendingAndTheRelayDeliversItOnceTheTopicIsBack</c>.
    /// </remarks>
    [Fact]
    public async Task Run_EventPublisherDown_OutboxKeepsTheAnnouncementAndTheRelayDeliversItWhileThePipelineStillRetries()
    {
        // Arrange: the pipeline host cannot reach the topic at all; the relay (another process in Azure) can.
        var product = Product();
        var mesh = await StartAsync(product);
        var publisher = new FlakyPublisher(mesh.Events) { FailuresLeft = int.MaxValue };
        var engine = await PipelineHostAsync(mesh, product, publisher);
        var request = await RequestAsync(mesh, product, "orders-1.csv");
        var outbox = mesh.Outbox(product.Domain);

        // Act
        await engine.ScheduleAsync(request);
        var pending = await EventuallyAsync(async () => publisher.Attempts > 0 ? await outbox.GetPendingAsync(DateTimeOffset.MaxValue) : [], p => p.Count > 0);
        var relayed = await new OutboxRelay(outbox, mesh.EventTopic.PublisherFor(product.Domain)).RelayAsync(TimeSpan.Zero);
        await mesh.ProcessCatalogEventsAsync();
        var catalogBeforeRecovery = await mesh.Catalog.GetReleasesAsync(product.Id);
        publisher.FailuresLeft = 0;
        var result = await engine.WaitAsync(request.RunId, TimeSpan.FromMinutes(2));
        await mesh.ProcessCatalogEventsAsync();

        // Assert
        var entry = Assert.Single(pending);
        Assert.Equal((ProductEventTypes.ProductVersionPublished, $"{product.Id}/1.0.0/1"), (entry.Event.Type, entry.Event.Id));
        Assert.Equal(new OutboxRelayResult(Sent: 1, Failed: 0), relayed);
        Assert.Equal(request.RunId, Assert.Single(catalogBeforeRecovery).RunId);
        Assert.Equal((PipelineStatus.Published, 1), (result.Status, result.Release));
        Assert.Single(await mesh.Catalog.GetReleasesAsync(product.Id));
        Assert.Empty(await outbox.GetPendingAsync(DateTimeOffset.MaxValue));
    }

    [Fact]
    public async Task ProcessCatalogEvents_CatalogDownWhileThreeRunsPublish_CatchesUpWithNothingLost()
    {
        // Arrange: a pipeline host publishing while the catalog projection (another function app in Azure) is down.
        var product = Product();
        var mesh = await StartAsync(product);
        var engine = await PipelineHostAsync(mesh, product, mesh.Events);
        var requests = new List<PipelineRequest>();
        for (var i = 1; i <= 3; i++)
        {
            requests.Add(await RequestAsync(mesh, product, $"orders-{i}.csv", idOffset: i * 100));
        }

        foreach (var request in requests)
        {
            await engine.ScheduleAsync(request);
        }

        var results = new List<PipelineResult>();
        foreach (var request in requests)
        {
            results.Add(await engine.WaitAsync(request.RunId, TimeSpan.FromMinutes(2)));
        }

        var releasesWhileDown = await mesh.Catalog.GetReleasesAsync(product.Id);
        var runsWhileDown = await mesh.Catalog.GetRunsAsync(product.Id);
        var queued = (await mesh.Storage.Queue(MeshStorage.CatalogEventsQueue).GetPropertiesAsync()).Value.ApproximateMessagesCount;

        // Act: the projection is back.
        var processed = await mesh.ProcessCatalogEventsAsync();

        // Assert
        Assert.All(results, r => Assert.Equal(PipelineStatus.Published, r.Status));
        Assert.Empty(releasesWhileDown);
        Assert.Empty(runsWhileDown);
        Assert.Equal(3, queued);
        Assert.Equal(3, processed);
        var releases = await mesh.Catalog.GetReleasesAsync(product.Id);
        Assert.Equal(
            results.Select(r => (r.Release!.Value, r.RunId)).Order(),
            releases.Select(r => (r.Release, r.RunId)).Order());
        Assert.Equal([1, 2, 3], releases.Select(r => r.Release).Order());
        Assert.Equal(requests.Select(r => r.RunId).Order(StringComparer.Ordinal), (await mesh.Catalog.GetRunsAsync(product.Id)).Select(r => r.RunId).Order(StringComparer.Ordinal));
        var poison = mesh.Storage.Queue(MeshStorage.CatalogEventsQueue + "-poison");
        Assert.True(!await poison.ExistsAsync() || (await poison.PeekMessagesAsync()).Value.Length == 0, "an event reached the catalog's poison queue");
    }

    /// <summary>Release folders (numbers) under the product's version, whether or not they hold a manifest: claims included.</summary>
    internal static async Task<List<string>> ReleaseFoldersAsync(ReleaseStore store, TestProduct product)
    {
        var folders = new SortedSet<string>(StringComparer.Ordinal);
        await foreach (var blob in store.Container.GetBlobsAsync(new Azure.Storage.Blobs.Models.GetBlobsOptions { Prefix = $"{product.Name}/1.0.0/" }))
        {
            // Blobs inside a release folder; the version's own blobs (its _publish.lock) are not releases.
            var parts = blob.Name.Split('/');
            if (parts.Length > 3)
            {
                folders.Add(parts[2]);
            }
        }

        return [.. folders];
    }

    internal static async Task<string> Sha256Async(ReleaseStore store, string blobName)
    {
        var content = (await store.Container.GetBlobClient(blobName).DownloadContentAsync()).Value.Content;
        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(content.ToMemory().Span));
    }

    /// <summary>Polls <paramref name="read"/> until <paramref name="done"/> holds (30 s at most).</summary>
    private static async Task<T> EventuallyAsync<T>(Func<Task<T>> read, Func<T, bool> done)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var value = await read();
            if (done(value))
            {
                return value;
            }

            Assert.True(DateTime.UtcNow < deadline, "condition not met within 30 s");
            await Task.Delay(50);
        }
    }

    /// <summary>A fault seam that injects nothing and records the run id each time an ingest activity completes.</summary>
    private static PipelineFaults CountIngests(ConcurrentQueue<string> ingests) => new((at, runId) =>
    {
        if (at == PipelineFaults.AfterIngest)
        {
            ingests.Enqueue(runId);
        }

        return Task.CompletedTask;
    });

    /// <summary>The BlobCreated delivery the local mesh queues for <paramref name="blob"/>, taken off the queue.</summary>
    private static async Task<string> NotificationOfAsync(LocalMesh mesh, TestProduct product, string blob)
    {
        await LandingNotifier.NotifyAsync(mesh.Storage, mesh.Storage.Landing(product.Domain).GetBlobClient(blob));
        var queue = mesh.Storage.Queue(MeshStorage.PipelineTriggersQueue);
        var message = (await queue.ReceiveMessageAsync()).Value;
        await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt);
        return message.Body.ToString();
    }

    private static async Task<PipelineRequest> RequestAsync(LocalMesh mesh, TestProduct product, string fileName, int idOffset = 0)
    {
        var blob = await mesh.UploadToLandingAsync(mesh.Products.Get(product.Id), product.WriteOrders(fileName, rows: 20, idOffset));
        return new PipelineRequest { RunId = $"{product.Name}-{Guid.NewGuid():N}", ProductId = product.Id, LandingBlobs = [blob], Trigger = "blob" };
    }

    /// <summary>
    /// A second pipeline host on the mesh's storage and topic, with its own task hub and publisher: the pipeline
    /// function app of Azure, apart from the catalog's (the mesh's own engine and projection stay idle).
    /// </summary>
    private async Task<LocalDurableEngine> PipelineHostAsync(LocalMesh mesh, TestProduct product, IProductEventPublisher events)
    {
        var options = new PipelineOptions { WorkDirectory = Path.Combine(product.Root, "pipeline-host") };
        // Each domain's pipeline holds only its own account's key and its read grants, as in the mesh's own host.
        var runtime = new PipelineRuntime(mesh.Storage, mesh.Products, events, options) { DomainStorage = mesh.PipelineStorage };
        var engine = await LocalDurableEngine.StartAsync(mesh.ConnectionString, "FaultHost" + AzuriteFixture.CreateNamespace(), runtime);
        _hosts.Add(engine);
        return engine;
    }

    private TestProduct Product()
    {
        var product = new TestProduct(_domain, name: "orders-" + Guid.NewGuid().ToString("N")[..6]);
        _products.Add(product);
        return product;
    }

    private async Task<LocalMesh> StartAsync(TestProduct product, PipelineFaults? faults = null)
    {
        var options = new LocalMeshOptions
        {
            // The run\'s Azurite: each domain in its own account (one account only when DATAMESH_STORAGE chose it).
            Azurite = azurite.Server,
            ConnectionString = azurite.ConnectionString,
            Namespace = AzuriteFixture.CreateNamespace(),
            LoadPipelinesFolder = false,
            StateDirectory = Path.Combine(product.Root, ".datamesh"),
        };
        options.Pipeline.Faults = faults ?? PipelineFaults.None;
        options.ExtraProductDirectories.Add(product.Directory);
        var mesh = await LocalMesh.StartAsync(options);
        _hosts.Add(mesh);
        return mesh;
    }

    /// <summary>A publisher that refuses sends while <see cref="FailuresLeft"/> is above zero, as a throttled or unreachable topic does.</summary>
    private sealed class FlakyPublisher(IProductEventPublisher inner) : IProductEventPublisher
    {
        private int _attempts;

        public int FailuresLeft { get; set; }

        public int Attempts => Volatile.Read(ref _attempts);

        public async Task PublishAsync(CloudEvent cloudEvent, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _attempts);
            if (FailuresLeft > 0)
            {
                FailuresLeft--;
                throw new RequestFailedException(503, "The topic is unavailable (injected).");
            }

            await inner.PublishAsync(cloudEvent, cancellationToken);
        }
    }
}
