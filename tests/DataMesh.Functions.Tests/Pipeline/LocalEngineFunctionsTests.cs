using System.Net;
using System.Text.Json;
using Azure.Storage.Blobs.Models;
using DataMesh.Events;
using DataMesh.Functions.Pipeline;
using DataMesh.Functions.Tests.Triggers;
using DataMesh.Local.Durable;
using DataMesh.Pipeline;
using DataMesh.Storage;
using DataMesh.Testing;
using DataMesh.Triggers;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging.Abstractions;

namespace DataMesh.Functions.Tests.Pipeline;

/// <summary>
/// The Functions app's pipeline functions called directly, with a real <see cref="DurableTaskClient"/>: the local
/// engine's (Durable Task Framework on Azurite, the backend Durable Functions uses). A queued Event Grid delivery for a
/// real blob, or a product event as the mesh topic delivers it (CloudEvents), or an HTTP request, starts a run that
/// ends with a release in Azurite.
/// </summary>
[Collection("azurite")]
public sealed class LocalEngineFunctionsTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private const string Domain = "finance";
    private static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(3);

    private readonly MeshStorage _storage = azurite.CreateSingleAccountStorage();
    private readonly ProductRegistry _products = ProductRegistry.LoadFrom(RepositoryRoot.Combine("pipelines"));
    private readonly string _workDirectory = Path.Combine(Path.GetTempPath(), "datamesh-fn-runs-" + Guid.NewGuid().ToString("N")[..8]);
    private LocalDurableEngine _engine = null!;
    private LocalDurableTaskClient _client = null!;
    private PipelineTrigger _trigger = null!;

    public async Task InitializeAsync()
    {
        await _storage.EnsureDomainAsync(Domain);
        await _storage.Queue(MeshStorage.CatalogEventsQueue).CreateIfNotExistsAsync();
        var runtime = new PipelineRuntime(
            _storage,
            _products,
            new QueueProductEventPublisher(_storage),
            new PipelineOptions { WorkDirectory = _workDirectory, MaskingKey = "FunctionsTestSalt1" },
            NullLoggerFactory.Instance);
        _engine = await LocalDurableEngine.StartAsync(azurite.ConnectionString, "Fn" + AzuriteFixture.CreateNamespace(), runtime);
        _client = new LocalDurableTaskClient(_engine);
        _trigger = new PipelineTrigger(new PipelineTriggerRouter(_products, _storage, Domain), NullLogger<PipelineTrigger>.Instance);
    }

    public async Task DisposeAsync()
    {
        await _client.DisposeAsync();
        await _engine.DisposeAsync();
        if (Directory.Exists(_workDirectory))
        {
            Directory.Delete(_workDirectory, recursive: true);
        }
    }

    [Fact]
    public async Task PipelineTrigger_EventGridBlobCreatedForARealBlob_RunsToPublishedAndDuplicateCollapses()
    {
        // Arrange: a real upload, announced as Event Grid writes it to the queue (Base64 JSON, Event Grid schema).
        var (blobName, delivery, runId) = await LandAsync("finance.ledger-emea");

        // Act
        await _trigger.RunAsync(BlobEvents.Base64(delivery), _client, CancellationToken.None);
        var run = await WaitAsync(runId);
        await _trigger.RunAsync(delivery, _client, CancellationToken.None);
        var afterDuplicate = await _client.GetInstanceAsync(runId, getInputsAndOutputs: false);

        // Assert
        Assert.Equal(OrchestrationRuntimeStatus.Completed, run.RuntimeStatus);
        Assert.Equal(nameof(DataProductPipeline), run.Name);
        var result = run.ReadOutputAs<PipelineResult>()!;
        Assert.True(result.Status == PipelineStatus.Published, result.Error);
        Assert.Equal(1, result.Release);
        var request = run.ReadInputAs<PipelineRequest>()!;
        Assert.Equal([blobName], request.LandingBlobs);
        Assert.Equal(BlobCreatedRouter.BlobTrigger, request.Trigger);
        // The duplicate found the completed run and started nothing: same instance, still one release.
        Assert.Equal(run.CreatedAt, afterDuplicate!.CreatedAt);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, afterDuplicate.RuntimeStatus);
        Assert.Equal(["ledger-emea/1.0.0/1/"], await ManifestFoldersAsync("ledger-emea"));
    }

    [Fact]
    public async Task PipelineTrigger_ProductVersionPublishedCloudEvent_RunsTheDownstreamProductToPublished()
    {
        // Arrange: the three ledgers land and publish; their announcements are CloudEvents on catalog-events.
        foreach (var ledger in new[] { "finance.ledger-emea", "finance.ledger-amer", "finance.ledger-apac" })
        {
            var (_, delivery, runId) = await LandAsync(ledger);
            await _trigger.RunAsync(delivery, _client, CancellationToken.None);
            Assert.Equal(PipelineStatus.Published, (await WaitAsync(runId)).ReadOutputAs<PipelineResult>()!.Status);
        }

        var announcement = await PublishedEventAsync("finance.ledger-apac");
        var runs = await new PipelineTriggerRouter(_products, _storage, Domain).RouteAsync(announcement);
        var downstream = Assert.Single(runs, r => r.Request?.ProductId == "finance.revenue-global").Request!;

        // Act: the event as the mesh topic delivers it to pipeline-triggers (CloudEvents schema), twice.
        await _trigger.RunAsync(announcement, _client, CancellationToken.None);
        await _trigger.RunAsync(BlobEvents.Base64(announcement), _client, CancellationToken.None);
        var run = await WaitAsync(downstream.RunId);

        // Assert
        var result = run.ReadOutputAs<PipelineResult>()!;
        Assert.True(result.Status == PipelineStatus.Published, result.Error);
        Assert.Equal(UpstreamRouter.UpstreamTrigger, run.ReadInputAs<PipelineRequest>()!.Trigger);
        Assert.Equal(["revenue-global/1.0.0/1/"], await ManifestFoldersAsync("revenue-global"));
    }

    [Fact]
    public async Task RunProduct_PostWithLandingBlob_Answers202AndTheRunPublishes()
    {
        // Arrange
        var (blobName, _, _) = await LandAsync("finance.ledger-amer");
        var function = new RunProductFunction(_products, TimeProvider.System, NullLogger<RunProductFunction>.Instance);
        var request = new TestPostRequest(
            "https://func-finance.azurewebsites.net/api/products/finance.ledger-amer/runs", JsonSerializer.Serialize(new { landingBlobs = new[] { blobName } }));

        // Act
        var response = await function.RunAsync(request, "finance.ledger-amer", _client, CancellationToken.None);

        // Assert
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        response.Body.Position = 0;
        using var body = await JsonDocument.ParseAsync(response.Body);
        var runId = body.RootElement.GetProperty("id").GetString()!;
        Assert.StartsWith("finance.ledger-amer-http-", runId, StringComparison.Ordinal);
        Assert.Contains(runId, body.RootElement.GetProperty("statusQueryGetUri").GetString(), StringComparison.Ordinal);
        var run = await WaitAsync(runId);
        var result = run.ReadOutputAs<PipelineResult>()!;
        Assert.True(result.Status == PipelineStatus.Published, result.Error);
        Assert.Equal("http", run.ReadInputAs<PipelineRequest>()!.Trigger);
        Assert.Equal(["ledger-amer/1.0.0/1/"], await ManifestFoldersAsync("ledger-amer"));
    }

    [Fact]
    public async Task Backfill_OperatorPostForAPartitionedProduct_FansOutOnTheSameOrchestrationAndPublishesOnce()
    {
        // Arrange: the EMEA ledger (partitions by period) published once from its sample, so its input is archived.
        var (_, delivery, firstRun) = await LandAsync("finance.ledger-emea");
        await _trigger.RunAsync(delivery, _client, CancellationToken.None);
        Assert.Equal(PipelineStatus.Published, (await WaitAsync(firstRun)).ReadOutputAs<PipelineResult>()!.Status);
        var function = new BackfillFunction(_products, _storage, new DataMesh.Functions.Configuration.AppServiceAuthentication(true), TimeProvider.System, NullLogger<BackfillFunction>.Instance);
        var request = new TestPostRequest("https://func-finance.azurewebsites.net/api/products/finance.ledger-emea/backfill", "{}").WithRole("DataMesh.Operator");

        // Act
        var response = await function.RunAsync(request, "finance.ledger-emea", _client, CancellationToken.None);

        // Assert: the route started DataProductPipeline with the fan-out, which ran one transform per period and published once.
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        response.Body.Position = 0;
        using var body = await JsonDocument.ParseAsync(response.Body);
        var run = await WaitAsync(body.RootElement.GetProperty("id").GetString()!);
        Assert.Equal(nameof(DataProductPipeline), run.Name);
        var result = run.ReadOutputAs<PipelineResult>()!;
        Assert.True(result.Status == PipelineStatus.Published, result.Error);
        Assert.Equal(2, result.Release);
        Assert.Equal(["period=2026-10"], result.Stages.Where(s => s.Stage == "transform").Select(s => s.Part));
        Assert.Equal(["period=2026-10"], run.ReadInputAs<PipelineRequest>()!.Parts.Select(p => p.Describe()));
        Assert.Equal(["ledger-emea/1.0.0/1/", "ledger-emea/1.0.0/2/"], await ManifestFoldersAsync("ledger-emea"));
    }

    [Fact]
    public async Task LocalDurableTaskClient_UnsupportedQuery_ThrowsNotSupportedSayingWhy()
    {
        // Act
        var error = Assert.Throws<NotSupportedException>(() => _client.GetAllInstancesAsync());

        // Assert
        Assert.Contains("LocalDurableTaskClient", error.Message, StringComparison.Ordinal);
        Assert.Null(await _client.GetInstanceAsync("no-such-run"));
    }

    [Fact]
    public async Task Waiting_ForARunNeverStarted_TimesOutSayingSoOrStopsWhenCancelled()
    {
        // Act
        var timeout = await Assert.ThrowsAsync<TimeoutException>(() => _engine.WaitAsync("never-started", TimeSpan.FromMilliseconds(300)));
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var cancelled = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _client.WaitForInstanceStartAsync("never-started", cancellation: cancel.Token));

        // Assert
        // The time-out names the task hub's partition lease too (its owner and state), the first thing to check.
        Assert.StartsWith("Run never-started did not finish within 0 s (status not started; task hub partition: ", timeout.Message, StringComparison.Ordinal);
        Assert.True(cancel.IsCancellationRequested);
        Assert.NotNull(cancelled);
    }

    /// <summary>Uploads the product's sample file into its landing path; the Event Grid delivery of that write and its run id.</summary>
    private async Task<(string BlobName, string Delivery, string RunId)> LandAsync(string productId)
    {
        var spec = _products.Get(productId);
        var sample = Directory.EnumerateFiles(Path.Combine(spec.Directory, "samples")).Single();
        var blobName = spec.Inputs.Single(i => i.IsLanding).Landing!.Path + Path.GetFileName(sample);
        var blob = _storage.Landing(Domain).GetBlobClient(blobName);
        await using (var file = File.OpenRead(sample))
        {
            await blob.UploadAsync(file, new BlobUploadOptions { HttpHeaders = new BlobHttpHeaders { ContentType = "text/csv" } });
        }

        var properties = (await blob.GetPropertiesAsync()).Value;
        var delivery = JsonSerializer.Serialize(new
        {
            topic = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-finance/providers/Microsoft.Storage/storageAccounts/devstoreaccount1",
            subject = $"/blobServices/default/containers/{blob.BlobContainerName}/blobs/{blobName}",
            eventType = "Microsoft.Storage.BlobCreated",
            id = Guid.NewGuid().ToString(),
            data = new
            {
                api = "PutBlob",
                clientRequestId = Guid.NewGuid().ToString(),
                requestId = Guid.NewGuid().ToString(),
                eTag = properties.ETag.ToString(),
                contentType = properties.ContentType,
                contentLength = properties.ContentLength,
                blobType = "BlockBlob",
                url = blob.Uri.ToString(),
                sequencer = "00000000000004420000000000028964",
                storageDiagnostics = new { batchId = Guid.NewGuid().ToString() },
            },
            dataVersion = "",
            metadataVersion = "1",
            eventTime = DateTimeOffset.UtcNow.ToString("O"),
        });
        return (blobName, delivery, LandingBlobIdentity.From(blob.Uri, blob.BlobContainerName, blobName, properties.ETag.ToString()).RunId(productId));
    }

    private async Task<OrchestrationMetadata> WaitAsync(string runId)
    {
        using var timeout = new CancellationTokenSource(RunTimeout);
        return await _client.WaitForInstanceCompletionAsync(runId, getInputsAndOutputs: true, timeout.Token);
    }

    /// <summary>The release folders of a product that hold a manifest (a release without one does not exist).</summary>
    private async Task<List<string>> ManifestFoldersAsync(string productName)
    {
        var folders = new List<string>();
        await foreach (var item in _storage.Products(Domain).GetBlobsAsync(BlobTraits.None, BlobStates.None, productName + "/", CancellationToken.None))
        {
            if (item.Name.EndsWith("/_manifest.json", StringComparison.Ordinal))
            {
                folders.Add(item.Name[..(item.Name.Length - "_manifest.json".Length)]);
            }
        }

        return folders;
    }

    /// <summary>The <c>DataMesh.ProductVersionPublished</c> announcement of a product, as queued on catalog-events (raw JSON).</summary>
    private async Task<string> PublishedEventAsync(string productId)
    {
        var messages = await _storage.Queue(MeshStorage.CatalogEventsQueue).PeekMessagesAsync(maxMessages: 32);
        return messages.Value
            .Select(m => m.Body.ToString())
            .Single(body =>
            {
                var cloudEvent = CloudEventDelivery.Parse(body);
                return cloudEvent.Type == ProductEventTypes.ProductVersionPublished
                    && ProductEventJson.ReadData<ProductVersionPublishedData>(cloudEvent).ProductId == productId;
            });
    }
}
