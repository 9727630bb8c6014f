using System.Text.Json;
using Azure.Messaging;
using DataMesh.Catalog;
using DataMesh.Core.Tests.Governance;
using DataMesh.Events;
using DataMesh.Pipeline;
using DataMesh.Publishing;
using DataMesh.Specs;
using DataMesh.Storage;
using DataMesh.Testing;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Converters;

namespace DataMesh.Core.Tests.Events;

/// <summary>
/// The publish stage's <see cref="PublishResult.Changes"/> reaches the catalog: through the orchestrator's serializer,
/// the announce step's event, the catalog events queue (real Azurite) and the projection, to the API.
/// </summary>
[Collection("azurite")]
public sealed class AnnounceChangesTests(AzuriteFixture azurite)
{
    private static readonly ProductRegistry Products = ProductRegistry.LoadFrom(RepositoryFiles.Pipelines);

    private readonly MeshStorage _storage = azurite.CreateMeshStorage();

    [Fact]
    public async Task AnnounceActivity_PublishResultWithChanges_EventAndCatalogReleaseCarryThem()
    {
        // Arrange: release 3 appended 40 rows onto release 2, as the publish stage returns it to the orchestrator
        var runtime = new PipelineRuntime(_storage, Products, new QueueProductEventPublisher(_storage));
        var changes = new ReleaseChanges { Mode = OutputMode.Append, BasedOn = 2, RowsAdded = 40, FilesWritten = 1, FilesReferenced = 2 };
        var published = new PublishResult(3, "http://127.0.0.1:10000/devstoreaccount1/finance-products/ledger-emea/1.0.0/3/", 140, "ab12") { Changes = changes };
        var throughOrchestrator = JsonDataConverter.Default.Deserialize<PublishResult>(JsonDataConverter.Default.Serialize(published))!;
        var input = new AnnounceInput(
            new PipelineResult { Status = PipelineStatus.Published, Product = "finance.ledger-emea", Version = "1.0.0", RunId = "run-append-3", Release = 3 },
            throughOrchestrator,
            new PublishInput("run-append-3", "finance.ledger-emea", new TransformResult("staged/run-append-3", 40, [], "ab12"), SampleEvents.PassedQuality(140), []),
            SampleEvents.PassedQuality(140));

        // Act
        await new AnnounceActivity(runtime).RunAsync(new AnnounceContext(input.Result.RunId), input);
        var delivered = Assert.Single(await DrainAsync());
        await new CatalogProjection(_storage).ApplyAsync(delivered);
        var response = await new CatalogHttpApi(new CatalogReader(_storage)).HandleAsync("GET", "/api/products/finance.ledger-emea/releases/1.0.0/3", "", DataMesh.Consumption.DataReader.Operator);

        // Assert
        var data = ProductEventJson.ReadData<ProductVersionPublishedData>(delivered);
        Assert.Equal(140, data.Rows);
        Assert.NotNull(data.Changes);
        Assert.Equal(("append", 2, 40L, 0L, 0L, 1, 2), (data.Changes.Mode, data.Changes.BasedOn, data.Changes.RowsAdded, data.Changes.RowsReplaced, data.Changes.RowsRemoved, data.Changes.FilesWritten, data.Changes.FilesReferenced));
        Assert.True(response.StatusCode == 200, response.Body);
        using var release = JsonDocument.Parse(response.Body);
        Assert.Equal(140, release.RootElement.GetProperty("rows").GetInt64());
        Assert.Equal(40, release.RootElement.GetProperty("changes").GetProperty("rowsAdded").GetInt64());
        Assert.Equal("append", release.RootElement.GetProperty("changes").GetProperty("mode").GetString());
    }

    private async Task<List<CloudEvent>> DrainAsync()
    {
        var queue = _storage.Queue(MeshStorage.CatalogEventsQueue);
        var events = new List<CloudEvent>();
        while ((await queue.ReceiveMessagesAsync(maxMessages: 32)).Value is { Length: > 0 } messages)
        {
            foreach (var message in messages)
            {
                events.Add(CloudEventDelivery.Parse(message.Body.ToString()));
                await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt);
            }
        }

        return events;
    }

    private sealed class AnnounceContext(string instanceId) : TaskActivityContext
    {
        public override TaskName Name => nameof(AnnounceActivity);

        public override string InstanceId => instanceId;
    }
}
