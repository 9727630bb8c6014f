using System.Net;
using System.Text.Json;
using DataMesh.Catalog;
using DataMesh.Events;
using DataMesh.Functions.Catalog;
using DataMesh.Functions.Configuration;
using DataMesh.Pipeline;
using DataMesh.Storage;
using DataMesh.Testing;
using Microsoft.Extensions.Configuration;
using static DataMesh.Functions.Tests.TestHttp;

namespace DataMesh.Functions.Tests.Catalog;

/// <summary>
/// The release data functions as each app runs them, over real tables in Azurite: a domain app judges the caller App
/// Service authentication passed (and nobody else's claim), the hub redirects to the domain app that holds the release.
/// </summary>
[Collection("azurite")]
public sealed class ReleaseDataFunctionsTests(AzuriteFixture azurite)
{
    // workforce.payroll is restricted to workforce and its reader finance (pipelines/workforce/payroll/product.yaml).
    private const string Payroll = "products/workforce.payroll/releases/1.0.0/1/rows";
    private const string DomainApp = "https://func-workforce.azurewebsites.net/";

    private static readonly ProductRegistry Products = ProductRegistry.LoadFrom(RepositoryRoot.Combine("pipelines"));

    private readonly MeshStorage _storage = azurite.CreateSingleAccountStorage();

