using DataMesh.Infra.Tests.Arm;

namespace DataMesh.Infra.Tests;

/// <summary>
/// The hub's web catalog signs people in as a single-page application of the mesh API registration (authorization code
/// + PKCE in the page): the compiled ARM gives the app what the page needs (the cloud's login endpoint, the tenant, the
/// mesh API's client id), App Service authentication validates bearer tokens without ever redirecting to a login page
/// or keeping a session, and the hub outputs the catalog's address for the postprovision hook to register.
/// </summary>
[Collection(InfraCollection.Name)]
public sealed class CatalogSignInTests(InfraFixture infra)
{
    [Fact]
    public void HubAppSettings_Snapshot_CarryTheCatalogsSignInFromTheCloudsLoginEndpointTenantAndMeshApi()
    {
        var settings = DeploymentSnapshot.AppSettings(infra.Hub.Single("Microsoft.Web/sites"));

        // The login endpoint of the cloud deployed to, never a hard-coded one.
        Assert.True(settings.TryGetValue("DataMesh__Authentication__Instance", out var instance), string.Join(", ", settings.Keys));
        Assert.True(instance is "[environment().authentication.loginEndpoint]" or "https://login.microsoftonline.com/", instance);
        Assert.Equal(TestDeployment.TenantId, settings["DataMesh__Authentication__TenantId"]);
        Assert.Equal(TestDeployment.MeshApiClientId, settings["DataMesh__Authentication__ClientId"]);
        // No function key (or any key) is handed to the page through a setting or a URL.
        Assert.DoesNotContain(settings, s => s.Value.Contains("code=", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void HubAuthSettings_Snapshot_NeverRedirectToALoginPageNorKeepASession()
    {
        var auth = Assert.Single(infra.Hub.OfType("Microsoft.Web/sites/config"), c => c.Text("name")?.EndsWith("/authsettingsV2", StringComparison.Ordinal) == true);

        // The page signs in itself and the app answers 401: a platform redirect would break API clients and the page's flow.
        Assert.Equal("AllowAnonymous", auth.Text("properties.globalValidation.unauthenticatedClientAction"));
        Assert.Null(auth.At("properties.globalValidation.redirectToProvider"));
        Assert.Null(auth.At("properties.login.allowedExternalRedirectUrls"));
        Assert.True(auth.IsLiteral("properties.login.tokenStore.enabled", false), auth.ToJsonString());
        // Validation only: no client secret, so nothing to rotate or leak.
        Assert.DoesNotContain("clientSecret", auth.ToJsonString(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void MainOutputs_Snapshots_CatalogUrlIsTheHubsCatalogPageAndEmptyForADomain()
    {
        var hub = infra.Hub.Output("DATAMESH_CATALOG_URL") ?? "";

        Assert.Contains("https://", hub, StringComparison.Ordinal);
        Assert.Contains("HostName", hub, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("/api/catalog/", hub, StringComparison.Ordinal);
        Assert.Equal("", infra.Domain.Output("DATAMESH_CATALOG_URL"));
    }
}
