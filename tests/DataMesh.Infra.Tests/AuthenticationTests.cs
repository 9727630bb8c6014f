using System.Text.Json.Nodes;
using DataMesh.Infra.Tests.Arm;

namespace DataMesh.Infra.Tests;

/// <summary>
/// App Service authentication on the hub and on every domain app: Entra bearer tokens for the mesh API app registration
/// are validated (client id, v2.0 issuer of the deployment's tenant, audience api://&lt;client id&gt;), callers without a
/// token pass as anonymous, no secret and no token store. The app trusts the client-principal header only when the
/// platform sets WEBSITE_AUTH_ENABLED (DataMesh.Functions AppServiceAuthentication), so no template may set it.
/// </summary>
[Collection(InfraCollection.Name)]
public sealed class AuthenticationTests(InfraFixture infra)
{
    private const string ConfigType = "Microsoft.Web/sites/config";

    public static TheoryData<string> Modes => ["domain", "hub"];

    [Theory]
    [MemberData(nameof(Modes))]
    public void AuthSettings_Snapshot_ValidateMeshApiTokensOnTheAppAndLetAnonymousCallersThrough(string mode)
    {
        var snapshot = Snapshot(mode);
        var site = snapshot.Single("Microsoft.Web/sites");

        var auth = AuthSettings(snapshot);

        // A child of this app, not of some other site.
        Assert.Equal($"{site.Text("id")}/config/authsettingsV2", auth.Text("id"));
        Assert.True(auth.IsLiteral("properties.platform.enabled", true), auth.ToJsonString());
        Assert.True(auth.IsLiteral("properties.globalValidation.requireAuthentication", false), auth.ToJsonString());
        Assert.Equal("AllowAnonymous", auth.Text("properties.globalValidation.unauthenticatedClientAction"));
        Assert.True(auth.IsLiteral("properties.httpSettings.requireHttps", true), auth.ToJsonString());
        Assert.True(auth.IsLiteral("properties.login.tokenStore.enabled", false), auth.ToJsonString());
        var entra = auth.At("properties.identityProviders.azureActiveDirectory");
        Assert.True(entra.IsLiteral("enabled", true), auth.ToJsonString());
        Assert.Equal(TestDeployment.MeshApiClientId, entra.Text("registration.clientId"));
        Assert.Equal(["api://" + TestDeployment.MeshApiClientId], entra.Strings("validation.allowedAudiences"));
        // The login endpoint of the cloud deployed to (no hard-coded URL), the deployment's own tenant, v2.0 tokens.
        Assert.Equal(
            $"[format('{{0}}{{1}}/v2.0', environment().authentication.loginEndpoint, '{TestDeployment.TenantId}')]",
            entra.Text("registration.openIdIssuer"));
        // Only Entra ID: no other identity provider is switched on.
        var providers = (auth.At("properties.identityProviders") as JsonObject ?? []).Select(p => p.Key);
        Assert.Equal(["azureActiveDirectory"], providers);
    }