    [Fact]
    public async Task GetReleaseRows_ForgedClientPrincipalWhileAuthenticationIsOff_IsAnonymousAndAskedToAuthenticate()
    {
        // Arrange: no App Service authentication in front: anyone can send the header.
        var api = DomainApi(authentication: false);

        // Act
        var response = await api.GetReleaseRowsAsync(Request(Payroll, Principal("DataMesh.Domain.workforce")), "workforce.payroll", "1.0.0", "1", CancellationToken.None);

        // Assert
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("authentication-required", Body(response), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task GetReleaseRows_PublicProductWithoutAToken_401WithABearerChallengeOnDomainAppAndHub(bool hub)
    {
        // Arrange: finance.revenue-global is public; authentication is on, and the caller sent no token.
        var api = hub ? HubApi() : DomainApi(authentication: true);

        // Act
        var response = await api.GetReleaseRowsAsync(Request("products/finance.revenue-global/releases/1.0.0/1/rows", principal: null), "finance.revenue-global", "1.0.0", "1", CancellationToken.None);

        // Assert
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", response.Headers.GetValues("WWW-Authenticate").Single());
        Assert.Contains("authentication-required", Body(response), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetReleaseRows_PublicProductWithATokenButNoMeshRole_PassesTheAccessCheck()
    {
        // Arrange
        var api = DomainApi(authentication: true);

        // Act
        var response = await api.GetReleaseRowsAsync(Request("products/finance.revenue-global/releases/1.0.0/1/rows", Principal()), "finance.revenue-global", "1.0.0", "1", CancellationToken.None);

        // Assert: past authentication and access, the release is looked up (and this storage holds none).
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("release-not-found", Body(response), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetReleaseRows_ClientPrincipalWithAReaderRoleWhileAuthenticationIsOn_PassesTheAccessCheck()
    {
        // Arrange: the platform validated the token and wrote the header.
        var api = DomainApi(authentication: true);

        // Act
        var response = await api.GetReleaseRowsAsync(Request(Payroll, Principal("DataMesh.Domain.finance")), "workforce.payroll", "1.0.0", "1", CancellationToken.None);

        // Assert: past access, the release is looked up (and this storage holds none).
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("release-not-found", Body(response), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetReleaseRows_ClientPrincipalWithAnotherDomainsRoleWhileAuthenticationIsOn_IsRefusedNamingIt()
    {
        // Arrange
        var api = DomainApi(authentication: true);

        // Act
        var response = await api.GetReleaseRowsAsync(Request(Payroll, Principal("DataMesh.Domain.sales")), "workforce.payroll", "1.0.0", "1", CancellationToken.None);

        // Assert
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        using var problem = JsonDocument.Parse(Body(response));
        Assert.Contains("domain 'sales' may not read", problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetReleaseFile_HubKnowsTheDomainApp_Answers307WithTheLocationOfTheSameRequestThere()
    {
        // Arrange: the workforce app announced release 1.0.0 #1 with its own address.
        var published = ProductEventFactory.CreateProductVersionPublished(new ProductVersionPublishedData
        {
            ProductId = "workforce.payroll",
            Domain = "workforce",
            Name = "payroll",
            Version = "1.0.0",
            Release = 1,
            RunId = "run-1",
            Location = "https://stworkforce.blob.core.windows.net/products/payroll/1.0.0/1/",
            Rows = 10,
            SchemaHash = "ab12",
            Quality = new QualitySummary(true, 10, []),
            PublishedAt = new DateTimeOffset(2026, 11, 1, 8, 0, 0, TimeSpan.Zero),
        });
        ReleaseDataEndpoint.Stamp(published, new Uri(DomainApp));
        await new CatalogProjection(_storage).ApplyAsync(CloudEventDelivery.Parse(JsonSerializer.Serialize(published)));
        var hub = HubApi();
        var path = "products/workforce.payroll/releases/1.0.0/1/files?path=part-0.parquet&code=hub-key";

        // Act
        var response = await hub.GetReleaseFileAsync(Request(path, Principal("DataMesh.Domain.finance")), "workforce.payroll", "1.0.0", "1", CancellationToken.None);

        // Assert: the same path and query, without the hub's function key; the same token is valid there.
        Assert.Equal(HttpStatusCode.TemporaryRedirect, response.StatusCode);
        Assert.Equal(
            [DomainApp + "api/products/workforce.payroll/releases/1.0.0/1/files?path=part-0.parquet"],
            response.Headers.GetValues("Location"));
    }

    [Fact]
    public async Task GetReleaseRows_HubWithoutTheDomainAppsAddress_ReadsNoStorageAndSaysSo()
    {
        // Arrange: a release whose event carried no address (announced before domains stamped one).
        await new CatalogProjection(_storage).ApplyAsync(ProductEventFactory.CreateProductVersionPublished(new ProductVersionPublishedData
        {
            ProductId = "workforce.payroll",
            Domain = "workforce",
            Name = "payroll",
            Version = "1.0.0",
            Release = 1,
            RunId = "run-1",
            Location = "https://stworkforce.blob.core.windows.net/products/payroll/1.0.0/1/",
            Rows = 10,
            SchemaHash = "ab12",
            Quality = new QualitySummary(true, 10, []),
            PublishedAt = new DateTimeOffset(2026, 11, 1, 8, 0, 0, TimeSpan.Zero),
        }));
        var hub = HubApi();

        // Act
        var response = await hub.GetReleaseRowsAsync(Request(Payroll, Principal(DataMesh.Consumption.DataReader.OperatorRole)), "workforce.payroll", "1.0.0", "1", CancellationToken.None);

        // Assert
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("no-data-access", Body(response), StringComparison.Ordinal);
        Assert.False(response.Headers.Contains("Location"));
    }

    [Fact]
    public async Task GetReleaseFile_RangeRequest_Writes206WithExactlyThoseBytesAndTheFileHeaders()
    {
        // Arrange: a 3 MB file of a public sample product (finance.ledger-emea), as its domain app serves it.
        var bytes = TestRelease.ParquetLike(3 * 1024 * 1024);
        var manifest = await TestRelease.WriteAsync(_storage, "finance.ledger-emea", "1.2.0", 1, [("part-00000.parquet", bytes)]);
        var api = DomainApi(authentication: true);
        var request = new TestHttpRequest("https://func-test.azurewebsites.net/api/products/finance.ledger-emea/releases/1.2.0/1/files?path=part-00000.parquet").WithPrincipal(Principal());
        request.Headers.Add("Range", "bytes=-65536");

        // Act
        var response = await api.GetReleaseFileAsync(request, "finance.ledger-emea", "1.2.0", "1", CancellationToken.None);

        // Assert
        Assert.Equal(HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Equal($"bytes {bytes.Length - 65536}-{bytes.Length - 1}/{bytes.Length}", Assert.Single(response.Headers.GetValues("Content-Range")));
        Assert.Equal("65536", Assert.Single(response.Headers.GetValues("Content-Length")));
        Assert.Equal($"\"{manifest.Files.Single().Sha256}\"", Assert.Single(response.Headers.GetValues("ETag")));
        Assert.Equal("application/vnd.apache.parquet", Assert.Single(response.Headers.GetValues("Content-Type")));
        Assert.Equal(bytes[^65536..], ((MemoryStream)response.Body).ToArray());
    }

    [Fact]
    public async Task GetReleaseFile_Head_WritesTheLengthWithoutABody()
    {
        // Arrange
        var bytes = TestRelease.ParquetLike(100_000);
        await TestRelease.WriteAsync(_storage, "finance.ledger-emea", "1.2.0", 1, [("part-00000.parquet", bytes)]);
        var api = DomainApi(authentication: true);

        // Act
        var response = await api.GetReleaseFileAsync(
            new TestHttpRequest("https://func-test.azurewebsites.net/api/products/finance.ledger-emea/releases/1.2.0/1/files?path=part-00000.parquet", "HEAD").WithPrincipal(Principal()), "finance.ledger-emea", "1.2.0", "1", CancellationToken.None);

        // Assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("100000", Assert.Single(response.Headers.GetValues("Content-Length")));
        Assert.Equal(0, response.Body.Length);
    }

    [Theory]
    [InlineData("true", true)]
    [InlineData("True", true)]
    [InlineData("false", false)]
    [InlineData(null, false)]
    public void FromConfiguration_WebsiteAuthEnabled_IsWhatThePlatformSet(string? value, bool expected)
    {
        // Arrange
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [AppServiceAuthentication.EnabledSetting] = value }).Build();

        // Act
        var authentication = AppServiceAuthentication.FromConfiguration(configuration);

        // Assert
        Assert.Equal(expected, authentication.Enabled);
        var caller = authentication.CallerOf(Request("products", Principal(DataMesh.Consumption.DataReader.OperatorRole)));
        Assert.Equal(expected, caller.IsOperator);
    }

    [Fact]
    public async Task GetReleaseRows_DomainAppAskedForAnotherDomainsProduct_NotFoundAlthoughItHoldsAReadGrant()
    {
        // Arrange: sales' app may read marketing's products container for its pipeline; its routes are not a door to it.
        var api = new ReleaseDataApi(_storage, Products, new AppServiceAuthentication(enabled: true), new DataMeshAppMode(IsHub: false, Domain: "sales"));

        // Act
        var response = await api.GetReleaseRowsAsync(
            Request("products/marketing.campaign-performance/releases/1.0.0/1/rows", Principal(DataMesh.Consumption.DataReader.OperatorRole)),
            "marketing.campaign-performance", "1.0.0", "1", CancellationToken.None);

        // Assert
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("product-not-found", Body(response), StringComparison.Ordinal);
    }

    private ReleaseDataApi DomainApi(bool authentication) =>
        new(_storage, Products, new AppServiceAuthentication(authentication), new DataMeshAppMode(IsHub: false));

    private ReleaseDataApi HubApi() =>
        new(_storage, Products, new AppServiceAuthentication(enabled: true), new DataMeshAppMode(IsHub: true));

    private static TestHttpRequest Request(string route, string? principal) =>
        new TestHttpRequest($"https://func-test.azurewebsites.net/api/{route}").WithPrincipal(principal);
}
