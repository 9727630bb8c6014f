using System.Net;
using System.Text;
using System.Text.Json;
using DataMesh.Catalog;
using DataMesh.Events;
using DataMesh.Functions.Catalog;
using DataMesh.Functions.Configuration;
using DataMesh.Pipeline;
using DataMesh.Storage;
using DataMesh.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using static DataMesh.Functions.Tests.TestHttp;

namespace DataMesh.Functions.Tests.Catalog;

/// <summary>The catalog functions called directly, over real tables in Azurite: a queued event in, the HTTP API out.</summary>
[Collection("azurite")]
public sealed class CatalogFunctionsTests(AzuriteFixture azurite)
{
    private readonly MeshStorage _storage = azurite.CreateSingleAccountStorage();

    [Fact]
    public async Task GetProduct_AfterPublishedEventProjected_ReturnsProductAndReleasesInCamelCase()
    {
        // Arrange: the event arrives as Event Grid writes it to the queue (Base64).
        await ProjectAsync(Published(release: 1));
        await ProjectAsync(Published(release: 2));
        var api = Api();

        // Act
        var response = await api.GetProductAsync(Request("products/finance.ledger-emea"), "finance.ledger-emea", CancellationToken.None);

        // Assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(response.Headers.GetValues("Content-Type"), v => v.StartsWith("application/json", StringComparison.Ordinal));
        using var body = BodyJson(response);
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
        var api = Api();

        // Act
        var response = await api.ListProductsAsync(Request("products"), CancellationToken.None);

        // Assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = BodyJson(response);
        var product = Assert.Single(body.RootElement.GetProperty("items").EnumerateArray());
        Assert.Equal("finance.ledger-emea", product.GetProperty("productId").GetString());
    }

    [Fact]
    public async Task ListProducts_EmptyCatalog_ReturnsEmptyArray()
    {
        // Arrange
        var api = Api();

        // Act
        var response = await api.ListProductsAsync(Request("products"), CancellationToken.None);

        // Assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = BodyJson(response);
        Assert.Equal(0, body.RootElement.GetProperty("items").GetArrayLength());
        Assert.Equal(JsonValueKind.Null, body.RootElement.GetProperty("continuationToken").ValueKind);
    }

