using System.Security.Cryptography;
using Azure;
using Azure.Messaging;
using Azure.Messaging.EventGrid;
using Azure.Storage.Queues;
using DataMesh.Events;
using DataMesh.Local.EventGrid;
using DataMesh.Pipeline;
using DataMesh.Storage;
using DataMesh.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace DataMesh.Local.Tests.EventGrid;

/// <summary>
/// One topic per domain, each with its own key: a domain's key announces only that domain's products; an event about
/// another domain's product is refused at the topic (403) and reaches neither the catalog nor a consumer.
/// </summary>
[Collection("azurite")]
public sealed class LocalDomainTopicTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private static readonly DateTimeOffset Time = new(2025, 3, 14, 9, 30, 0, TimeSpan.Zero);

    private readonly Dictionary<string, string> _keys = new(StringComparer.Ordinal)
    {
        ["finance"] = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)),
        ["sales"] = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)),
    };

    private readonly MeshStorage _storage = azurite.CreateMeshStorage();
    private LocalDomainTopics _topics = null!;
    private QueueClient _catalog = null!;
    private QueueClient _triggers = null!;

    public async Task InitializeAsync()
    {
        _catalog = _storage.Queue("catalog-events");
        _triggers = _storage.Queue("pipeline-triggers");
        await _catalog.CreateIfNotExistsAsync();
        await _triggers.CreateIfNotExistsAsync();
        _topics = await LocalDomainTopics.StartAsync(
            ["finance", "sales"],
            domain => _keys[domain],
            [
                new LocalEventSubscription("catalog", _catalog) { IncludedEventTypes = MeshTopicSubscriptions.CatalogEventTypes },
                new LocalEventSubscription("pipeline-triggers--sales.orders", _triggers)
                {
                    IncludedEventTypes = [ProductEventTypes.ProductVersionPublished],
                    SubjectBeginsWith = "sales.orders/",
                },
            ],
            NullLoggerFactory.Instance);
    }

    public async Task DisposeAsync() => await _topics.DisposeAsync();

    [Fact]
    public async Task SendEventsAsync_DomainKeyAnnouncingAnotherDomainsProduct_Refused403NamingTheKeysDomainAndTheProductAndNothingDelivered()
    {
        // Arrange: finance's key, a batch with one finance event and one about sales' product.
        var batch = new[] { Published("finance", "ledger-emea"), Published("sales", "orders") };

        // Act
        var refused = await Assert.ThrowsAsync<RequestFailedException>(() => Client("finance", _keys["finance"]).SendEventsAsync(batch));

        // Assert
        Assert.Equal(403, refused.Status);
        Assert.Contains("domain 'finance''s", refused.Message, StringComparison.Ordinal);
        Assert.Contains("product source '/domains/sales/products/orders'", refused.Message, StringComparison.Ordinal);
        await AssertNothingDeliveredAsync();
    }

    [Fact]
    public async Task SendEventAsync_OwnSourceWithSubjectOfAnotherDomainsProduct_Refused403AndNoConsumerTriggered()
    {
        // Arrange: finance's source, but a subject that sales.orders' consumers subscribe to.
        var own = Published("finance", "ledger-emea");
        var forged = new CloudEvent(own.Source, own.Type, own.Data, own.DataContentType, CloudEventDataFormat.Json) { Id = own.Id, Subject = "sales.orders/1.2.0/7" };

        // Act
        var refused = await Assert.ThrowsAsync<RequestFailedException>(() => Client("finance", _keys["finance"]).SendEventAsync(forged));

        // Assert
        Assert.Equal(403, refused.Status);
        Assert.Contains("product 'sales.orders' (subject 'sales.orders/1.2.0/7')", refused.Message, StringComparison.Ordinal);
        await AssertNothingDeliveredAsync();
    }

    [Fact]
    public async Task SendEventAsync_AnotherDomainsKeyOnThisDomainsTopic_Refused401()
    {
        // Act: sales' key on finance's topic.
        var refused = await Assert.ThrowsAsync<RequestFailedException>(() => Client("finance", _keys["sales"]).SendEventAsync(Published("finance", "ledger-emea")));

        // Assert
        Assert.Equal(401, refused.Status);
        await AssertNothingDeliveredAsync();
    }

    [Fact]
    public async Task PublishAsync_PerDomainPublisher_EachDomainsEventsGoThroughItsOwnTopicAndReachTheCatalogAndConsumers()
    {
        // Arrange
        var publisher = _topics.PublisherPerDomain();
        var finance = Published("finance", "ledger-emea");
        var sales = Published("sales", "orders");

        // Act
        await publisher.PublishAsync(finance);
        await publisher.PublishAsync(sales);

        // Assert
        Assert.Equal([finance.Id, sales.Id], (await DrainAsync(_catalog)).Select(e => e.Id));
        Assert.Equal(sales.Id, Assert.Single(await DrainAsync(_triggers)).Id);
        Assert.NotEqual(_topics.Topic("finance").Endpoint, _topics.Topic("sales").Endpoint);
        Assert.Equal(("finance", "sales"), (_topics.Topic("finance").Domain, _topics.Topic("sales").Domain));
    }

    private EventGridPublisherClient Client(string domain, string key)
    {
        var options = new EventGridPublisherClientOptions();
        options.Retry.MaxRetries = 0;
        return new EventGridPublisherClient(_topics.Topic(domain).Endpoint, new AzureKeyCredential(key), options);
    }

    private async Task AssertNothingDeliveredAsync()
    {
        Assert.Empty((await _catalog.PeekMessagesAsync(maxMessages: 32)).Value);
        Assert.Empty((await _triggers.PeekMessagesAsync(maxMessages: 32)).Value);
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

    private static CloudEvent Published(string domain, string name) =>
        ProductEventFactory.CreateProductVersionPublished(new ProductVersionPublishedData
        {
            ProductId = $"{domain}.{name}",
            Domain = domain,
            Name = name,
            Version = "1.2.0",
            Release = 1,
            RunId = "run-1",
            Location = $"http://127.0.0.1:10000/devstoreaccount1/{domain}-products/{name}/1.2.0/1/",
            Rows = 10,
            SchemaHash = "ab12",
            Quality = new QualitySummary(true, 10, []),
            PublishedAt = Time,
        });
}
