using System.Text.Json;
using DataMesh.Catalog;
using DataMesh.Core.Tests.Events;
using DataMesh.Events;
using DataMesh.Testing;

namespace DataMesh.Core.Tests.Catalog;

[Collection("azurite")]
public sealed class CatalogReaderTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task ListProductsAsync_NothingProjectedYet_ReturnsEmpty()
    {
        // Arrange
        var reader = new CatalogReader(azurite.CreateMeshStorage());

        // Act
        var products = await reader.ListProductsAsync();

        // Assert
        Assert.Empty(products);
        Assert.Null(await reader.GetProductAsync("finance.ledger-emea"));
        Assert.Empty(await reader.GetReleasesAsync("finance.ledger-emea"));
        Assert.Empty(await reader.GetRunsAsync("finance.ledger-emea"));
    }

    [Fact]
    public async Task ListProductsAsync_PublishedAndRegisteredProducts_ListsEachOnceOrderedById()
    {
        // Arrange
        var storage = azurite.CreateMeshStorage();
        var projection = new CatalogProjection(storage);
        await projection.ApplyAsync(ProductEventFactory.CreateProductVersionPublished(SampleEvents.Published(domain: "treasury", name: "fx-rates")));
        await projection.ApplyAsync(ProductEventFactory.CreateProductVersionPublished(SampleEvents.Published(domain: "finance", name: "ledger-emea")));
        await projection.RegisterProductAsync(CatalogProjectionTests.Registration("finance", "ledger-emea", "1.2.0"));
        await projection.RegisterProductAsync(CatalogProjectionTests.Registration("finance", "consolidated", "0.1.0"));

        // Act
        var products = await new CatalogReader(storage).ListProductsAsync();

        // Assert
        Assert.Equal(["finance.consolidated", "finance.ledger-emea", "treasury.fx-rates"], products.Select(p => p.ProductId));
        Assert.Null(products[0].LatestRelease);
        Assert.Equal("0.1.0", products[0].DeclaredVersion);
        Assert.Equal(1, products[1].LatestRelease);
    }

    [Fact]
    public async Task GetReleasesAsync_PublishedRelease_ReturnsQualityAndLineageAsPublished()
    {
        // Arrange
        var storage = azurite.CreateMeshStorage();
        var data = SampleEvents.Published(release: 4);
        await new CatalogProjection(storage).ApplyAsync(ProductEventFactory.CreateProductVersionPublished(data));

        // Act
        var release = Assert.Single(await new CatalogReader(storage).GetReleasesAsync("finance.ledger-emea"));

        // Assert
        Assert.Equal((data.ProductId, data.Version, data.Release, data.RunId, data.Location, data.Rows, data.SchemaHash), (release.ProductId, release.Version, release.Release, release.RunId, release.Location, release.Rows, release.SchemaHash));
        Assert.True(release.QualityPassed);
        Assert.Equal(data.Quality.Rules, release.Quality!.Rules);
        Assert.Equal(data.Upstream, release.Upstream);
        Assert.Equal(data.Landing, release.Landing);
        Assert.Equal((0, 0, 0), (release.QualityRulesOmitted, release.UpstreamOmitted, release.LandingOmitted));
        Assert.Equal(data.PublishedAt, release.PublishedAt);
    }

    [Fact]
    public async Task GetReleasesAsync_OtherProductsPublished_ReturnsOnlyThatProduct()
    {
        // Arrange
        var storage = azurite.CreateMeshStorage();
        var projection = new CatalogProjection(storage);
        await projection.ApplyAsync(ProductEventFactory.CreateProductVersionPublished(SampleEvents.Published(domain: "finance", name: "ledger-emea")));
        await projection.ApplyAsync(ProductEventFactory.CreateProductVersionPublished(SampleEvents.Published(domain: "finance", name: "ledger-apac")));

        // Act
        var releases = await new CatalogReader(storage).GetReleasesAsync("finance.ledger-apac");

        // Assert
        Assert.Equal("finance.ledger-apac", Assert.Single(releases).ProductId);
    }

    [Fact]
    public async Task GetProductAsync_Published_SerializesToCamelCaseJson()
    {
        // Arrange
        var storage = azurite.CreateMeshStorage();
        await new CatalogProjection(storage).ApplyAsync(ProductEventFactory.CreateProductVersionPublished(SampleEvents.Published(release: 2)));
        var product = await new CatalogReader(storage).GetProductAsync("finance.ledger-emea");

        // Act
        using var document = JsonDocument.Parse(JsonSerializer.Serialize(product, JsonSerializerOptions.Web));

        // Assert
        Assert.Equal("finance.ledger-emea", document.RootElement.GetProperty("productId").GetString());
        Assert.Equal(2, document.RootElement.GetProperty("latestRelease").GetInt32());
    }

    [Theory]
    [InlineData("ledger-emea")]
    [InlineData("finance.")]
    [InlineData(".ledger-emea")]
    public async Task GetProductAsync_IdWithoutDomainAndName_ThrowsArgumentExceptionShowingTheForm(string productId)
    {
        // Arrange
        var reader = new CatalogReader(azurite.CreateMeshStorage());

        // Act
        var error = await Assert.ThrowsAsync<ArgumentException>(() => reader.GetProductAsync(productId));

        // Assert
        Assert.Contains("<domain>.<name>", error.Message, StringComparison.Ordinal);
    }
}
