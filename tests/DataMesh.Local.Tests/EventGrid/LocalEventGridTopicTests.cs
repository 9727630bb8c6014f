using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Azure;
using Azure.Messaging;
using Azure.Messaging.EventGrid;
using Azure.Storage.Queues;
using DataMesh.Events;
using DataMesh.Local.EventGrid;
using DataMesh.Pipeline;
using DataMesh.Storage;
using DataMesh.Testing;

namespace DataMesh.Local.Tests.EventGrid;

/// <summary>The local Event Grid topic driven by the real SDK client and raw HTTP, delivering to real Azurite queues.</summary>
[Collection("azurite")]
public sealed class LocalEventGridTopicTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private static readonly DateTimeOffset Time = new(2025, 3, 14, 9, 30, 0, TimeSpan.Zero);

    private readonly string _key = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
    private readonly MeshStorage _storage = azurite.CreateMeshStorage();
    private LocalEventGridTopic _topic = null!;
    private QueueClient _catalog = null!;
    private QueueClient _triggers = null!;
    private QueueClient _qualityRuns = null!;

    public async Task InitializeAsync()
    {
        _catalog = _storage.Queue("catalog-events");
        _triggers = _storage.Queue("pipeline-triggers");
        _qualityRuns = _storage.Queue("quality-runs");
        foreach (var queue in new[] { _catalog, _triggers, _qualityRuns })
        {
            await queue.CreateIfNotExistsAsync();
        }

        _topic = new LocalEventGridTopic(_key,
        [
            new LocalEventSubscription("catalog", _catalog) { IncludedEventTypes = MeshTopicSubscriptions.CatalogEventTypes },
            new LocalEventSubscription("triggers--finance.ledger-emea", _triggers)
            {
                IncludedEventTypes = [ProductEventTypes.ProductVersionPublished],
                SubjectBeginsWith = "finance.ledger-emea/",
            },
            new LocalEventSubscription("quality-of-run-q", _qualityRuns)
            {
                IncludedEventTypes = [ProductEventTypes.QualityCheckFailed],
                SubjectEndsWith = "/runs/run-q",
            },
        ]);
        await _topic.StartAsync();
    }

    public async Task DisposeAsync() => await _topic.DisposeAsync();

    [Fact]
    public async Task SendEventsAsync_SdkClientWithTheKey_DeliversEachEventToEveryMatchingSubscriptionAsBase64CloudEvents()
    {
        // Arrange
        var ledger = Published("finance", "ledger-emea", release: 2);
        var otherProduct = Published("sales", "orders", release: 1);
        var qualityFailed = QualityFailed("run-q");
        var otherRunFailed = RunFailed("run-f");

        // Act
        await Client(_key).SendEventsAsync([ledger, otherProduct, qualityFailed, otherRunFailed]);

        // Assert
        var catalog = await DrainAsync(_catalog);
        Assert.Equal([ledger.Id, otherProduct.Id, qualityFailed.Id, otherRunFailed.Id], catalog.Select(e => e.Id));
        var trigger = Assert.Single(await DrainAsync(_triggers));
        Assert.Equal((ledger.Id, ledger.Source, ledger.Type, ledger.Subject), (trigger.Id, trigger.Source, trigger.Type, trigger.Subject));
        Assert.Equal(2, ProductEventJson.ReadData<ProductVersionPublishedData>(trigger).Release);
        Assert.Equal(qualityFailed.Id, Assert.Single(await DrainAsync(_qualityRuns)).Id);
    }

    [Fact]
    public async Task SendEventAsync_Delivery_IsBase64EncodedJsonAsEventGridWritesToQueues()
    {
        // Arrange
        var ledger = Published("finance", "ledger-emea", release: 1);

        // Act
        await Client(_key).SendEventAsync(ledger);

        // Assert
        var message = Assert.Single((await _triggers.ReceiveMessagesAsync(maxMessages: 10)).Value);
        var body = message.Body.ToString();
        using var json = JsonDocument.Parse(Convert.FromBase64String(body));
        Assert.Equal("1.0", json.RootElement.GetProperty("specversion").GetString());
        Assert.Equal(ledger.Id, CloudEventDelivery.Parse(body).Id);
    }

    [Fact]
    public async Task SendEventAsync_FiltersInAnotherCase_MatchCaseInsensitivelyAsEventGridDoes()
    {
        // Arrange
        var queue = _storage.Queue("case-insensitive");
        await queue.CreateIfNotExistsAsync();
        await using var topic = new LocalEventGridTopic(_key,
        [
            new LocalEventSubscription("shouting", queue)
            {
                IncludedEventTypes = ["DATAMESH.PRODUCTVERSIONPUBLISHED"],
                SubjectBeginsWith = "FINANCE.Ledger-EMEA/",
                SubjectEndsWith = "/1",
            },
        ]);
        await topic.StartAsync();
        var ledger = Published("finance", "ledger-emea", release: 1);

        // Act
        await new EventGridPublisherClient(topic.Endpoint, new AzureKeyCredential(_key), NoRetries()).SendEventAsync(ledger);

        // Assert
        Assert.Equal(ledger.Id, Assert.Single(await DrainAsync(queue)).Id);
    }

    [Fact]
    public async Task SendEventAsync_SubjectOfAnotherProduct_IsNotDeliveredToTheUpstreamSubscription()
    {
        // Arrange: 'finance.ledger-emea-archive/...' shares the prefix 'finance.ledger-emea' but not 'finance.ledger-emea/'.
        var archive = Published("finance", "ledger-emea-archive", release: 1);

        // Act
        await Client(_key).SendEventAsync(archive);

        // Assert
        Assert.Empty(await DrainAsync(_triggers));
        Assert.Equal(archive.Id, Assert.Single(await DrainAsync(_catalog)).Id);
    }

    [Fact]
    public async Task SendEventAsync_WrongKey_Is401AndDeliversNothing()
    {
        // Arrange
        var forged = Published("finance", "ledger-emea", release: 9);

        // Act
        var ex = await Assert.ThrowsAsync<RequestFailedException>(() => Client("not-the-key").SendEventAsync(forged));

        // Assert
        Assert.Equal(401, ex.Status);
        await AssertNothingDeliveredAsync();
    }

    [Fact]
    public async Task Post_NoKeyHeader_Is401AndDeliversNothing()
    {
        // Arrange
        using var http = new HttpClient();
        using var content = new StringContent(BatchJson(Published("finance", "ledger-emea", release: 9)), Encoding.UTF8, "application/cloudevents-batch+json");

        // Act
        using var response = await http.PostAsync(_topic.Endpoint, content);

        // Assert
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("aeg-sas-key", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await AssertNothingDeliveredAsync();
    }

    [Theory]
    [InlineData("application/cloudevents-batch+json", "not json at all", "not valid JSON")]
    [InlineData("application/cloudevents-batch+json", """{"specversion":"1.0","id":"1","source":"/s","type":"t"}""", "must be a JSON array")]
    [InlineData("application/cloudevents-batch+json", "[]", "no event")]
    [InlineData("application/cloudevents-batch+json", """[{"id":"1","source":"/s","type":"DataMesh.PipelineRunFailed"}]""", "'specversion' is missing")]
    [InlineData("application/cloudevents-batch+json", """[{"specversion":"0.3","id":"1","source":"/s","type":"DataMesh.PipelineRunFailed"}]""", "CloudEvents 1.0")]
    [InlineData("application/cloudevents-batch+json", """[{"specversion":"1.0","source":"/s","type":"DataMesh.PipelineRunFailed"}]""", "'id' is missing")]
    [InlineData("application/cloudevents-batch+json", """[{"specversion":"1.0","id":"1","type":"DataMesh.PipelineRunFailed"}]""", "'source' is missing")]
    [InlineData("application/cloudevents-batch+json", """[{"specversion":"1.0","id":"1","source":"/s","type":""}]""", "'type' must be a non-empty string")]
    [InlineData("application/json", """[{"specversion":"1.0","id":"1","source":"/s","type":"DataMesh.PipelineRunFailed"}]""", "Content-Type")]
    public async Task Post_MalformedBody_Is400WithTheReasonAndDeliversNothing(string contentType, string body, string reason)
    {
        // Arrange
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, _topic.Endpoint) { Content = new StringContent(body, Encoding.UTF8) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(contentType);
        request.Headers.Add(LocalEventGridTopic.KeyHeader, _key);

        // Act
        using var response = await http.SendAsync(request);

        // Assert
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Contains(reason, error.RootElement.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        await AssertNothingDeliveredAsync();
    }

    [Fact]
    public async Task Post_ValidEventThenMalformedOneInOneBatch_DeliversNeitherOfThem()
    {
        // Arrange
        var valid = JsonSerializer.Serialize(Published("finance", "ledger-emea", release: 1));
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, _topic.Endpoint)
        {
            Content = new StringContent($$"""[{{valid}}, {"specversion":"1.0","id":"2","source":"/s"}]""", Encoding.UTF8, "application/cloudevents-batch+json"),
        };
        request.Headers.Add(LocalEventGridTopic.KeyHeader, _key);

        // Act
        using var response = await http.SendAsync(request);

        // Assert
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("Event 1 of the batch", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await AssertNothingDeliveredAsync();
    }

    [Fact]
    public async Task SendEventsAsync_BatchOverOneMegabyte_Is413AndDeliversNothing()
    {
        // Arrange: 40 events of ~30 KB each, every one small enough alone.
        var events = Enumerable.Range(1, 40).Select(i => RunFailed($"big-{i}", 30_000)).ToList();

        // Act
        var ex = await Assert.ThrowsAsync<RequestFailedException>(() => Client(_key).SendEventsAsync(events));

        // Assert
        Assert.Equal(413, ex.Status);
        await AssertNothingDeliveredAsync();
    }

    [Fact]
    public async Task SendEventAsync_EventTooLargeForAQueueMessage_Is413AndDeliversNothing()
    {
        // Arrange: 60 KB of JSON is over 64 KiB once Base64-encoded for the queue (built around the factory, which
        // trims what it announces to fit: the topic must refuse whatever another sender sends).
        var fitted = RunFailed("too-big-for-a-queue");
        var large = new CloudEvent(fitted.Source, fitted.Type, BinaryData.FromString($"{{\"error\":\"{new string('x', 60_000)}\"}}"), fitted.DataContentType, CloudEventDataFormat.Json)
        {
            Id = fitted.Id,
            Subject = fitted.Subject,
            Time = fitted.Time,
        };

        // Act
        var ex = await Assert.ThrowsAsync<RequestFailedException>(() => Client(_key).SendEventAsync(large));

        // Assert
        Assert.Equal(413, ex.Status);
        Assert.Contains("storage queue message", ex.Message, StringComparison.Ordinal);
        await AssertNothingDeliveredAsync();
    }

    [Fact]
    public async Task StopAsync_ThenStartAsync_RefusesConnectionsWhileStoppedAndServesTheSameEndpointAfter()
    {
        // Arrange
        var endpoint = _topic.Endpoint;
        var ledger = Published("finance", "ledger-emea", release: 3);

        // Act
        await _topic.StopAsync();
        var whileStopped = await Record.ExceptionAsync(() => Client(_key).SendEventAsync(ledger));
        await _topic.StartAsync();
        await Client(_key).SendEventAsync(ledger);

        // Assert
        Assert.True(whileStopped is RequestFailedException or AggregateException, $"expected a connection failure, got {whileStopped}");
        Assert.Equal(endpoint, _topic.Endpoint);
        Assert.Equal(ledger.Id, Assert.Single(await DrainAsync(_triggers)).Id);
    }

    private EventGridPublisherClient Client(string key) => new(_topic.Endpoint, new AzureKeyCredential(key), NoRetries());

    private static EventGridPublisherClientOptions NoRetries()
    {
        var options = new EventGridPublisherClientOptions();
        options.Retry.MaxRetries = 0;
        return options;
    }

    private async Task AssertNothingDeliveredAsync()
    {
        foreach (var queue in new[] { _catalog, _triggers, _qualityRuns })
        {
            Assert.Empty((await queue.PeekMessagesAsync(maxMessages: 32)).Value);
        }
    }

    private static async Task<List<CloudEvent>> DrainAsync(QueueClient queue)
    {
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

    private static string BatchJson(params CloudEvent[] events) => JsonSerializer.Serialize(events);

    private static CloudEvent Published(string domain, string name, int release) =>
        ProductEventFactory.CreateProductVersionPublished(new ProductVersionPublishedData
        {
            ProductId = $"{domain}.{name}",
            Domain = domain,
            Name = name,
            Version = "1.2.0",
            Release = release,
            RunId = $"run-{release}",
            Location = $"http://127.0.0.1:10000/devstoreaccount1/{domain}-products/{name}/1.2.0/{release}/",
            Rows = 10,
            SchemaHash = "ab12",
            Quality = new QualitySummary(true, 10, []),
            PublishedAt = Time,
        });

    private static CloudEvent QualityFailed(string runId) => ProductEventFactory.CreateQualityCheckFailed(new QualityCheckFailedData
    {
        ProductId = "finance.ledger-emea",
        Domain = "finance",
        Name = "ledger-emea",
        Version = "1.2.0",
        RunId = runId,
        Stage = "quality",
        Error = "quality gate failed",
        FailedAt = Time,
    });

    private static CloudEvent RunFailed(string runId, int errorLength = 20) => ProductEventFactory.CreatePipelineRunFailed(new PipelineRunFailedData
    {
        ProductId = "finance.ledger-emea",
        Domain = "finance",
        Name = "ledger-emea",
        Version = "1.2.0",
        RunId = runId,
        Stage = "transform",
        Error = new string('x', errorLength),
        FailedAt = Time,
    });
}
