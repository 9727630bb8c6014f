using System.Text.Json;
using Azure.Messaging;
using DataMesh.Catalog;
using DataMesh.Consumption;
using DataMesh.Core.Tests.Events;
using DataMesh.Events;
using DataMesh.Storage;
using DataMesh.Testing;

namespace DataMesh.Core.Tests.Catalog;

/// <summary>
/// Where a release's data is served: the domain app's base URL travels with its events, the catalog records it with
/// the release, and a catalog that holds no data (the hub) answers the data routes with 307 to that app. Over real
/// tables in Azurite.
/// </summary>
[Collection("azurite")]
public sealed class ReleaseDataEndpointTests(AzuriteFixture azurite)
{
    private const string DomainApp = "https://func-finance-abc123.westeurope-01.azurewebsites.net/";

    private readonly MeshStorage _storage = azurite.CreateMeshStorage();

    [Theory]
    [InlineData("https://func-finance.azurewebsites.net", "https://func-finance.azurewebsites.net/")]
    [InlineData("https://func-finance.azurewebsites.net/", "https://func-finance.azurewebsites.net/")]
    [InlineData("https://Data.Example.com:8443/", "https://data.example.com:8443/")]
    public void Parse_HttpsOrigin_IsTheOriginWithATrailingSlash(string value, string expected)
    {
        Assert.Equal(expected, ReleaseDataEndpoint.Parse(value)?.AbsoluteUri);
    }

    [Theory]
    [InlineData("http://func-finance.azurewebsites.net/")]
    [InlineData("https://func-finance.azurewebsites.net/api/")]
    [InlineData("https://func-finance.azurewebsites.net/?next=https://elsewhere.example")]
    [InlineData("https://func-finance.azurewebsites.net/#x")]
    [InlineData("https://user:secret@func-finance.azurewebsites.net/")]
    [InlineData("https://10.0.0.4/")]
    [InlineData("func-finance.azurewebsites.net")]
    [InlineData("")]
    [InlineData(null)]
    public void Parse_AnythingButAnHttpsHostOrigin_IsNull(string? value)
    {
        Assert.Null(ReleaseDataEndpoint.Parse(value));
    }

    [Fact]
    public void FromHostName_WebsiteHostname_IsItsHttpsOrigin()
    {
        Assert.Equal("https://func-finance.azurewebsites.net/", ReleaseDataEndpoint.FromHostName("func-finance.azurewebsites.net")?.AbsoluteUri);
        Assert.Null(ReleaseDataEndpoint.FromHostName(null));
        Assert.Null(ReleaseDataEndpoint.FromHostName("  "));
    }

    [Fact]
    public void Location_QueryWithFunctionKey_KeepsPathAndOtherParametersAndDropsTheKey()
    {
        // Act
        var location = ReleaseDataEndpoint.Location(
            new Uri(DomainApp), "/api/products/finance.ledger-emea/releases/1.2.0/3/files", "?path=part%2D0.parquet&code=hub-key&limit=5");

        // Assert: a key of the hub is no key of the domain app, and must not leak to it.
        Assert.Equal(DomainApp + "api/products/finance.ledger-emea/releases/1.2.0/3/files?path=part%2D0.parquet&limit=5", location);
        Assert.Equal(DomainApp + "api/x", ReleaseDataEndpoint.Location(new Uri(DomainApp), "/api/x", "code=k"));
        Assert.Equal(DomainApp + "api/x", ReleaseDataEndpoint.Location(new Uri(DomainApp), "/api/x", null));
    }

    [Fact]
    public void Stamp_ThenParsedFromTheQueueAsEventGridDeliversIt_CarriesTheEndpoint()
    {
        // Arrange
        var cloudEvent = ProductEventFactory.CreateProductVersionPublished(SampleEvents.Published());

        // Act
        ReleaseDataEndpoint.Stamp(cloudEvent, new Uri(DomainApp));
        var delivered = CloudEventDelivery.Parse(Convert.ToBase64String(JsonSerializer.SerializeToUtf8Bytes(cloudEvent)));

        // Assert
        Assert.Equal(DomainApp, ReleaseDataEndpoint.Of(delivered)?.AbsoluteUri);
        Assert.Null(ReleaseDataEndpoint.Of(ProductEventFactory.CreateProductVersionPublished(SampleEvents.Published())));
        Assert.Throws<ArgumentException>(() => ReleaseDataEndpoint.Stamp(cloudEvent, new Uri("http://plain.example/")));
    }

    [Fact]
    public async Task GetRelease_EventWithEndpoint_ShowsTheReleasesDataEndpoint()
    {
        // Arrange
        await ProjectAsync(Stamped(DomainApp));

        // Act
        var response = await HubApi().HandleAsync("GET", "/api/products/finance.ledger-emea/releases/1.2.0/1", "", DataReader.Operator);

        // Assert
        Assert.Equal(200, response.StatusCode);
        using var body = JsonDocument.Parse(response.Body);
        Assert.Equal(DomainApp, body.RootElement.GetProperty("dataEndpoint").GetString());
    }

