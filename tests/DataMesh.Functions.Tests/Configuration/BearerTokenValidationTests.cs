using System.Net;
using System.Text.Json;
using DataMesh.Functions.Catalog;
using DataMesh.Functions.Configuration;
using DataMesh.Functions.Tests.Catalog;
using DataMesh.Pipeline;
using DataMesh.Storage;
using DataMesh.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.IdentityModel.Tokens;
using static DataMesh.Functions.Tests.TestHttp;

namespace DataMesh.Functions.Tests.Configuration;

/// <summary>
/// The app validates the bearer token itself (defence in depth behind App Service authentication): tokens signed with a
/// local RSA key stand for the tenant's, whose public key reaches the validator through a static configuration manager.
/// Forged, expired, wrong-audience and wrong-tenant tokens get 401; the caller is the validated token's, never the header's.
/// </summary>
[Collection("azurite")]
public sealed class BearerTokenValidationTests(AzuriteFixture azurite)
{
    private const string OtherTenant = "22222222-2222-2222-2222-222222222222";
    private const string Audience = "api://33333333-3333-3333-3333-333333333333";

    // workforce.payroll is restricted to workforce and its reader finance (pipelines/workforce/payroll/product.yaml).
    private const string Payroll = "products/workforce.payroll/releases/1.0.0/1/rows";

    private static readonly ProductRegistry Products = ProductRegistry.LoadFrom(RepositoryRoot.Combine("pipelines"));

    private readonly TestTenant _tenant = new();
    private readonly MeshStorage _storage = azurite.CreateSingleAccountStorage();

    [Fact]
    public async Task GetReleaseRows_ValidTokenWithAReaderRole_PassesTheAccessCheck()
    {
        // Act
        var response = await RowsAsync(Token(role: "DataMesh.Domain.finance"));

        // Assert: past authentication and access, the release is looked up (and this storage holds none).
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("release-not-found", Body(response), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("forged", "signature does not verify")]
    [InlineData("expired", "has expired")]
    [InlineData("audience", "another audience")]
    [InlineData("tenant", "another tenant")]
    public async Task GetReleaseRows_RefusedToken_401NamingWhy(string flaw, string reason)
    {
        // Arrange: each token carries the reader role that would otherwise pass.
        var token = flaw switch
        {
            "forged" => Token(role: "DataMesh.Domain.finance", key: TestTenant.ForgedKey()),
            "expired" => Token(role: "DataMesh.Domain.finance", expires: DateTime.UtcNow.AddHours(-1)),
            "audience" => Token(role: "DataMesh.Domain.finance", audience: "api://another-api"),
            _ => Token(role: "DataMesh.Domain.finance", issuer: TestTenant.IssuerOf(OtherTenant)),
        };

        // Act
        var response = await RowsAsync(token);

        // Assert
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer error=\"invalid_token\"", response.Headers.GetValues("WWW-Authenticate").Single());
        using var problem = JsonDocument.Parse(Body(response));
        Assert.Contains(reason, problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetReleaseRows_ClientPrincipalHeaderWithoutAToken_IsAnonymousWhenValidationIsConfigured()
    {
        // Arrange: App Service authentication is on and the header claims the operator, but no token comes with it.
        var request = new TestHttpRequest($"https://func-test.azurewebsites.net/api/{Payroll}");
        request.Headers.Add(AppServiceAuthentication.ClientPrincipalHeader, Principal(DataMesh.Consumption.DataReader.OperatorRole));

        // Act
        var response = await Api().GetReleaseRowsAsync(request, "workforce.payroll", "1.0.0", "1", CancellationToken.None);

        // Assert
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("authentication-required", Body(response), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetReleaseRows_ValidTokenWithoutARoleAndAHeaderClaimingTheOperator_CallerIsTheTokens()
    {
        // Arrange: the header says operator; the validated token carries no mesh role.
        var request = new TestHttpRequest($"https://func-test.azurewebsites.net/api/{Payroll}");
        request.Headers.Add(AppServiceAuthentication.ClientPrincipalHeader, Principal(DataMesh.Consumption.DataReader.OperatorRole));
        request.Headers.Add("Authorization", "Bearer " + Token(role: null));

        // Act
        var response = await Api().GetReleaseRowsAsync(request, "workforce.payroll", "1.0.0", "1", CancellationToken.None);

        // Assert: a restricted product, and a caller without a mesh role: refused by access, not let in by the header.
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public void FromConfiguration_TenantWithoutAudience_FailsNamingTheSetting()
    {
        // Arrange
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["DataMesh:Authentication:TenantId"] = TestTenant.Id }).Build();

        // Act
        var failure = Assert.Throws<InvalidOperationException>(() => BearerTokenValidator.FromConfiguration(configuration));

        // Assert
        Assert.Contains("DataMesh__Authentication__Audience", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromConfiguration_NoTenant_ValidationOff()
    {
        // Act
        var validator = BearerTokenValidator.FromConfiguration(new ConfigurationBuilder().Build());

        // Assert
        Assert.Null(validator);
    }

    private async Task<Microsoft.Azure.Functions.Worker.Http.HttpResponseData> RowsAsync(string token)
    {
        var request = new TestHttpRequest($"https://func-test.azurewebsites.net/api/{Payroll}").WithBearer(token);
        return await Api().GetReleaseRowsAsync(request, "workforce.payroll", "1.0.0", "1", CancellationToken.None);
    }

    private ReleaseDataApi Api()
    {
        var validator = _tenant.Validator(new Dictionary<string, string?>
        {
            ["DataMesh:Authentication:TenantId"] = TestTenant.Id,
            ["DataMesh:Authentication:Audience"] = Audience,
        });
        return new ReleaseDataApi(_storage, Products, new AppServiceAuthentication(enabled: true, validator), new DataMeshAppMode(IsHub: false));
    }

    private string Token(string? role, SecurityKey? key = null, DateTime? expires = null, string audience = Audience, string? issuer = null) =>
        _tenant.Token(audience, role, key, expires, issuer, new Dictionary<string, object> { ["oid"] = "44444444-4444-4444-4444-444444444444" });
}
