using System.Text.Json;
using Azure.Messaging;
using DataMesh.Catalog;
using DataMesh.Core.Tests.Events;
using DataMesh.Events;
using DataMesh.Storage;
using DataMesh.Testing;

namespace DataMesh.Core.Tests.Catalog;

[Collection("azurite")]
public sealed class CatalogEventConsumerTests(AzuriteFixture azurite)
{
    private readonly MeshStorage _storage = azurite.CreateMeshStorage();

    [Fact]
    public async Task ConsumeAsync_ForgedSource_PoisonsWithReasonAndRecordsNothing()
    {
        // Arrange: a marketing source announcing a finance release.
        var original = ProductEventFactory.CreateProductVersionPublished(SampleEvents.Published());
        var forged = new CloudEvent("/domains/marketing/products/campaigns", original.Type, original.Data, original.DataContentType, CloudEventDataFormat.Json) { Id = original.Id };
        var body = JsonSerializer.Serialize(forged);

        // Act
        var reason = await Consumer().ConsumeAsync(body, "m-1");

        // Assert
        Assert.Contains("source does not match", reason, StringComparison.Ordinal);
        var poisoned = await SinglePoisonAsync();
        Assert.Equal(reason, poisoned.GetProperty("reason").GetString());
        Assert.Equal("m-1", poisoned.GetProperty("messageId").GetString());
        Assert.Equal(body, poisoned.GetProperty("body").GetString());
        Assert.Empty(await new CatalogReader(_storage).ListProductsAsync());
    }

    [Fact]
    public async Task ConsumeAsync_UnknownType_PoisonsWithReasonNamingTheType()
    {
        // Arrange
        var original = ProductEventFactory.CreateProductVersionPublished(SampleEvents.Published());
        var unknown = new CloudEvent(original.Source, "DataMesh.ProductDeleted", original.Data, original.DataContentType, CloudEventDataFormat.Json) { Id = original.Id };

        // Act
        var reason = await Consumer().ConsumeAsync(JsonSerializer.Serialize(unknown), "m-2");

        // Assert
        Assert.Contains("DataMesh.ProductDeleted", reason, StringComparison.Ordinal);
        Assert.Contains("does not know its type", (await SinglePoisonAsync()).GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Empty(await new CatalogReader(_storage).ListProductsAsync());
    }

    [Fact]
    public async Task ConsumeAsync_NotACloudEvent_PoisonsWithReason()
    {
        // Act
        var reason = await Consumer().ConsumeAsync("not a cloud event", "m-3");

        // Assert
        Assert.Contains("neither JSON nor Base64", reason, StringComparison.Ordinal);
        Assert.Equal("not a cloud event", (await SinglePoisonAsync()).GetProperty("body").GetString());
    }

    [Fact]
    public async Task ConsumeAsync_ValidEvent_AppliesItAndPoisonsNothing()
    {
        // Act
        var reason = await Consumer().ConsumeAsync(JsonSerializer.Serialize(ProductEventFactory.CreateProductVersionPublished(SampleEvents.Published())), "m-4");

        // Assert
        Assert.Null(reason);
        Assert.Equal(1, (await new CatalogReader(_storage).GetProductAsync("finance.ledger-emea"))!.LatestRelease);
        Assert.False(await PoisonQueue().ExistsAsync());
    }

    [Fact]
    public async Task ConsumeAsync_PropertyOverTheTableLimit_PoisonsWithTheReasonAndTheNextEventApplies()
    {
        // Arrange: a location of 40,000 characters, which no table property can hold (64 KiB of UTF-16).
        var oversized = ProductEventFactory.CreateProductVersionPublished(SampleEvents.Published(release: 2) with { Location = "https://x.example/" + new string('x', 40_000) });
        var next = ProductEventFactory.CreateProductVersionPublished(SampleEvents.Published(release: 1));

        // Act
        var reason = await Consumer().ConsumeAsync(JsonSerializer.Serialize(oversized), "m-5");
        var applied = await Consumer().ConsumeAsync(JsonSerializer.Serialize(next), "m-6");

        // Assert
        Assert.NotNull(reason);
        Assert.Contains("PropertyValueTooLarge", reason, StringComparison.Ordinal);
        Assert.Equal(reason, (await SinglePoisonAsync()).GetProperty("reason").GetString());
        Assert.Null(applied);
        Assert.Equal(1, (await new CatalogReader(_storage).GetProductAsync("finance.ledger-emea"))!.LatestRelease);
    }

    private CatalogEventConsumer Consumer() => new(new CatalogProjection(_storage), PoisonQueue());

    private Azure.Storage.Queues.QueueClient PoisonQueue() => _storage.Queue(MeshStorage.CatalogEventsQueue + CatalogEventConsumer.PoisonSuffix);

    private async Task<JsonElement> SinglePoisonAsync()
    {
        var messages = (await PoisonQueue().ReceiveMessagesAsync(10)).Value;
        var message = Assert.Single(messages);
        return JsonDocument.Parse(message.Body.ToString()).RootElement.Clone();
    }
}
