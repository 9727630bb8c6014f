using DataMesh.Infra.Tests.Arm;

namespace DataMesh.Infra.Tests;

/// <summary>
/// A domain app's publish gate asks the hub's catalog which consumers in other domains read a column a contract change
/// removes, and refuses the change when it cannot ask (DataMesh__Hub__CatalogEndpoint). The hub outputs its catalog API;
/// domains.json's hub entry carries it to every domain, whose app gets the endpoint and the token scope of the mesh API
/// (the audience the hub's App Service authentication accepts).
/// </summary>
[Collection(InfraCollection.Name)]
public sealed class HubCatalogWiringTests(InfraFixture infra)
{
    [Fact]
    public void DomainAppSettings_RegistryWithTheHubsCatalog_AskTheHubWithATokenForTheMeshApi()
    {
        var settings = DeploymentSnapshot.AppSettings(infra.Domain.Single("Microsoft.Web/sites"));

        Assert.True(settings.TryGetValue("DataMesh__Hub__CatalogEndpoint", out var endpoint), string.Join(", ", settings.Keys));
        Assert.Equal(TestDeployment.HubCatalogEndpoint, endpoint);
        // The token the app's identity gets is for the mesh API, the audience the hub validates.
        Assert.Equal($"api://{TestDeployment.MeshApiClientId}/.default", settings["DataMesh__Hub__Scope"]);
        Assert.Equal($"api://{TestDeployment.MeshApiClientId}", settings["DataMesh__Authentication__Audience"]);
        Assert.Equal(TestDeployment.HubCatalogEndpoint, infra.Domain.Output("MESH_HUB_CATALOG_ENDPOINT"));
    }

    [Fact]
    public void HubOutputs_Snapshot_NameItsCatalogApiForTheRegistryAndTheHubAsksNoHub()
    {
        var endpoint = infra.Hub.Output("MESH_HUB_CATALOG_ENDPOINT") ?? "";
        var settings = DeploymentSnapshot.AppSettings(infra.Hub.Single("Microsoft.Web/sites"));

        // The app's own host name (a reference to the site until deployed) under the API base the client appends routes to.
        Assert.Contains("'https://{0}/api/'", endpoint, StringComparison.Ordinal);
        Assert.Contains("HostName", endpoint, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("DataMesh__Hub__CatalogEndpoint", settings.Keys);
    }

    [Fact]
    public void DomainAppSettings_RegistryWithoutTheHubsCatalog_SetNoHubAndOutputNoneForThePostprovisionWarning()
    {
        var settings = DeploymentSnapshot.AppSettings(infra.Marketing.Single("Microsoft.Web/sites"));

        Assert.DoesNotContain("DataMesh__Hub__CatalogEndpoint", settings.Keys);
        Assert.DoesNotContain("DataMesh__Hub__Scope", settings.Keys);
        Assert.Equal("", infra.Marketing.Output("MESH_HUB_CATALOG_ENDPOINT"));
    }
}
