using System.Text.Json;
using Azure.Messaging;
using DataMesh.Catalog;
using DataMesh.Core.Tests.Events;
using DataMesh.Events;
using DataMesh.Storage;
using DataMesh.Testing;

namespace DataMesh.Core.Tests.Catalog;

/// <summary>
/// Forged announcements at the catalog: the domain is the one the delivering channel vouches for (the event's source),
/// and a release's location and data endpoint are trusted only where the domain's registration says its data is.
/// A refused event is poisoned with the reason and never recorded.
/// </summary>
[Collection("azurite")]
public sealed class CatalogProjectionDomainTests(AzuriteFixture azurite)
{
    private const string FinanceApp = "https://func-finance.azurewebsites.net/";

    // The sample events' releases live in http://127.0.0.1:10000/devstoreaccount1/ (SampleEvents.Published).
    private static readonly DomainRegistry Registry = new(
    [
        new RegisteredDomain("finance", new Uri("http://127.0.0.1:10000/devstoreaccount1/"), new Uri(FinanceApp)),
        new RegisteredDomain("marketing", new Uri("http://127.0.0.1:10000/marketingaccount/"), new Uri("https://func-marketing.azurewebsites.net/")),
    ]);

    private readonly MeshStorage _storage = azurite.CreateMeshStorage();

    [Fact]
    public async Task ConsumeAsync_DomainAsSourceAnnouncingAnotherDomainsProduct_PoisonedAndNothingRecorded()
    {
        // Arrange: marketing's channel (its source) delivers an event about finance's product.
        var original = ProductEventFactory.CreateProductVersionPublished(SampleEvents.Published());
        var forged = new CloudEvent("/domains/marketing/products/ledger-emea", original.Type, original.Data, original.DataContentType, CloudEventDataFormat.Json) { Id = original.Id, Subject = original.Subject };

        // Act
        var reason = await Consumer().ConsumeAsync(JsonSerializer.Serialize(forged), "m-1");

        // Assert
        Assert.Contains("source does not match its data", reason, StringComparison.Ordinal);
        Assert.Equal(reason, (await SinglePoisonAsync()).GetProperty("reason").GetString());
        Assert.Empty(await new CatalogReader(_storage).ListProductsAsync());
    }

    [Fact]
    public async Task ConsumeAsync_ReleaseLocatedInAnotherDomainsAccount_PoisonedWithReasonAndNothingRecorded()
    {
        // Arrange: finance's event points its release at marketing's storage account.
        var data = SampleEvents.Published() with { Location = "http://127.0.0.1:10000/marketingaccount/finance-products/ledger-emea/1.2.0/1/" };
        var cloudEvent = ProductEventFactory.CreateProductVersionPublished(data);

        // Act
        var reason = await Consumer().ConsumeAsync(JsonSerializer.Serialize(cloudEvent), "m-2");

        // Assert
        Assert.Contains("is not in domain finance's registered storage account (http://127.0.0.1:10000/devstoreaccount1/)", reason, StringComparison.Ordinal);
        Assert.Equal(reason, (await SinglePoisonAsync()).GetProperty("reason").GetString());
        Assert.Empty(await new CatalogReader(_storage).ListProductsAsync());
    }

    [Theory]
    [InlineData("https://attacker.example/")]
    [InlineData("https://func-marketing.azurewebsites.net/")]
    public async Task ConsumeAsync_ForeignDataEndpoint_PoisonedWithReasonAndNothingRecorded(string dataEndpoint)
    {
        // Arrange: the release is where finance keeps its data, but the event sends the hub's callers elsewhere.
        var cloudEvent = ProductEventFactory.CreateProductVersionPublished(SampleEvents.Published());
        ReleaseDataEndpoint.Stamp(cloudEvent, new Uri(dataEndpoint));

        // Act
        var reason = await Consumer().ConsumeAsync(JsonSerializer.Serialize(cloudEvent), "m-3");

        // Assert
        Assert.Contains($"its dataendpoint '{dataEndpoint}' is not domain finance's registered data endpoint ({FinanceApp})", reason, StringComparison.Ordinal);
        Assert.Equal(reason, (await SinglePoisonAsync()).GetProperty("reason").GetString());
        Assert.Empty(await new CatalogReader(_storage).ListProductsAsync());
    }

    [Fact]
    public async Task ConsumeAsync_UnregisteredDomain_PoisonedNamingTheSettingsToRegisterIt()
    {
        // Arrange
        var cloudEvent = ProductEventFactory.CreateProductVersionPublished(SampleEvents.Published(domain: "sales", name: "orders"));

        // Act
        var reason = await Consumer().ConsumeAsync(JsonSerializer.Serialize(cloudEvent), "m-4");

        // Assert
        Assert.Contains("domain 'sales' is not registered with the catalog (registered: finance, marketing)", reason, StringComparison.Ordinal);
        Assert.Contains("DataMesh__Domains__<n>__StorageEndpoint", reason, StringComparison.Ordinal);
        Assert.Empty(await new CatalogReader(_storage).ListProductsAsync());
    }

    [Fact]
    public async Task ConsumeAsync_RightDomainAccountAndDataEndpoint_RecordedWithItsDataEndpoint()
    {
        // Arrange: finance's release in finance's account (on another loopback port, as after a local restart), served by finance's app.
        var data = SampleEvents.Published() with { Location = "http://127.0.0.1:10055/devstoreaccount1/finance-products/ledger-emea/1.2.0/1/" };
        var cloudEvent = ProductEventFactory.CreateProductVersionPublished(data);
        ReleaseDataEndpoint.Stamp(cloudEvent, new Uri(FinanceApp));

        // Act
        var reason = await Consumer().ConsumeAsync(JsonSerializer.Serialize(cloudEvent), "m-5");

        // Assert
        Assert.Null(reason);
        var release = await new CatalogReader(_storage).GetReleaseAsync("finance.ledger-emea", "1.2.0", 1);
        Assert.NotNull(release);
        Assert.Equal(FinanceApp, release.DataEndpoint);
    }

    private CatalogEventConsumer Consumer() => new(new CatalogProjection(_storage, domains: Registry), PoisonQueue());

    private Azure.Storage.Queues.QueueClient PoisonQueue() => _storage.Queue(MeshStorage.CatalogEventsQueue + CatalogEventConsumer.PoisonSuffix);

    private async Task<JsonElement> SinglePoisonAsync()
    {
        var message = Assert.Single((await PoisonQueue().ReceiveMessagesAsync(10)).Value);
        return JsonDocument.Parse(message.Body.ToString()).RootElement.Clone();
    }
}