    [Theory]
    [InlineData("rows", "?offset=100&limit=50&code=hub-key", "?offset=100&limit=50")]
    [InlineData("files", "?path=part-0.parquet", "?path=part-0.parquet")]
    public async Task DataRoutes_HubKnowsTheReleasesEndpoint_Answer307ToTheSameRequestOnTheDomainApp(string route, string query, string forwarded)
    {
        // Arrange
        await ProjectAsync(Stamped(DomainApp));
        var path = $"/api/products/finance.ledger-emea/releases/1.2.0/1/{route}";

        // Act: an anonymous caller; the domain app judges access, on its own specs.
        var response = await HubApi().HandleAsync("GET", path, query, DataReader.Anonymous);

        // Assert
        Assert.Equal(307, response.StatusCode);
        Assert.Equal(DomainApp + path.TrimStart('/') + forwarded, response.Location);
        using var body = JsonDocument.Parse(response.Body);
        Assert.Equal(response.Location, body.RootElement.GetProperty("location").GetString());
        Assert.Equal("finance.ledger-emea", body.RootElement.GetProperty("productId").GetString());
    }

    [Fact]
    public async Task DataRoutes_HubWithoutEndpointForTheRelease_AnswerAsBeforeWithoutRedirect()
    {
        // Arrange: release 1 came from a local mesh (no endpoint); release 2 of the same product has one.
        await ProjectAsync(ProductEventFactory.CreateProductVersionPublished(SampleEvents.Published(release: 1)));
        await ProjectAsync(Stamped(DomainApp, release: 2));

        // Act
        var noEndpoint = await HubApi().HandleAsync("GET", "/api/products/finance.ledger-emea/releases/1.2.0/1/rows", "", DataReader.Operator);
        var unknownRelease = await HubApi().HandleAsync("GET", "/api/products/finance.ledger-emea/releases/1.2.0/9/rows", "", DataReader.Operator);
        var invalidVersion = await HubApi().HandleAsync("GET", "/api/products/finance.ledger-emea/releases/one/2/rows", "", DataReader.Operator);

        // Assert
        Assert.Equal(404, noEndpoint.StatusCode);
        Assert.Contains("no-data-access", noEndpoint.Body, StringComparison.Ordinal);
        Assert.Null(noEndpoint.Location);
        Assert.Equal(404, unknownRelease.StatusCode);
        Assert.Equal(400, invalidVersion.StatusCode);
        Assert.Contains("invalid-version", invalidVersion.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DataRoutes_EventEndpointIsNotAnOrigin_RecordsNothingAndNeverRedirectsThere()
    {
        // Arrange: an endpoint with a path and query, as a tampered event could carry.
        var cloudEvent = ProductEventFactory.CreateProductVersionPublished(SampleEvents.Published());
        cloudEvent.ExtensionAttributes[ReleaseDataEndpoint.ExtensionAttribute] = "https://evil.example/collect?from=";
        await ProjectAsync(cloudEvent);

        // Act
        var release = await HubApi().HandleAsync("GET", "/api/products/finance.ledger-emea/releases/1.2.0/1", "", DataReader.Operator);
        var rows = await HubApi().HandleAsync("GET", "/api/products/finance.ledger-emea/releases/1.2.0/1/rows", "", DataReader.Operator);

        // Assert: the release itself is recorded; only the redirect is lost.
        Assert.Equal(200, release.StatusCode);
        using var body = JsonDocument.Parse(release.Body);
        Assert.Equal(JsonValueKind.Null, body.RootElement.GetProperty("dataEndpoint").ValueKind);
        Assert.NotEqual(307, rows.StatusCode);
        Assert.Null(rows.Location);
    }

    [Fact]
    public async Task DataRoutes_HostThatServesData_NeverRedirects()
    {
        // Arrange: a domain app (it has a release reader) knows the endpoint too, e.g. its own.
        await ProjectAsync(Stamped(DomainApp));
        var domainApi = new CatalogHttpApi(new CatalogReader(_storage), releases: new ReleaseReader(_storage));

        // Act
        var response = await domainApi.HandleAsync("GET", "/api/products/finance.ledger-emea/releases/1.2.0/1/rows", "", DataReader.Operator);

        // Assert: it reads its own storage (which holds no such release here) instead of sending callers away.
        Assert.Equal(404, response.StatusCode);
        Assert.Contains("release-not-found", response.Body, StringComparison.Ordinal);
        Assert.Null(response.Location);
    }

    private static CloudEvent Stamped(string endpoint, int release = 1)
    {
        var cloudEvent = ProductEventFactory.CreateProductVersionPublished(SampleEvents.Published(release: release));
        ReleaseDataEndpoint.Stamp(cloudEvent, new Uri(endpoint));
        return cloudEvent;
    }

    // Through JSON, as the catalog receives events from the queue.
    private Task ProjectAsync(CloudEvent cloudEvent) =>
        new CatalogProjection(_storage).ApplyAsync(CloudEventDelivery.Parse(JsonSerializer.Serialize(cloudEvent)));

    private CatalogHttpApi HubApi() => new(new CatalogReader(_storage));
}
