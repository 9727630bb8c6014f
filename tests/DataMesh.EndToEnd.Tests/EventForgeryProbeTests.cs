using DataMesh.Catalog;
using DataMesh.Events;
using DataMesh.Pipeline;
using DataMesh.Publishing;
using DataMesh.Storage;
using DataMesh.Testing;

namespace DataMesh.EndToEnd.Tests;

/// <summary>
/// Forged announcements through a whole local mesh of two domains (issue 18): one domain's topic key announcing the
/// other's product is refused at the topic and reaches neither the catalog nor a consumer; a domain's own announcement
/// with a foreign <c>dataendpoint</c> passes the topic but is poisoned by the catalog with the reason, never recorded.
/// Unit-level probes: <c>LocalDomainTopicTests</c> (topic) and <c>CatalogProjectionDomainTests</c> (projection).
/// </summary>
[Collection(AzuriteCollection.Name)]
[Trait("Category", "Security")]
public sealed class EventForgeryProbeTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Publish_DomainKeyAnnouncingAnotherDomainsProduct_RefusedAtTheTopicAndTheCatalogHasNoRelease()
    {
        // Arrange
        using var a = new TestProduct("fa" + Guid.NewGuid().ToString("N")[..6]);
        using var b = new TestProduct("fb" + Guid.NewGuid().ToString("N")[..6]);
        await using var mesh = await a.StartMeshAsync(azurite, o =>
        {
            o.Namespace = AzuriteFixture.CreateNamespace();
            o.ExtraProductDirectories.Add(b.Directory);
        });
        var forged = ProductEventFactory.CreateProductVersionPublished(Release(mesh.Storage, b, release: 1, runId: "run-forged"));

        // Act
        var refused = await Assert.ThrowsAsync<Azure.RequestFailedException>(() => mesh.EventTopic.PublisherFor(a.Domain).PublishAsync(forged));
        await mesh.ProcessCatalogEventsAsync();

        // Assert
        Assert.Equal(403, refused.Status);
        Assert.Contains($"domain '{a.Domain}''s", refused.Message, StringComparison.Ordinal);
        Assert.Contains($"/domains/{b.Domain}/products/{b.Name}", refused.Message, StringComparison.Ordinal);
        Assert.Empty(await mesh.Catalog.GetReleasesAsync(b.Id));
        Assert.Empty(await mesh.ProcessTriggersAsync());
    }

    [Fact]
    public async Task Publish_OwnReleaseWithAForeignDataEndpoint_PoisonedByTheCatalogWithTheReason()
    {
        // Arrange: a real release of a's product, then its announcement again, pointing the hub's callers elsewhere.
        using var a = new TestProduct("fa" + Guid.NewGuid().ToString("N")[..6]);
        await using var mesh = await a.StartMeshAsync(azurite, o => o.Namespace = AzuriteFixture.CreateNamespace());
        var result = await mesh.RunAsync(a.Id, [a.WriteOrders("orders-1.csv", rows: 10)]);
        Assert.Equal(PipelineStatus.Published, result.Status);
        var forged = ProductEventFactory.CreateProductVersionPublished(Release(mesh.Storage, a, result.Release!.Value, result.RunId));
        ReleaseDataEndpoint.Stamp(forged, new Uri("https://attacker.example/"));

        // Act
        await mesh.EventTopic.PublisherFor(a.Domain).PublishAsync(forged);
        await mesh.ProcessCatalogEventsAsync();

        // Assert
        var poison = Assert.Single((await mesh.Storage.Queue(MeshStorage.CatalogEventsQueue + CatalogEventConsumer.PoisonSuffix).ReceiveMessagesAsync(10)).Value);
        using var envelope = System.Text.Json.JsonDocument.Parse(poison.Body.ToString());
        Assert.Contains($"its dataendpoint 'https://attacker.example/' is not domain {a.Domain}'s registered data endpoint", envelope.RootElement.GetProperty("reason").GetString(), StringComparison.Ordinal);
        var release = Assert.Single(await mesh.Catalog.GetReleasesAsync(a.Id));
        Assert.Null(release.DataEndpoint);
    }

    private static ProductVersionPublishedData Release(MeshStorage storage, TestProduct product, int release, string runId) => new()
    {
        ProductId = product.Id,
        Domain = product.Domain,
        Name = product.Name,
        Version = "1.0.0",
        Release = release,
        RunId = runId,
        Location = $"{storage.Products(product.Domain).Uri.AbsoluteUri}/{ReleaseStore.Folder(product.Name, "1.0.0", release)}",
        Rows = 8,
        SchemaHash = "ab12",
        Quality = new QualitySummary(true, 8, []),
        PublishedAt = DateTimeOffset.UtcNow,
    };
}
