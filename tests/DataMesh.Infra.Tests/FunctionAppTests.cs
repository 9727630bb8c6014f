using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using DataMesh.Infra.Tests.Arm;

namespace DataMesh.Infra.Tests;

/// <summary>
/// The function apps: Flex Consumption, .NET 10 isolated, HTTPS only, a user-assigned identity, and the app settings
/// the Functions app reads (DataMesh__*, identity-based AzureWebJobsStorage__*), none of them a key.
/// </summary>
[Collection(InfraCollection.Name)]
public sealed partial class FunctionAppTests(InfraFixture infra)
{
    private const string SiteType = "Microsoft.Web/sites";

    [Fact]
    public void Sites_EveryTemplate_AreHttpsOnlyWithUserAssignedIdentityAndTls12()
    {
        var sites = infra.Templates.Values.SelectMany(t => t.Deployed(SiteType).Select(r => (Template: t, Resource: r))).ToList();

        var violations = sites.SelectMany(s => SecurityBaseline.SiteViolations(s.Resource.Body).Select(v => $"{s.Template}: {v}")).ToList();

        Assert.NotEmpty(sites);
        Assert.True(violations.Count == 0, string.Join('\n', violations));
    }

    [Fact]
    public void Sites_DomainAndHubSnapshots_AreHttpsOnlyWithTheirOwnUserAssignedIdentity()
    {
        foreach (var snapshot in new[] { infra.Domain, infra.Hub })
        {
            var site = snapshot.Single(SiteType);
            var resources = DeployedResources.Of(snapshot);

            var violations = SecurityBaseline.SiteViolations(site).ToList();
            var identities = (site.At("identity.userAssignedIdentities") as JsonObject ?? []).Select(p => p.Key);

            Assert.True(violations.Count == 0, string.Join('\n', violations));
            Assert.Equal([resources.AppIdentityId], identities);
        }
    }

    [Fact]
    public void DomainApp_Snapshot_ReadsTheDomainSettingsContract()
    {
        var resources = DeployedResources.Of(infra.Domain);
        var settings = DeploymentSnapshot.AppSettings(infra.Domain.Single(SiteType));

        Assert.Equal("domain", settings["DataMesh__Mode"]);
        Assert.Equal(TestDeployment.Domain, settings["DataMesh__Domain"]);
        Assert.Matches(TaskHubName(), settings["DataMesh__TaskHub"]);
        AssertEndpoints(settings, resources.StorageAccountId);
        Assert.True(
            DeployedResources.IsReference(settings["DataMesh__Events__TopicEndpoint"], infra.Domain.Single("Microsoft.EventGrid/topics").Text("id")!, "endpoint"),
            settings["DataMesh__Events__TopicEndpoint"]);
        AssertIdentityBasedHostStorage(settings, resources);
    }

    [Fact]
    public void HubApp_Snapshot_ReadsTheHubSettingsContract()
    {
        var resources = DeployedResources.Of(infra.Hub);
        var topicId = infra.Hub.Single("Microsoft.EventGrid/topics").Text("id")!;
        var settings = DeploymentSnapshot.AppSettings(infra.Hub.Single(SiteType));

        Assert.Equal("hub", settings["DataMesh__Mode"]);
        Assert.DoesNotContain("DataMesh__Domain", settings.Keys);
        Assert.Matches(TaskHubName(), settings["DataMesh__TaskHub"]);
        AssertEndpoints(settings, resources.StorageAccountId);
        Assert.True(DeployedResources.IsReference(settings["DataMesh__Events__TopicEndpoint"], topicId, "endpoint"), settings["DataMesh__Events__TopicEndpoint"]);
        AssertIdentityBasedHostStorage(settings, resources);
    }

    [Fact]
    public void Sites_Snapshots_RunDotnetIsolated10OnFlexConsumptionFromTheirOwnStorage()
    {
        foreach (var snapshot in new[] { infra.Domain, infra.Hub })
        {
            var resources = DeployedResources.Of(snapshot);
            var plan = snapshot.Single("Microsoft.Web/serverfarms");
            var site = snapshot.Single(SiteType);

            Assert.Equal("FlexConsumption", plan.Text("sku.tier"));
            Assert.Equal("functionapp,linux", site.Text("kind"));
            Assert.Equal("dotnet-isolated", site.Text("properties.functionAppConfig.runtime.name"));
            Assert.Equal("10.0", site.Text("properties.functionAppConfig.runtime.version"));
            var package = site.Text("properties.functionAppConfig.deployment.storage.value");
            Assert.StartsWith($"[format('{{0}}{{1}}', reference('{resources.StorageAccountId}', ", package, StringComparison.Ordinal);
            Assert.EndsWith("'app-package')]", package, StringComparison.Ordinal);
            Assert.Equal("UserAssignedIdentity", site.Text("properties.functionAppConfig.deployment.storage.authentication.type"));
            Assert.Equal(resources.AppIdentityId, site.Text("properties.functionAppConfig.deployment.storage.authentication.userAssignedIdentityResourceId"));
        }
    }

    [Fact]
    public void Sites_Snapshots_AllowNoBasicAuthPublishing()
    {
        foreach (var snapshot in new[] { infra.Domain, infra.Hub })
        {
            var policies = snapshot.OfType("Microsoft.Web/sites/basicPublishingCredentialsPolicies").ToList();

            Assert.Equal(["ftp", "scm"], policies.Select(p => p.Text("name")!.Split('/')[^1]).Order(StringComparer.Ordinal));
            Assert.All(policies, p => Assert.True(p.IsLiteral("properties.allow", false), p.ToJsonString()));
        }
    }

    private static void AssertEndpoints(IReadOnlyDictionary<string, string> settings, string storageAccountId)
    {
        foreach (var (setting, service) in new[] { ("Blob", "blob"), ("Queue", "queue"), ("Table", "table") })
        {
            var value = settings[$"DataMesh__Storage__{setting}ServiceUri"];
            Assert.True(DeployedResources.IsReference(value, storageAccountId, $"primaryEndpoints.{service}"), value);
        }

        Assert.DoesNotContain("DataMesh__Storage__ConnectionString", settings.Keys);
    }

    private static void AssertIdentityBasedHostStorage(IReadOnlyDictionary<string, string> settings, DeployedResources resources)
    {
        Assert.Equal(resources.StorageAccountName, settings["AzureWebJobsStorage__accountName"]);
        Assert.Equal("managedidentity", settings["AzureWebJobsStorage__credential"]);
        Assert.True(DeployedResources.IsReference(settings["AzureWebJobsStorage__clientId"], resources.AppIdentityId, "clientId"), settings["AzureWebJobsStorage__clientId"]);
        Assert.True(DeployedResources.IsReference(settings["AZURE_CLIENT_ID"], resources.AppIdentityId, "clientId"), settings["AZURE_CLIENT_ID"]);
        // A plain AzureWebJobsStorage is a connection string, i.e. a key.
        Assert.DoesNotContain("AzureWebJobsStorage", settings.Keys);
    }

    // The Durable Task hub name rule the app validates too: 3-45 letters and digits, starting with a letter.
    [GeneratedRegex("^[A-Za-z][A-Za-z0-9]{2,44}$")]
    private static partial Regex TaskHubName();
}