    [Fact]
    public async Task GetProduct_UnknownId_Returns404WithJsonError()
    {
        // Arrange
        var api = Api();

        // Act
        var response = await api.GetProductAsync(Request("products/finance.nothing"), "finance.nothing", CancellationToken.None);

        // Assert
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        using var body = BodyJson(response);
        Assert.Contains("finance.nothing", body.RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal("finance.nothing", body.RootElement.GetProperty("productId").GetString());
        Assert.Equal(404, body.RootElement.GetProperty("status").GetInt32());
        Assert.Equal("Product not found", body.RootElement.GetProperty("title").GetString());
        Assert.Contains(response.Headers.GetValues("Content-Type"), v => v.StartsWith("application/problem+json", StringComparison.Ordinal));
    }

    [Fact]
    public async Task GetProduct_IdWithoutDomain_Returns400WithJsonError()
    {
        // Arrange
        var api = Api();

        // Act
        var response = await api.GetProductAsync(Request("products/ledger"), "ledger", CancellationToken.None);

        // Assert
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var body = BodyJson(response);
        Assert.Contains("<domain>.<name>", body.RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CatalogProjection_MalformedBody_GoesToThePoisonQueueWithItsReason()
    {
        // Arrange
        var function = Function();

        // Act
        await function.RunAsync("not a cloud event", new TestFunctionContext(), CancellationToken.None);

        // Assert
        var poisoned = await SinglePoisonAsync();
        Assert.Equal("not a cloud event", poisoned.GetProperty("body").GetString());
        Assert.Contains("neither JSON nor Base64", poisoned.GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CatalogProjection_ForgedSource_GoesToThePoisonQueueAndRecordsNothing()
    {
        // Arrange: a marketing source announcing a finance release, as Event Grid would deliver it (Base64).
        var original = ProductEventFactory.CreateProductVersionPublished(Published(release: 1));
        var forged = new Azure.Messaging.CloudEvent("/domains/marketing/products/campaigns", original.Type, original.Data, original.DataContentType, Azure.Messaging.CloudEventDataFormat.Json)
        {
            Id = original.Id,
        };

        // Act
        await Function().RunAsync(Convert.ToBase64String(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(forged))), new TestFunctionContext(), CancellationToken.None);

        // Assert
        Assert.Contains("source does not match", (await SinglePoisonAsync()).GetProperty("reason").GetString(), StringComparison.Ordinal);
        using var body = BodyJson(await Api().ListProductsAsync(Request("products"), CancellationToken.None));
        Assert.Equal(0, body.RootElement.GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task CatalogProjection_UnknownType_GoesToThePoisonQueueNamingTheType()
    {
        // Arrange
        var original = ProductEventFactory.CreateProductVersionPublished(Published(release: 1));
        var unknown = new Azure.Messaging.CloudEvent(original.Source, "DataMesh.ProductRenamed", original.Data, original.DataContentType, Azure.Messaging.CloudEventDataFormat.Json)
        {
            Id = original.Id,
        };

        // Act
        await Function().RunAsync(JsonSerializer.Serialize(unknown), new TestFunctionContext(), CancellationToken.None);

        // Assert
        Assert.Contains("DataMesh.ProductRenamed", (await SinglePoisonAsync()).GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CatalogProjection_SameEventThreeTimes_OneRelease()
    {
        // Act
        await ProjectAsync(Published(release: 1));
        await ProjectAsync(Published(release: 1));
        await ProjectAsync(Published(release: 1));

        // Assert
        var response = await Api().ListReleasesAsync(Request("products/finance.ledger-emea/releases"), "finance.ledger-emea", CancellationToken.None);
        using var body = BodyJson(response);
        Assert.Equal(1, body.RootElement.GetProperty("items").GetArrayLength());
        Assert.False(await _storage.Queue(MeshStorage.CatalogEventsQueue + CatalogEventConsumer.PoisonSuffix).ExistsAsync());
    }

    [Fact]
    public async Task RunsAndProduct_CallerWithoutAValidatedToken_BothAnswer401()
    {
        // Arrange: App Service authentication is on, so sign-in is required (no function key stands in for it).
        await ProjectAsync(Published(release: 1));
        var api = Api();

        // Act
        var runs = await api.ListRunsAsync(AnonymousRequest("products/finance.ledger-emea/runs"), "finance.ledger-emea", CancellationToken.None);
        var detail = await api.GetProductAsync(AnonymousRequest("products/finance.ledger-emea"), "finance.ledger-emea", CancellationToken.None);

        // Assert: a signed-in caller the product's access refuses is CatalogSignInTests' (403, history withheld).
        Assert.Equal(HttpStatusCode.Unauthorized, runs.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, detail.StatusCode);
    }

    [Fact]
    public async Task GetLineage_DepthOutOfRange_Returns400Problem()
    {
        // Arrange
        var api = Api();

        // Act
        var response = await api.GetLineageAsync(Request("products/finance.ledger-emea/lineage?depth=9"), "finance.ledger-emea", CancellationToken.None);

        // Assert
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var body = BodyJson(response);
        Assert.Contains("depth", body.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetRelease_AfterPublishedEventProjected_ReturnsTheReleaseByPointRead()
    {
        // Arrange
        await ProjectAsync(Published(release: 1));
        var api = Api();

        // Act: the function key the host passes in the query string is not a catalog parameter.
        var response = await api.GetReleaseAsync(
            Request("products/finance.ledger-emea/releases/1.2.0/1?code=secret"), "finance.ledger-emea", "1.2.0", "1", CancellationToken.None);

        // Assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = BodyJson(response);
        Assert.Equal(100, body.RootElement.GetProperty("rows").GetInt64());
    }

    [Fact]
    public async Task GetOpenApiDocument_DescribesEveryHttpFunctionRouteWithItsMethods()
    {
        // Arrange: every HTTP function of the app as the Functions SDK reads it from the attributes (discovery in the
        // hub, release data in the domain apps, registrations to the hub), but for a domain's own pipeline operations
        // and the web catalog's pages, which are not the catalog API.
        string[] notTheCatalogApi = ["RunProduct", "CancelRun", "ShowQuarantined", "ReplayQuarantined", "Backfill", "CatalogWeb"];
        var functions = typeof(CatalogApi).Assembly.GetTypes().SelectMany(t => t.GetMethods())
            .Select(m => (Name: m.GetCustomAttributes(typeof(Microsoft.Azure.Functions.Worker.FunctionAttribute), false).Cast<Microsoft.Azure.Functions.Worker.FunctionAttribute>().SingleOrDefault()?.Name,
                Trigger: m.GetParameters().Select(p => p.GetCustomAttributes(typeof(Microsoft.Azure.Functions.Worker.HttpTriggerAttribute), false).Cast<Microsoft.Azure.Functions.Worker.HttpTriggerAttribute>().SingleOrDefault()).OfType<Microsoft.Azure.Functions.Worker.HttpTriggerAttribute>().SingleOrDefault()))
            .Where(f => f.Name is not null && f.Trigger is not null && !notTheCatalogApi.Contains(f.Name))
            .ToList();
        var api = Api();

        // Act
        var response = await api.GetOpenApiDocumentAsync(Request("openapi.json"), CancellationToken.None);

        // Assert: each route is a path of the document, with an operation of each of its methods (the first named as its function).
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = BodyJson(response);
        var paths = body.RootElement.GetProperty("paths");
        Assert.Contains(functions, f => f.Name == "RegisterProducts");
        Assert.Equal(paths.EnumerateObject().Count(), functions.Count);
        Assert.All(functions, function =>
        {
            Assert.True(paths.TryGetProperty($"/api/{function.Trigger!.Route}", out var path), $"{function.Name}: /api/{function.Trigger!.Route} is not in the document");
            Assert.All(function.Trigger.Methods!, method => Assert.True(path.TryGetProperty(method.ToLowerInvariant(), out _), $"{function.Name}: no {method} operation"));
            Assert.Equal(function.Name, path.GetProperty(function.Trigger.Methods![0].ToLowerInvariant()).GetProperty("operationId").GetString());
        });
    }

    private CatalogProjectionFunction Function() =>
        new(new CatalogProjection(_storage), _storage, NullLogger<CatalogProjectionFunction>.Instance);

    private async Task<JsonElement> SinglePoisonAsync()
    {
        var messages = (await _storage.Queue(MeshStorage.CatalogEventsQueue + CatalogEventConsumer.PoisonSuffix).ReceiveMessagesAsync(10)).Value;
        return JsonDocument.Parse(Assert.Single(messages).Body.ToString()).RootElement.Clone();
    }

    private async Task ProjectAsync(ProductVersionPublishedData data)
    {
        var json = JsonSerializer.Serialize(ProductEventFactory.CreateProductVersionPublished(data));
        await Function().RunAsync(Convert.ToBase64String(Encoding.UTF8.GetBytes(json)), new TestFunctionContext(), CancellationToken.None);
    }

    /// <summary>The hub's catalog API behind App Service authentication (on).</summary>
    private CatalogApi Api() => new(new CatalogReader(_storage), new AppServiceAuthentication(enabled: true));

    /// <summary>A request of the mesh operator, as App Service authentication passes a validated token with that role.</summary>
    private static TestHttpRequest Request(string route) => AnonymousRequest(route).WithRole(DataMesh.Consumption.DataReader.OperatorRole);

    private static TestHttpRequest AnonymousRequest(string route) => new($"http://localhost:7071/api/{route}");

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
