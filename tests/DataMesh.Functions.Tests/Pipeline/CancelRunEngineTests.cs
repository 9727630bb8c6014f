using System.Net;
using System.Text.Json;
using Azure.Storage.Blobs.Models;
using DataMesh.Catalog;
using DataMesh.Events;
using DataMesh.Functions.Configuration;
using DataMesh.Functions.Pipeline;
using DataMesh.Local.Durable;
using DataMesh.Pipeline;
using DataMesh.Publishing;
using DataMesh.Storage;
using DataMesh.Testing;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging.Abstractions;

namespace DataMesh.Functions.Tests.Pipeline;

/// <summary>
/// Runs cancelled through the operator route (<c>POST api/runs/{runId}/cancel</c>) on the real Durable Task engine on
/// Azurite as a Functions app runs them: the termination stops no activity in-process, so the stage held goes on after
/// the run's termination. A backfill cancelled in its part's transform is recorded <c>Cancelled</c>, nothing published,
/// the archive kept, the run's staging and work folder gone. A run cancelled once its publish has decided keeps its
/// release: the termination's story announces it (<see cref="SettleRunActivity"/>), its input archived.
/// </summary>
[Collection("azurite")]
public sealed class CancelRunEngineTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private const string Domain = "finance";
    private const string ProductId = "finance.ledger-emea";
    private static readonly TimeSpan Within = TimeSpan.FromMinutes(3);

    private readonly MeshStorage _storage = azurite.CreateSingleAccountStorage();
    private readonly ProductRegistry _products = ProductRegistry.LoadFrom(RepositoryRoot.Combine("pipelines"));
    private readonly string _workDirectory = Path.Combine(Path.GetTempPath(), "datamesh-fn-cancel-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly string _taskHub = "Fn" + AzuriteFixture.CreateNamespace();
    private readonly TaskCompletionSource<string> _held = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private (string Point, Func<string, bool> Run) _holdAt = (PipelineFaults.AfterTransform, runId => runId.Contains("-backfill-", StringComparison.Ordinal));
    private PipelineRuntime _runtime = null!;
    private LocalDurableEngine _engine = null!;
    private LocalDurableTaskClient _client = null!;

    public async Task InitializeAsync()
    {
        await _storage.EnsureDomainAsync(Domain);
        await _storage.Queue(MeshStorage.CatalogEventsQueue).CreateIfNotExistsAsync();

        // The run is held at the test's point (by default a backfill's part once it has staged its output) until the
        // test has cancelled it.
        var faults = new PipelineFaults(async (point, runId) =>
        {
            if (point == _holdAt.Point && _holdAt.Run(runId))
            {
                _held.TrySetResult(runId);
                await _released.Task.WaitAsync(Within);
            }
        });
        _runtime = new PipelineRuntime(
            _storage, _products, new QueueProductEventPublisher(_storage),
            new PipelineOptions { WorkDirectory = _workDirectory, MaskingKey = "FunctionsTestSalt1", Faults = faults }, NullLoggerFactory.Instance);
        _engine = await LocalDurableEngine.StartAsync(azurite.ConnectionString, _taskHub, _runtime);
        _client = new LocalDurableTaskClient(_engine);
    }

    public async Task DisposeAsync()
    {
        _released.TrySetResult();
        await _client.DisposeAsync();
        await _engine.DisposeAsync();
        if (Directory.Exists(_workDirectory))
        {
            Directory.Delete(_workDirectory, recursive: true);
        }
    }

    [Fact]
    public async Task CancelRun_OperatorCancelsARunningBackfill_RecordedCancelledNoReleaseArchiveKeptStagingCleaned()
    {
        // Arrange: the EMEA ledger published once from its sample (its input archived), then a backfill started by the route.
        var archived = await PublishOnceAsync();
        var archivedETag = (await _storage.Archive(Domain).GetBlobClient(archived).GetPropertiesAsync()).Value.ETag;
        var releaseBlobs = await ProductBlobsAsync();
        var backfill = await new BackfillFunction(_products, _storage, new AppServiceAuthentication(true), TimeProvider.System, NullLogger<BackfillFunction>.Instance)
            .RunAsync(Operator($"https://func-finance.azurewebsites.net/api/products/{ProductId}/backfill", "{}"), ProductId, _client, CancellationToken.None);
        Assert.Equal(HttpStatusCode.Accepted, backfill.StatusCode);
        var runId = await _held.Task.WaitAsync(Within);

        // Act: the operator's cancel, while the part is in its transform.
        var cancel = await new CancelRunFunction(_products, new AppServiceAuthentication(true), NullLoggerFactory.Instance)
            .RunAsync(Operator($"https://func-finance.azurewebsites.net/api/runs/{runId}/cancel", ""), runId, _client, CancellationToken.None);
        await FailureFinishedAsync(runId);
        _released.SetResult();
        await QueuedWorkDoneAsync();

        // Assert: recorded cancelled at its transform, its inputs said to be in the archive, where they are.
        Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
        var run = await RecordedAsync(runId);
        Assert.True(run.Status == CatalogRunStatus.Cancelled, $"run recorded {run.Status}: {run.Error}");
        Assert.StartsWith("cancelled: by an operator (api/runs/{runId}/cancel) at stage transform", run.Error, StringComparison.Ordinal);
        Assert.Contains("its archived inputs kept in the archive", run.Error, StringComparison.Ordinal);
        Assert.Empty(run.Quarantined);
        Assert.Equal(OrchestrationRuntimeStatus.Terminated, (await _client.GetInstanceAsync(runId))!.RuntimeStatus);

        // No release: every blob of the product as it was.
        var spec = _products.Get(ProductId);
        Assert.Equal([1], await new ReleaseStore(_storage.Products(Domain)).ListReleasesAsync(spec.Name, spec.Version));
        Assert.Equal(releaseBlobs, await ProductBlobsAsync());

        // The archive kept, byte for byte; the staging prefix and the work folder of the run gone.
        Assert.Equal(archivedETag, (await _storage.Archive(Domain).GetBlobClient(archived).GetPropertiesAsync()).Value.ETag);
        var staged = new List<string>();
        await foreach (var blob in _storage.Staging(Domain).GetBlobsAsync(new GetBlobsOptions { Prefix = $"{spec.Name}/{RunWorkspace.SafeName(runId)}/" }))
        {
            staged.Add(blob.Name);
        }

        Assert.Empty(staged);
        Assert.False(Directory.Exists(_runtime.Workspace(runId).Root), "the cancelled backfill's work folder is left");
    }

    [Fact]
    public async Task CancelRun_OperatorCancelsARunWhosePublishHasDecided_TheReleaseStandsAnnouncedAndItsInputArchived()
    {
        // Arrange: release 1, then a second run held between its publish's decision and its manifest.
        var first = await PublishOnceAsync();
        _holdAt = (PipelineFaults.AfterDecision, _ => true);
        var spec = _products.Get(ProductId);
        var blobName = spec.Inputs.Single(i => i.IsLanding).Landing!.Path + "second-" + Path.GetFileName(first);
        await _storage.Landing(Domain).GetBlobClient(blobName).UploadAsync(Directory.EnumerateFiles(Path.Combine(spec.Directory, "samples")).Single(), overwrite: true);
        var started = await StartRunAsync(blobName);
        var runId = await _held.Task.WaitAsync(Within);
        Assert.Equal(started, runId);

        // Act: the operator's cancel lands after the decision; the publish then goes on to its manifest.
        var cancel = await new CancelRunFunction(_products, new AppServiceAuthentication(true), NullLoggerFactory.Instance)
            .RunAsync(Operator($"https://func-finance.azurewebsites.net/api/runs/{runId}/cancel", ""), runId, _client, CancellationToken.None);
        var failure = await FailureStartedAsync(runId);
        _released.SetResult();
        using var timeout = new CancellationTokenSource(Within);
        var ended = await _client.WaitForInstanceCompletionAsync(failure, getInputsAndOutputs: true, timeout.Token);
        await QueuedWorkDoneAsync();

        // Assert: the termination's story is the release's, said once; the run is recorded published, its input archived.
        Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
        Assert.Equal(OrchestrationRuntimeStatus.Terminated, (await _client.GetInstanceAsync(runId))!.RuntimeStatus);
        var result = ended.ReadOutputAs<PipelineResult>()!;
        Assert.True(result.Status == PipelineStatus.Published, result.Error);
        Assert.Equal(2, result.Release);
        Assert.StartsWith("cancelled: by an operator (api/runs/{runId}/cancel) at stage publish; too late: its publish had already committed release 2, which stands", result.Error, StringComparison.Ordinal);
        Assert.Equal([1, 2], await new ReleaseStore(_storage.Products(Domain)).ListReleasesAsync(spec.Name, spec.Version));
        var events = await CatalogEventsAsync();
        Assert.Equal([ProductEventTypes.ProductVersionPublished], events.Select(e => e.Event).Where(e => e.Data!.ToObjectFromJson<JsonElement>().GetProperty("runId").GetString() == runId).Select(e => e.Type).Distinct());
        var run = await RecordedAsync(runId, events);
        Assert.Equal((CatalogRunStatus.Published, 2), (run.Status, run.Release));
        Assert.Equal(result.Error, run.Error);
        Assert.False((await _storage.Landing(Domain).GetBlobClient(blobName).ExistsAsync()).Value, "the published input was left in landing");
        Assert.True((await _storage.Archive(Domain).GetBlobClient(blobName).ExistsAsync()).Value, "the published input was not archived");
        Assert.False(Directory.Exists(_runtime.Workspace(runId).Root), "the run's work folder is left");
    }

    /// <summary>The ledger's sample landed and run to release 1 (its input then archived); the archived blob's name.</summary>
    private async Task<string> PublishOnceAsync()
    {
        var spec = _products.Get(ProductId);
        var sample = Directory.EnumerateFiles(Path.Combine(spec.Directory, "samples")).Single();
        var blobName = spec.Inputs.Single(i => i.IsLanding).Landing!.Path + Path.GetFileName(sample);
        await _storage.Landing(Domain).GetBlobClient(blobName).UploadAsync(sample, overwrite: true);
        var runId = await StartRunAsync(blobName);
        using var timeout = new CancellationTokenSource(Within);
        var run = await _client.WaitForInstanceCompletionAsync(runId, getInputsAndOutputs: true, timeout.Token);
        var result = run.ReadOutputAs<PipelineResult>()!;
        Assert.True(result.Status == PipelineStatus.Published, result.Error);
        Assert.True((await _storage.Archive(Domain).GetBlobClient(blobName).ExistsAsync()).Value, "the published input was not archived");
        return blobName;
    }

    /// <summary>Starts a run over <paramref name="blobName"/> through the operator's run route; its run id.</summary>
    private async Task<string> StartRunAsync(string blobName)
    {
        var response = await new RunProductFunction(_products, TimeProvider.System, NullLogger<RunProductFunction>.Instance).RunAsync(
            new TestPostRequest($"https://func-finance.azurewebsites.net/api/products/{ProductId}/runs", JsonSerializer.Serialize(new { landingBlobs = new[] { blobName } })),
            ProductId, _client, CancellationToken.None);
        response.Body.Position = 0;
        using var body = await JsonDocument.ParseAsync(response.Body);
        return body.RootElement.GetProperty("id").GetString()!;
    }

    /// <summary>
    /// The cancelled run's failure started as soon as the termination took effect (the route starts it when that is within
    /// its wait, else the StuckRunTimer's next pass does: here the same call a pass makes for the run); its instance id.
    /// </summary>
    private async Task<string> FailureStartedAsync(string runId)
    {
        var sweep = new StuckRunSweep(_client, _products, StuckRunSweep.DefaultBound, NullLogger<StuckRunSweep>.Instance);
        using var timeout = new CancellationTokenSource(Within);
        while (true)
        {
            if (await sweep.FinishTerminatedAsync(runId, timeout.Token) is { } failure)
            {
                return failure;
            }

            await Task.Delay(250, timeout.Token);
        }
    }

    /// <summary>
    /// The cancelled run's failure (announcement and clean-up) finished: the route starts it when the termination took
    /// effect within its wait, else the StuckRunTimer's next pass does (here the same call a pass makes for the run).
    /// </summary>
    private async Task FailureFinishedAsync(string runId)
    {
        var failure = await FailureStartedAsync(runId);
        using var timeout = new CancellationTokenSource(Within);
        Assert.Equal(OrchestrationRuntimeStatus.Completed, (await _client.WaitForInstanceCompletionAsync(failure, getInputsAndOutputs: false, timeout.Token)).RuntimeStatus);
    }

    /// <summary>Every activity message of the task hub handled: the held part has finished (its work item is deleted once it has).</summary>
    private async Task QueuedWorkDoneAsync()
    {
        var workItems = new Azure.Storage.Queues.QueueClient(azurite.ConnectionString, _taskHub.ToLowerInvariant() + "-workitems");
        var deadline = DateTime.UtcNow + Within;
        while ((await workItems.GetPropertiesAsync()).Value.ApproximateMessagesCount > 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "the held part did not finish");
            await Task.Delay(250);
        }
    }

    /// <summary>Every announcement on catalog-events so far, as received (taken off the queue).</summary>
    private async Task<List<(string Body, string MessageId, Azure.Messaging.CloudEvent Event)>> CatalogEventsAsync()
    {
        var received = new List<(string, string, Azure.Messaging.CloudEvent)>();
        var queue = _storage.Queue(MeshStorage.CatalogEventsQueue);
        while ((await queue.ReceiveMessagesAsync(maxMessages: 32)).Value is { Length: > 0 } messages)
        {
            received.AddRange(messages.Select(m => (m.Body.ToString(), m.MessageId, CloudEventDelivery.Parse(m.Body.ToString()))));
        }

        return received;
    }

    /// <summary>The run as the catalog records it from the announcements on catalog-events (the hub's projection function).</summary>
    private async Task<CatalogRun> RecordedAsync(string runId, IReadOnlyList<(string Body, string MessageId, Azure.Messaging.CloudEvent Event)>? events = null)
    {
        var consumer = new CatalogEventConsumer(new CatalogProjection(_storage), _storage.Queue(MeshStorage.CatalogEventsQueue + CatalogEventConsumer.PoisonSuffix));
        foreach (var (body, messageId, _) in events ?? await CatalogEventsAsync())
        {
            Assert.Null(await consumer.ConsumeAsync(body, messageId));
        }

        var runs = await new CatalogReader(_storage).GetRunsAsync(ProductId);
        return Assert.Single(runs, r => r.RunId == runId);
    }

    /// <summary>Every blob of the product's releases with its content hash and ETag: equal lists, byte-identical releases.</summary>
    private async Task<List<string>> ProductBlobsAsync()
    {
        var blobs = new List<string>();
        await foreach (var blob in _storage.Products(Domain).GetBlobsAsync(new GetBlobsOptions { Prefix = _products.Get(ProductId).Name + "/" }))
        {
            blobs.Add($"{blob.Name} {blob.Properties.ETag} {Convert.ToHexString(blob.Properties.ContentHash ?? [])} {blob.Properties.ContentLength}");
        }

        return blobs;
    }

    private static TestPostRequest Operator(string url, string body) => new TestPostRequest(url, body).WithRole("DataMesh.Operator");
}