    [Fact]
    public void AuthSettings_Templates_HoldNoClientSecretOrCertificate()
    {
        var authSettings = infra.Templates.Values
            .SelectMany(t => t.Deployed(ConfigType).Select(r => (Template: t, Resource: r)))
            .Where(r => r.Resource.Body.Text("name")?.Contains("authsettingsV2", StringComparison.Ordinal) == true)
            .ToList();
        var settings = new[] { infra.Domain, infra.Hub }.SelectMany(s => DeploymentSnapshot.AppSettings(s.Single("Microsoft.Web/sites"))).ToList();

        var secretProperties = authSettings
            .Where(r => r.Resource.Body.ToJsonString().Contains("clientSecret", StringComparison.OrdinalIgnoreCase))
            .Select(r => r.Template.SourceFile)
            .ToList();

        Assert.NotEmpty(authSettings);
        Assert.True(secretProperties.Count == 0, "authsettingsV2 with a client secret in: " + string.Join(", ", secretProperties));
        // Validation only: no provider secret setting (MICROSOFT_PROVIDER_AUTHENTICATION_SECRET or the like) exists.
        Assert.DoesNotContain(settings, s => s.Key.Contains("AUTHENTICATION_SECRET", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void AppSettings_Snapshots_LeaveWebsiteAuthEnabledToThePlatform()
    {
        // The app trusts X-MS-CLIENT-PRINCIPAL when WEBSITE_AUTH_ENABLED is true: a setting that forced it on without
        // the platform validating tokens would let any client forge its roles.
        foreach (var snapshot in new[] { infra.Domain, infra.Hub })
        {
            var settings = DeploymentSnapshot.AppSettings(snapshot.Single("Microsoft.Web/sites"));

            Assert.DoesNotContain(settings.Keys, k => k.StartsWith("WEBSITE_AUTH", StringComparison.OrdinalIgnoreCase));
            Assert.Single(snapshot.OfType(ConfigType), c => c.Text("name")?.EndsWith("/authsettingsV2", StringComparison.Ordinal) == true);
        }
    }

    [Fact]
    public void MeshApiClientId_NotSet_FailsTheDeploymentBeforeAnythingIsCreated()
    {
        var run = infra.HubWithoutClientIdBuild;

        // azd passes '' for an unset MESH_API_CLIENT_ID; an app left without authentication is refused, not deployed.
        Assert.NotEqual(0, run.ExitCode);
        Assert.Contains(run.Diagnostics, d => d.Level == "Error" && d.Code == "BCP333" && d.File.EndsWith(InfraFixture.HubWithoutClientIdParameters, StringComparison.Ordinal));
    }

    [Fact]
    public void MeshApiClientId_EveryTemplateThatTakesIt_RequiresAnAppIdShapedValue()
    {
        var templates = new[] { "main.bicep", "hub.bicep", "domain.bicep", "modules/function-app.bicep" };

        foreach (var file in templates)
        {
            var parameter = infra.Templates[file].Root["parameters"]?["meshApiClientId"];

            Assert.True(parameter is not null, $"{file} takes no meshApiClientId");
            Assert.Null(parameter["defaultValue"]);
            Assert.Equal(36, parameter["minLength"]?.GetValue<int>());
            Assert.Equal(36, parameter["maxLength"]?.GetValue<int>());
        }
    }

    [Fact]
    public void MainOutputs_Snapshots_CarryTheMeshApiClientIdAndTheDomainAppIdentity()
    {
        var identity = DeployedResources.Of(infra.Domain).AppIdentityId;

        // A hub writes the id for its domains; a domain echoes it back (azd must not blank it in its environment).
        Assert.Equal(TestDeployment.MeshApiClientId, infra.Hub.Output("MESH_API_CLIENT_ID"));
        Assert.Equal(TestDeployment.MeshApiClientId, infra.Domain.Output("MESH_API_CLIENT_ID"));
        // The postprovision hook grants the app role to this principal.
        Assert.True(DeployedResources.IsReference(infra.Domain.Output("DATAMESH_APP_PRINCIPAL_ID"), identity, "principalId"), infra.Domain.Output("DATAMESH_APP_PRINCIPAL_ID"));
        // The hub's own app identity: its postprovision prints it as domains.json's "hub" entry, and each domain grants
        // it the reading of release manifests (ManifestGrant_DomainSnapshot_...). The hub grants itself no app role.
        var hubIdentity = infra.Hub.OfType("Microsoft.ManagedIdentity/userAssignedIdentities")
            .Select(r => r.Text("id")!)
            .Single(id => id.Split('/')[^1].StartsWith("id-app-", StringComparison.Ordinal));
        Assert.True(DeployedResources.IsReference(infra.Hub.Output("DATAMESH_APP_PRINCIPAL_ID"), hubIdentity, "principalId"), infra.Hub.Output("DATAMESH_APP_PRINCIPAL_ID"));
    }

    private DeploymentSnapshot Snapshot(string mode) => mode == "domain" ? infra.Domain : infra.Hub;

    private static JsonObject AuthSettings(DeploymentSnapshot snapshot) =>
        Assert.Single(snapshot.OfType(ConfigType), c => c.Text("name")?.EndsWith("/authsettingsV2", StringComparison.Ordinal) == true);
}
