using System.Net;
using System.Text;
using System.Text.Json;
using DataMesh.Catalog;
using DataMesh.Events;
using DataMesh.Functions.Catalog;
using DataMesh.Functions.Configuration;
using DataMesh.Functions.Tests.Configuration;
using DataMesh.Pipeline;
using DataMesh.Storage;
using DataMesh.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.IdentityModel.Tokens;
using static DataMesh.Functions.Tests.TestHttp;

namespace DataMesh.Functions.Tests.Catalog;

/// <summary>
/// The hub's catalog with sign-in configured (the app validates Entra tokens, as the Bicep sets it): no function key,
/// an anonymous call is refused, a signed-in caller sees what the product's access lets its app roles see, and the
/// web catalog is told how to sign in. Tokens are signed with a local RSA key standing for the tenant's.
/// </summary>
[Collection("azurite")]
public sealed class CatalogSignInTests(AzuriteFixture azurite)
{
    private const string ClientId = "33333333-3333-3333-3333-333333333333";
    private const string Ledger = "finance.ledger-emea";

    private readonly TestTenant _tenant = new();
    private readonly MeshStorage _storage = azurite.CreateSingleAccountStorage();

    [Fact]
    public async Task ListProducts_AnonymousCallWithSignInConfigured_Answers401SignInRequired()
    {
        // Arrange
        await ProjectAsync();

        // Act
        var response = await Api().ListProductsAsync(Request("products", token: null), CancellationToken.None);

        // Assert
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", response.Headers.GetValues("WWW-Authenticate").Single());
        using var problem = BodyJson(response);
        Assert.EndsWith("sign-in-required", problem.RootElement.GetProperty("type").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain(Ledger, problem.RootElement.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetProduct_AnonymousCallWithSignInConfigured_Answers401()
    {
        // Arrange
        await ProjectAsync();

        // Act
        var response = await Api().GetProductAsync(Request($"products/{Ledger}", token: null), Ledger, CancellationToken.None);

        // Assert
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task GetOpenApiDocument_AnonymousCallWithSignInConfigured_StillAnswers()
    {
        // Act
        var response = await Api().GetOpenApiDocumentAsync(Request("openapi.json", token: null), CancellationToken.None);

        // Assert: the API's description is public, as tools read it before anyone signs in.
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task ListRunsAndGetProduct_SignedInWithTheProductsDomainRole_ReadsItsHistory()
    {
        // Arrange
        await ProjectAsync();
        var token = Token("DataMesh.Domain.finance");

        // Act
        var products = await Api().ListProductsAsync(Request("products", token), CancellationToken.None);
        var runs = await Api().ListRunsAsync(Request($"products/{Ledger}/runs", token), Ledger, CancellationToken.None);
        var detail = await Api().GetProductAsync(Request($"products/{Ledger}", token), Ledger, CancellationToken.None);

        // Assert
        Assert.Equal(HttpStatusCode.OK, products.StatusCode);
        Assert.Equal(HttpStatusCode.OK, runs.StatusCode);
        using var body = BodyJson(detail);
        Assert.Equal(1, body.RootElement.GetProperty("releases").GetArrayLength());
        Assert.False(body.RootElement.TryGetProperty("historyWithheld", out var withheld) && withheld.ValueKind == JsonValueKind.String);
    }

    [Fact]
    public async Task ListRunsAndGetProduct_SignedInWithAnotherDomainsRole_RunsAnswer403AndTheProductWithholdsItsHistory()
    {
        // Arrange: finance.ledger-emea is visible to its domain only; the caller reads for supply-chain.
        await ProjectAsync();
        var token = Token("DataMesh.Domain.supply-chain");

        // Act
        var runs = await Api().ListRunsAsync(Request($"products/{Ledger}/runs", token), Ledger, CancellationToken.None);
        var detail = await Api().GetProductAsync(Request($"products/{Ledger}", token), Ledger, CancellationToken.None);

        // Assert: signed in, so discovery answers; the product's access refuses its history, as on the data routes.
        Assert.Equal(HttpStatusCode.Forbidden, runs.StatusCode);
        Assert.Equal(HttpStatusCode.OK, detail.StatusCode);
        using var body = BodyJson(detail);
        Assert.Equal(0, body.RootElement.GetProperty("releases").GetArrayLength());
        Assert.Equal(JsonValueKind.String, body.RootElement.GetProperty("historyWithheld").ValueKind);
    }

    [Fact]
    public async Task ListProducts_ForgedTokenWithSignInConfigured_Answers401InvalidToken()
    {
        // Arrange
        var forged = Token("DataMesh.Domain.finance", TestTenant.ForgedKey());

        // Act
        var response = await Api().ListProductsAsync(Request("products", forged), CancellationToken.None);

        // Assert
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer error=\"invalid_token\"", response.Headers.GetValues("WWW-Authenticate").Single());
    }

    [Fact]
    public async Task CatalogWeb_SignInConfigured_ServesTheTenantsEndpointsAndLetsThePageReachTheTokenEndpointOnly()
    {
        // Arrange
        var web = new CatalogWebFunction(new ConfigurationBuilder().AddInMemoryCollection(Settings()).Build());

        // Act
        var settings = await web.ServeAsync(new TestHttpRequest("https://func-hub.azurewebsites.net/api/catalog/sign-in.json"), CancellationToken.None);
        var index = await web.ServeAsync(new TestHttpRequest("https://func-hub.azurewebsites.net/api/catalog/"), CancellationToken.None);

        // Assert
        using var body = BodyJson(settings);
        Assert.True(body.RootElement.GetProperty("enabled").GetBoolean());
        Assert.Equal(ClientId, body.RootElement.GetProperty("clientId").GetString());
        Assert.Equal($"https://login.microsoftonline.com/{TestTenant.Id}/oauth2/v2.0/authorize", body.RootElement.GetProperty("authorizationEndpoint").GetString());
        Assert.Equal($"https://login.microsoftonline.com/{TestTenant.Id}/oauth2/v2.0/token", body.RootElement.GetProperty("tokenEndpoint").GetString());
        Assert.Contains($"api://{ClientId}/.default", body.RootElement.GetProperty("scope").GetString(), StringComparison.Ordinal);
        Assert.Equal("no-store", settings.Headers.GetValues("Cache-Control").Single());
        var policy = index.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("connect-src 'self' https://login.microsoftonline.com;", policy, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CatalogWeb_NoSignInConfigured_TellsThePageTheCatalogIsOpen()
    {
        // Arrange
        var web = new CatalogWebFunction(new ConfigurationBuilder().Build());

        // Act
        var settings = await web.ServeAsync(new TestHttpRequest("http://localhost:7071/api/catalog/sign-in.json"), CancellationToken.None);

        // Assert
        using var body = BodyJson(settings);
        Assert.False(body.RootElement.GetProperty("enabled").GetBoolean());
        Assert.Contains("connect-src 'self';", settings.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
    }

    private static IReadOnlyDictionary<string, string?> Settings() => new Dictionary<string, string?>
    {
        ["DataMesh:Authentication:TenantId"] = TestTenant.Id,
        ["DataMesh:Authentication:Audience"] = $"api://{ClientId}",
        ["DataMesh:Authentication:ClientId"] = ClientId,
    };

    /// <summary>The hub's catalog API as the Bicep configures it: App Service authentication on and the app's own token validation.</summary>
    private CatalogApi Api()
    {
        return new CatalogApi(new CatalogReader(_storage), new AppServiceAuthentication(enabled: true, _tenant.Validator(Settings())));
    }

    private static TestHttpRequest Request(string route, string? token) =>
        new TestHttpRequest($"https://func-hub.azurewebsites.net/api/{route}").WithBearer(token);

    private string Token(string role, SecurityKey? key = null) => _tenant.Token(ClientId, role, key);

    private async Task ProjectAsync()
    {
        var json = JsonSerializer.Serialize(ProductEventFactory.CreateProductVersionPublished(new ProductVersionPublishedData
        {
            ProductId = Ledger,
            Domain = "finance",
            Name = "ledger-emea",
            Version = "1.2.0",
            Release = 1,
            RunId = $"{Ledger}-run1",
            Location = "https://stfinance.blob.core.windows.net/products/ledger-emea/1.2.0/1/",
            Rows = 100,
            SchemaHash = "ab12cd34",
            Quality = new QualitySummary(true, 100, []),
            Landing = [new LandingBlob("landing", "ledger/emea/2026-10.csv", "\"0x8DE\"", 2048, "e3b0c442")],
            PublishedAt = new DateTimeOffset(2026, 10, 31, 18, 1, 0, TimeSpan.Zero),
        }));
        var projection = new CatalogProjectionFunction(new CatalogProjection(_storage), _storage, NullLogger<CatalogProjectionFunction>.Instance);
        await projection.RunAsync(Convert.ToBase64String(Encoding.UTF8.GetBytes(json)), new TestFunctionContext(), CancellationToken.None);
    }
}
