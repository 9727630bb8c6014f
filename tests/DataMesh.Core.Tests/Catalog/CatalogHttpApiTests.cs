using System.Text.Json;
using DataMesh.Catalog;
using DataMesh.Core.Tests.Events;
using DataMesh.Events;
using DataMesh.Pipeline;
using DataMesh.Storage;
using DataMesh.Testing;

namespace DataMesh.Core.Tests.Catalog;

/// <summary>The host-neutral catalog API over real tables in Azurite: search and paging, detail, releases, runs, lineage, problems, OpenAPI.</summary>
[Collection("azurite")]
public sealed class CatalogHttpApiTests(AzuriteFixture azurite)
{
    private readonly MeshStorage _storage = azurite.CreateMeshStorage();

    [Fact]
    public async Task ListProducts_25ProductsPageSize10_ThreePagesWithoutDuplicatesOrGaps()
    {
        // Arrange
        await new CatalogProjection(_storage).RegisterProductsAsync(Enumerable.Range(0, 25).Select(i => Product($"d{i % 3}", $"p{i:D2}")));
        var seen = new List<string>();
        var sizes = new List<int>();
        string? token = null;

        // Act
        do
        {
            var query = "?pageSize=10" + (token is null ? "" : "&continuationToken=" + Uri.EscapeDataString(token));
            using var page = await OkAsync("/api/products", query);
            var items = page.RootElement.GetProperty("items").EnumerateArray().Select(p => p.GetProperty("productId").GetString()!).ToList();
            sizes.Add(items.Count);
            seen.AddRange(items);
            token = page.RootElement.GetProperty("continuationToken").GetString();
        }
        while (token is not null && sizes.Count < 10);

        // Assert
        Assert.Equal([10, 10, 5], sizes);
        Assert.Equal(25, seen.Distinct().Count());
        Assert.Equal(Enumerable.Range(0, 25).Select(i => $"d{i % 3}.p{i:D2}").Order(StringComparer.Ordinal), seen.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("?domain=marketing", "marketing.campaigns")]
    [InlineData("?tag=LEDGER", "finance.ledger-emea,finance.ledger-us")]
    [InlineData("?owner=growth@example.com", "marketing.campaigns")]
    [InlineData("?owner=finance%20emea", "finance.ledger-emea,finance.ledger-us")]
    [InlineData("?classification=pii", "finance.ledger-us,marketing.campaigns")]
    [InlineData("?q=campaign", "marketing.campaigns")]
    [InlineData("?q=ledger&classification=pii", "finance.ledger-us")]
    [InlineData("?domain=finance&tag=ledger&pageSize=1", "finance.ledger-emea")]
    [InlineData("?q=nothing-like-this", "")]
    public async Task ListProducts_Filters_ReturnOnlyMatchingProducts(string query, string expected)
    {
        // Arrange
        await SeedThreeProductsAsync();

        // Act
        using var page = await OkAsync("/api/products", query);

        // Assert
        Assert.Equal(
            expected.Split(',', StringSplitOptions.RemoveEmptyEntries),
            page.RootElement.GetProperty("items").EnumerateArray().Select(p => p.GetProperty("productId").GetString()));
    }

    [Theory]
    [InlineData("?q=%27%20or%20PartitionKey%20ne%20%27")]
    [InlineData("?q=x%27)%20or%20(RowKey%20ne%20%27")]
    [InlineData("?owner=%27%20or%201%20eq%201%20or%20%27")]
    [InlineData("?tag=ledger%27%20or%20%27a%27%20eq%20%27a")]
    public async Task ListProducts_FilterInjectionInTextParameters_MatchesNothingAndChangesNothing(string query)
    {
        // Arrange
        await SeedThreeProductsAsync();
        var before = await CatalogBatchesTests.CountAsync(_storage.Table(CatalogTables.Products));

        // Act
        using var page = await OkAsync("/api/products", query);

        // Assert
        Assert.Equal(0, page.RootElement.GetProperty("items").GetArrayLength());
        Assert.Equal(before, await CatalogBatchesTests.CountAsync(_storage.Table(CatalogTables.Products)));
    }

    [Theory]
    [InlineData("/api/products", "?domain=finance%27%20or%20PartitionKey%20ne%20%27", "domain")]
    [InlineData("/api/products", "?classification=pii%27%20or%20%27", "classification")]
    [InlineData("/api/products/finance.x%27%20or%20%271%27%20eq%20%271", "", "product id")]
    [InlineData("/api/products/finance.ledger-emea%27%29%20or%20true", "", "product id")]
    [InlineData("/api/products/finance.ledger-emea/releases/1.2.0%27%20or%20%27/1", "", "semantic version")]
    public async Task Handle_FilterInjectionInKeysAndIds_Refused400(string path, string query, string named)
    {
        // Arrange
        await SeedThreeProductsAsync();

        // Act
        var response = await Api().HandleAsync("GET", path, query);

        // Assert
        using var problem = Problem(response, 400);
        Assert.Contains(named, problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/api/products", "?pageSize=101", "pageSize")]
    [InlineData("/api/products", "?pageSize=0", "pageSize")]
    [InlineData("/api/products", "?pageSize=ten", "pageSize")]
    [InlineData("/api/products", "?sort=name", "'sort' is not accepted")]
    [InlineData("/api/products", "?tag=a&tag=b", "more than once")]
    [InlineData("/api/products", "?continuationToken=not-a-token", "continuation token")]
    [InlineData("/api/products/ledger", "", "<domain>.<name>")]
    [InlineData("/api/products/finance.ledger-emea/lineage", "?depth=6", "depth")]
    [InlineData("/api/products/finance.ledger-emea/lineage", "?depth=0", "depth")]
    [InlineData("/api/products/finance.ledger-emea/lineage", "?direction=sideways", "direction")]
    [InlineData("/api/products/finance.ledger-emea/releases/1.2.0/zero", "", "release number")]
    [InlineData("/api/products/finance.ledger-emea/runs", "?limit=1000", "limit")]
    public async Task Handle_BadParameters_Returns400ProblemNamingTheParameter(string path, string query, string named)
    {
        // Act
        var response = await Api().HandleAsync("GET", path, query);

        // Assert
        using var problem = Problem(response, 400);
        Assert.Contains(named, problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ListProducts_OversizedQueryString_Returns400()
    {
        // Act
        var response = await Api().HandleAsync("GET", "/api/products", "?q=" + new string('a', CatalogHttpApi.MaxQueryStringLength));

        // Assert
        using var problem = Problem(response, 400);
        Assert.Equal("Query string too long", problem.RootElement.GetProperty("title").GetString());
    }

    [Fact]
    public async Task ListProducts_TokenOfAnotherSearch_Returns400()
    {
        // Arrange
        await new CatalogProjection(_storage).RegisterProductsAsync(Enumerable.Range(0, 3).Select(i => Product("finance", $"p{i}")));
        using var first = await OkAsync("/api/products", "?pageSize=1&domain=finance");
        var token = first.RootElement.GetProperty("continuationToken").GetString()!;

        // Act
        var response = await Api().HandleAsync("GET", "/api/products", "?pageSize=1&tag=ledger&continuationToken=" + Uri.EscapeDataString(token));

        // Assert
        using var problem = Problem(response, 400);
        Assert.Contains("another search", problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/api/products/finance.nothing")]
    [InlineData("/api/products/finance.nothing/releases")]
    [InlineData("/api/products/finance.nothing/runs")]
    [InlineData("/api/products/finance.nothing/lineage")]
    [InlineData("/api/products/finance.nothing/quality")]
    [InlineData("/api/products/finance.nothing/releases/1.0.0/1")]
    public async Task Handle_UnknownProduct_Returns404ProblemNamingIt(string path)
    {
        // Act
        var response = await Api().HandleAsync("GET", path, "");

        // Assert
        using var problem = Problem(response, 404);
        var root = problem.RootElement;
        Assert.Equal("urn:datamesh:catalog:problem:product-not-found", root.GetProperty("type").GetString());
        Assert.Equal("Product not found", root.GetProperty("title").GetString());
        Assert.Equal(404, root.GetProperty("status").GetInt32());
        Assert.Contains("'finance.nothing' is not in the catalog", root.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal("finance.nothing", root.GetProperty("productId").GetString());
        Assert.Equal(path, root.GetProperty("instance").GetString());
    }

    [Fact]
    public async Task GetRelease_UnknownReleaseOfKnownProduct_Returns404NamingTheRelease()
    {
        // Arrange
        await new CatalogProjection(_storage).ApplyAsync(ProductEventFactory.CreateProductVersionPublished(SampleEvents.Published(release: 1)));

        // Act
        var response = await Api().HandleAsync("GET", "/api/products/finance.ledger-emea/releases/1.2.0/7", "", DataMesh.Consumption.DataReader.Operator);

        // Assert
        using var problem = Problem(response, 404);
        Assert.Equal("Release not found", problem.RootElement.GetProperty("title").GetString());
        Assert.Contains("1.2.0 #7", problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Handle_UnknownRouteOrMethod_Returns404Or405Problem()
    {
        // Act
        var unknown = await Api().HandleAsync("GET", "/api/things", "");
        var post = await Api().HandleAsync("POST", "/api/products", "");

        // Assert
        Problem(unknown, 404).Dispose();
        Problem(post, 405).Dispose();
    }

    [Fact]
    public async Task GetProduct_RegisteredAndPublished_ReturnsContractSlaLatestReleaseAndRuns()
    {
        // Arrange
        var projection = new CatalogProjection(_storage);
        await projection.RegisterProductAsync(Product("finance", "ledger-emea", classification: "pii") with { Freshness = "P1D" });
        await projection.ApplyAsync(ProductEventFactory.CreateProductVersionPublished(SampleEvents.Published(release: 2)));
        await projection.ApplyAsync(ProductEventFactory.CreateProductVersionPublished(SampleEvents.Published(release: 1)));
        await projection.ApplyAsync(ProductEventFactory.CreatePipelineRunFailed(SampleEvents.RunFailed(runId: "run-f1")));

        // Act
        using var detail = await OkAsync("/api/products/finance.ledger-emea", "");

        // Assert
        var root = detail.RootElement;
        Assert.Equal("finance.ledger-emea", root.GetProperty("product").GetProperty("productId").GetString());
        Assert.Equal("Finance EMEA", root.GetProperty("owner").GetProperty("team").GetString());
        Assert.Equal("P1D", root.GetProperty("sla").GetProperty("freshness").GetString());
        Assert.Equal(root.GetProperty("freshness").GetString(), root.GetProperty("sla").GetProperty("status").GetString());
        var column = root.GetProperty("contract").GetProperty("columns").EnumerateArray().Single(c => c.GetProperty("name").GetString() == "email");
        Assert.Equal("pii", column.GetProperty("classification").GetString());
        Assert.Equal(["internal", "pii"], root.GetProperty("contract").GetProperty("classifications").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal(2, root.GetProperty("latestRelease").GetProperty("release").GetInt32());
        Assert.Equal("ab12cd34", root.GetProperty("latestRelease").GetProperty("schemaHash").GetString());
        Assert.Equal([2, 1], root.GetProperty("releases").EnumerateArray().Select(r => r.GetProperty("release").GetInt32()));
        Assert.Contains(root.GetProperty("runs").EnumerateArray(), r => r.GetProperty("status").GetString() == CatalogRunStatus.Failed);
    }

    [Fact]
    public async Task ReleasesAndRuns_AfterPublishedAndFailedRuns_ListReleasesAndEveryRunWithItsReason()
    {
        // Arrange
        var projection = new CatalogProjection(_storage);
        await projection.ApplyAsync(ProductEventFactory.CreateProductVersionPublished(SampleEvents.Published(release: 1)));
        await projection.ApplyAsync(ProductEventFactory.CreateQualityCheckFailed(SampleEvents.QualityFailed(runId: "run-q1")));
        await projection.ApplyAsync(ProductEventFactory.CreatePipelineRunFailed(SampleEvents.RunFailed(runId: "run-f1")));

        // Act
        using var releases = await OkAsync("/api/products/finance.ledger-emea/releases", "");
        using var release = await OkAsync("/api/products/finance.ledger-emea/releases/1.2.0/1", "");
        using var runs = await OkAsync("/api/products/finance.ledger-emea/runs", "?limit=10");
        using var quality = await OkAsync("/api/products/finance.ledger-emea/quality", "");

        // Assert
        Assert.Equal(1, releases.RootElement.GetProperty("items").GetArrayLength());
        Assert.Equal(100, release.RootElement.GetProperty("rows").GetInt64());
        Assert.EndsWith("/1.2.0/1/", release.RootElement.GetProperty("location").GetString(), StringComparison.Ordinal);
        Assert.True(release.RootElement.GetProperty("quality").GetProperty("passed").GetBoolean());
        var items = runs.RootElement.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal([CatalogRunStatus.Failed, CatalogRunStatus.QualityFailed, CatalogRunStatus.Published], items.Select(r => r.GetProperty("status").GetString()));
        Assert.Contains("amout", items[0].GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Contains("amount_not_null", items[1].GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal(["run-q1", "run-1.2.0-1"], quality.RootElement.GetProperty("items").EnumerateArray().Select(q => q.GetProperty("runId").GetString()));
    }

    [Theory]
    [InlineData("/runs")]
    [InlineData("/quality")]
    [InlineData("/releases")]
    [InlineData("/releases/1.2.0/1")]
    public async Task HistoryRoutes_CallerTheAccessDoesNotLetRead_Refused403LikeTheRowsRoute(string route)
    {
        // Arrange: a restricted product (readers: sales) with a release and a run stopped at the gate with a failed-row sample.
        await SeedRestrictedHistoryAsync();
        var path = "/api/products/finance.ledger-emea" + route;

        // Act
        var anonymous = await Api().HandleAsync("GET", path, "");
        var otherDomain = await Api().HandleAsync("GET", path, "", DataMesh.Consumption.DataReader.ForDomain("marketing"));
        var reader = await Api().HandleAsync("GET", path, "", DataMesh.Consumption.DataReader.ForDomain("sales"));

        // Assert
        using (var refused = Problem(anonymous, 403))
        {
            Assert.Contains("restricted to domain finance and sales", refused.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        Problem(otherDomain, 403).Dispose();
        Assert.DoesNotContain(SecretSample, anonymous.Body + otherDomain.Body, StringComparison.Ordinal);
        Assert.Equal(200, reader.StatusCode);
    }

    [Fact]
    public async Task GetProduct_CallerTheAccessDoesNotLetRead_ShowsTheProductButWithholdsReleasesRunsAndSamples()
    {
        // Arrange
        await SeedRestrictedHistoryAsync();

        // Act
        var anonymous = await Api().HandleAsync("GET", "/api/products/finance.ledger-emea", "");
        var reader = await Api().HandleAsync("GET", "/api/products/finance.ledger-emea", "", DataMesh.Consumption.DataReader.ForDomain("sales"));

        // Assert
        Assert.Equal(200, anonymous.StatusCode);
        Assert.DoesNotContain(SecretSample, anonymous.Body, StringComparison.Ordinal);
        using var withheld = JsonDocument.Parse(anonymous.Body);
        Assert.Equal("finance.ledger-emea", withheld.RootElement.GetProperty("product").GetProperty("productId").GetString());
        Assert.Equal((0, 0), (withheld.RootElement.GetProperty("releases").GetArrayLength(), withheld.RootElement.GetProperty("runs").GetArrayLength()));
        Assert.Equal(JsonValueKind.Null, withheld.RootElement.GetProperty("latestRelease").ValueKind);
        Assert.Contains("restricted", withheld.RootElement.GetProperty("historyWithheld").GetString(), StringComparison.Ordinal);
        Assert.Contains(SecretSample, reader.Body, StringComparison.Ordinal);
        using var shown = JsonDocument.Parse(reader.Body);
        Assert.Equal(JsonValueKind.Null, shown.RootElement.GetProperty("historyWithheld").ValueKind);
    }

    private const string SecretSample = "6.304,65";

    private async Task SeedRestrictedHistoryAsync()
    {
        var projection = new CatalogProjection(_storage);
        await projection.RegisterProductAsync(Product("finance", "ledger-emea") with { Visibility = "restricted", Readers = ["sales"] });
        await projection.ApplyAsync(ProductEventFactory.CreateProductVersionPublished(SampleEvents.Published(release: 1)));
        var failed = SampleEvents.QualityFailed(runId: "run-q1");
        var rules = failed.Quality!.Rules.Select(r => r with { Samples = [new Dictionary<string, string?> { ["salary"] = SecretSample }] }).ToList();
        await projection.ApplyAsync(ProductEventFactory.CreateQualityCheckFailed(failed with
        {
            Quality = failed.Quality with { Rules = rules },
            Error = $"Could not convert string \"{SecretSample}\" to DECIMAL",
        }));
    }

    [Fact]
    public async Task GetLineage_ChainOfFourProducts_WalksTwoHopsEachWayAndNoFurther()
    {
        // Arrange: a -> b -> c -> d -> e; b, c and d declare their input, e's edge is observed in its release.
        var projection = new CatalogProjection(_storage);
        await projection.RegisterProductsAsync(
        [
            Product("mesh", "a"),
            Product("mesh", "b") with { Inputs = ["mesh.a"] },
            Product("mesh", "c") with { Inputs = ["mesh.b"] },
            Product("mesh", "d") with { Inputs = ["mesh.c"] },
        ]);
        await projection.ApplyAsync(ProductEventFactory.CreateProductVersionPublished(
            SampleEvents.Published(domain: "mesh", name: "e") with { Upstream = [new UpstreamRelease("mesh.d", "1.0.0", 3)] }));

        // Act
        using var upstream = await OkAsync("/api/products/mesh.c/lineage", "?direction=upstream&depth=2");
        using var downstream = await OkAsync("/api/products/mesh.c/lineage", "?direction=downstream&depth=2");
        using var both = await OkAsync("/api/products/mesh.c/lineage", "?depth=1");

        // Assert
        Assert.Equal([("mesh.b", 1), ("mesh.a", 2)], Nodes(upstream));
        Assert.Equal([("mesh.d", 1), ("mesh.e", 2)], Nodes(downstream));
        Assert.Equal([("mesh.b", 1), ("mesh.d", 1)], Nodes(both));
        var observed = downstream.RootElement.GetProperty("edges").EnumerateArray().Single(e => e.GetProperty("downstream").GetString() == "mesh.e");
        Assert.True(observed.GetProperty("observed").GetBoolean());
        Assert.False(observed.GetProperty("declared").GetBoolean());
        Assert.Equal(2, downstream.RootElement.GetProperty("edges").GetArrayLength());
    }

    [Fact]
    public async Task GetLineage_SampleMeshRegistered_ServesColumnSourcesAndReadersAcrossDomains()
    {
        // Arrange: the shipped samples, registered as `up` does; sales.campaign-attribution reads marketing's product.
        var specs = global::DataMesh.Specs.ProductSpecLoader.FindProductDirectories(Governance.RepositoryFiles.Pipelines).Select(global::DataMesh.Specs.ProductSpecLoader.Load).ToList();
        await new CatalogProjection(_storage).RegisterProductsAsync(ProductRegistration.FromSpecs(specs, specs));

        // Act
        using var upstream = await OkAsync("/api/products/marketing.campaign-performance/lineage", "");
        using var consumer = await OkAsync("/api/products/sales.campaign-attribution/lineage", "");

        // Assert
        var columns = upstream.RootElement.GetProperty("columns").EnumerateArray().ToDictionary(c => c.GetProperty("column").GetString()!);
        var spendReader = Assert.Single(columns["spend"].GetProperty("readers").EnumerateArray());
        Assert.Equal("sales.campaign-attribution", spendReader.GetProperty("productId").GetString());
        Assert.Equal("campaigns", spendReader.GetProperty("input").GetString());
        Assert.Equal(["spend", "return_on_spend"], spendReader.GetProperty("outputs").EnumerateArray().Select(o => o.GetString()));
        Assert.Empty(columns["impressions"].GetProperty("readers").EnumerateArray());
        Assert.Equal(["clicks", "impressions"], columns["click_through_rate"].GetProperty("sources").EnumerateArray().Select(s => s.GetProperty("column").GetString()!).Order());
        var spend = consumer.RootElement.GetProperty("columns").EnumerateArray().Single(c => c.GetProperty("column").GetString() == "spend");
        var source = Assert.Single(spend.GetProperty("sources").EnumerateArray());
        Assert.Equal("marketing.campaign-performance", source.GetProperty("product").GetString());
        Assert.Equal("AGGREGATION", source.GetProperty("subtype").GetString());
        Assert.Empty(consumer.RootElement.GetProperty("columnNotes").EnumerateArray());
    }

    [Fact]
    public async Task GetOpenApiDocument_DescribesEveryRouteWithItsParameters()
    {
        // Act
        using var document = await OkAsync("/api/openapi.json", "");

        // Assert
        var root = document.RootElement;
        Assert.StartsWith("3.", root.GetProperty("openapi").GetString(), StringComparison.Ordinal);
        var paths = root.GetProperty("paths");
        Assert.Equal(CatalogHttpApi.Routes.Count + 1, paths.EnumerateObject().Count());
        Assert.Equal("RegisterProducts", paths.GetProperty("/api/registrations").GetProperty("post").GetProperty("operationId").GetString());
        foreach (var route in CatalogHttpApi.Routes)
        {
            var get = paths.GetProperty($"/api/{route.Template}").GetProperty("get");
            Assert.Equal(route.OperationId, get.GetProperty("operationId").GetString());
            var parameters = get.GetProperty("parameters").EnumerateArray().Where(p => p.GetProperty("in").GetString() != "header").Select(p => p.GetProperty("name").GetString()).ToList();
            Assert.Equal(route.Segments.Where(s => s.StartsWith('{')).Select(s => s[1..^1]).Concat(route.QueryParameters), parameters);
            Assert.True(get.GetProperty("responses").TryGetProperty("200", out _));
        }

        var file = paths.GetProperty("/api/products/{id}/releases/{version}/{release}/files");
        Assert.Contains(file.GetProperty("get").GetProperty("parameters").EnumerateArray(), p => p.GetProperty("name").GetString() == "Range" && p.GetProperty("in").GetString() == "header");
        Assert.True(file.GetProperty("get").GetProperty("responses").TryGetProperty("206", out _));
        Assert.True(file.GetProperty("get").GetProperty("responses").TryGetProperty("416", out _));
        Assert.Equal("HeadReleaseFile", file.GetProperty("head").GetProperty("operationId").GetString());

        foreach (var reference in Refs(root))
        {
            Assert.True(root.GetProperty("components").GetProperty("schemas").TryGetProperty(reference["#/components/schemas/".Length..], out _), reference);
        }
    }

    private static List<(string?, int)> Nodes(JsonDocument lineage) =>
        [.. lineage.RootElement.GetProperty("nodes").EnumerateArray().Select(n => (n.GetProperty("productId").GetString(), n.GetProperty("hops").GetInt32()))];

    private static IEnumerable<string> Refs(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => element.EnumerateObject().SelectMany(p => p.Name == "$ref" ? [p.Value.GetString()!] : Refs(p.Value)),
        JsonValueKind.Array => element.EnumerateArray().SelectMany(Refs),
        _ => [],
    };

    private async Task SeedThreeProductsAsync()
    {
        await new CatalogProjection(_storage).RegisterProductsAsync(
        [
            Product("finance", "ledger-emea", tags: ["finance", "ledger"]),
            Product("finance", "ledger-us", tags: ["ledger"], classification: "pii") with { Description = "US general ledger." },
            Product("marketing", "campaigns", tags: ["growth"], classification: "pii") with { OwnerTeam = "Growth", OwnerEmail = "growth@example.com", Description = "Campaign spend." },
        ]);
    }

    private static ProductRegistration Product(string domain, string name, IReadOnlyList<string>? tags = null, string classification = "internal") =>
        CatalogProjectionTests.Registration(domain, name, "1.0.0") with
        {
            Tags = tags ?? ["finance"],
            Columns =
            [
                new CatalogColumn { Object = name, Name = "id", LogicalType = "string", Required = true, PrimaryKey = true, Classification = "internal" },
                new CatalogColumn { Object = name, Name = "email", LogicalType = "string", Classification = classification },
            ],
        };

    private CatalogHttpApi Api() => new(new CatalogReader(_storage));

    private async Task<JsonDocument> OkAsync(string path, string query)
    {
        var response = await Api().HandleAsync("GET", path, query, DataMesh.Consumption.DataReader.Operator);
        Assert.True(response.StatusCode == 200, $"{response.StatusCode}: {response.Body}");
        Assert.StartsWith("application/json", response.ContentType, StringComparison.Ordinal);
        return JsonDocument.Parse(response.Body);
    }

    private static JsonDocument Problem(CatalogApiResponse response, int status)
    {
        Assert.True(response.StatusCode == status, $"{response.StatusCode}: {response.Body}");
        Assert.StartsWith("application/problem+json", response.ContentType, StringComparison.Ordinal);
        var document = JsonDocument.Parse(response.Body);
        Assert.Equal(status, document.RootElement.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(document.RootElement.GetProperty("title").GetString()));
        return document;
    }
}
