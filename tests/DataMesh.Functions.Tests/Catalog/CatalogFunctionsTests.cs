using System.Net;
using System.Text;
using System.Text.Json;
using DataMesh.Catalog;
using DataMesh.Events;
using DataMesh.Functions.Catalog;
using DataMesh.Pipeline;
using DataMesh.Storage;
using DataMesh.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace DataMesh.Functions.Tests.Catalog;

/// <summary>The catalog functions called directly, over real tables in Azurite: a queued event in, the HTTP API out.</summary>
[Collection("azurite")]
public sealed class CatalogFunctionsTests(AzuriteFixture azurite)
{
    private readonly MeshStorage _storage = azurite.CreateStorage();

    [Fact]
    public async Task GetProduct_AfterPublishedEventProjected_ReturnsProductAndReleasesInCamelCase()
    {
        // Arrange: the event arrives as Event Grid writes it to the queue (Base64).
        await ProjectAsync(Published(release: 1));
        await ProjectAsync(Published(release: 2));
        var api = new CatalogApi(new CatalogReader(_storage));

        // Act
        var response = await api.GetProductAsync(Request("products/finance.ledger-emea"), "finance.ledger-emea", CancellationToken.None);

        // Assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(response.Headers.GetValues("Content-Type"), v => v.StartsWith("application/json", StringComparison.Ordinal));
        using var body = Json(response);
        var product = body.RootElement.GetProperty("product");
        Assert.Equal("finance.ledger-emea", product.GetProperty("productId").GetString());
        Assert.Equal(2, product.GetProperty("latestRelease").GetInt32());
        var releases = body.RootElement.GetProperty("releases").EnumerateArray().ToList();
        Assert.Equal([2, 1], releases.Select(r => r.GetProperty("release").GetInt32()));
        Assert.Equal("1.2.0", releases[0].GetProperty("version").GetString());
    }

    [Fact]
    public async Task ListProducts_AfterPublishedEventProjected_ListsTheProduct()
    {
        // Arrange
        await ProjectAsync(Published(release: 1));
        var api = new CatalogApi(new CatalogReader(_storage));

        // Act
        var response = await api.ListProductsAsync(Request("products"), CancellationToken.None);

        // Assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = Json(response);
        var product = Assert.Single(body.RootElement.EnumerateArray());
        Assert.Equal("finance.ledger-emea", product.GetProperty("productId").GetString());
    }

    [Fact]
    public async Task ListProducts_EmptyCatalog_ReturnsEmptyArray()
    {
        // Arrange
        var api = new CatalogApi(new CatalogReader(_storage));

        // Act
        var response = await api.ListProductsAsync(Request("products"), CancellationToken.None);

        // Assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = Json(response);
        Assert.Equal(0, body.RootElement.GetArrayLength());
    }

    [Fact]
    public async Task GetProduct_UnknownId_Returns404WithJsonError()
    {
        // Arrange
        var api = new CatalogApi(new CatalogReader(_storage));

        // Act
        var response = await api.GetProductAsync(Request("products/finance.nothing"), "finance.nothing", CancellationToken.None);

        // Assert
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        using var body = Json(response);
        Assert.Contains("finance.nothing", body.RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal("finance.nothing", body.RootElement.GetProperty("productId").GetString());
    }

    [Fact]
    public async Task GetProduct_IdWithoutDomain_Returns400WithJsonError()
    {
        // Arrange
        var api = new CatalogApi(new CatalogReader(_storage));

        // Act
        var response = await api.GetProductAsync(Request("products/ledger"), "ledger", CancellationToken.None);

        // Assert
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var body = Json(response);
        Assert.Contains("<domain>.<name>", body.RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CatalogProjection_MalformedBody_ThrowsSoItReachesThePoisonQueue()
    {
        // Arrange
        var function = new CatalogProjectionFunction(new CatalogProjection(_storage), NullLogger<CatalogProjectionFunction>.Instance);

        // Act and assert
        await Assert.ThrowsAsync<FormatException>(() => function.RunAsync("not a cloud event", CancellationToken.None));
    }

    private async Task ProjectAsync(ProductVersionPublishedData data)
    {
        var function = new CatalogProjectionFunction(new CatalogProjection(_storage), NullLogger<CatalogProjectionFunction>.Instance);
        var json = JsonSerializer.Serialize(ProductEventFactory.CreateProductVersionPublished(data));
        await function.RunAsync(Convert.ToBase64String(Encoding.UTF8.GetBytes(json)), CancellationToken.None);
    }

    private static TestHttpRequest Request(string route) => new($"http://localhost:7071/api/{route}");

    private static JsonDocument Json(Microsoft.Azure.Functions.Worker.Http.HttpResponseData response)
    {
        response.Body.Position = 0;
        return JsonDocument.Parse(response.Body);
    }

    private static ProductVersionPublishedData Published(int release) => new()
    {
        ProductId = "finance.ledger-emea",
        Domain = "finance",
        Name = "ledger-emea",
        Version = "1.2.0",
        Release = release,
        RunId = $"finance.ledger-emea-run{release}",
        Location = $"https://stfinance.blob.core.windows.net/products/ledger-emea/1.2.0/{release}/",
        Rows = 100L * release,
        SchemaHash = "ab12cd34",
        Quality = new QualitySummary(true, 100L * release, [new QualityRuleResult("entry_id_unique", "entry_id", "duplicateCount", "error", 0m, "rows", "= 0", true, 0)]),
        Landing = [new LandingBlob("landing", "ledger/emea/2026-10.csv", "\"0x8DE\"", 2048, "e3b0c442")],
        PublishedAt = new DateTimeOffset(2026, 10, 31, 18, release, 0, TimeSpan.Zero),
    };
}
