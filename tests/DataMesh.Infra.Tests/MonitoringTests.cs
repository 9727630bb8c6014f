using DataMesh.Infra.Tests.Arm;

namespace DataMesh.Infra.Tests;

/// <summary>Log Analytics and Application Insights accept Entra-authenticated telemetry only.</summary>
[Collection(InfraCollection.Name)]
public sealed class MonitoringTests(InfraFixture infra)
{
    [Fact]
    public void Monitoring_EveryTemplate_DisablesLocalAuth()
    {
        var workspaces = infra.Templates.Values.SelectMany(t => t.Deployed("Microsoft.OperationalInsights/workspaces")).ToList();
        var components = infra.Templates.Values.SelectMany(t => t.Deployed("Microsoft.Insights/components")).ToList();

        Assert.NotEmpty(workspaces);
        Assert.NotEmpty(components);
        Assert.All(workspaces, w => Assert.True(w.Body.IsLiteral("properties.features.disableLocalAuth", true), $"{w} allows local auth"));
        Assert.All(components, c => Assert.True(c.Body.IsLiteral("properties.DisableLocalAuth", true), $"{c} allows local auth"));
    }

    [Fact]
    public void Apps_Snapshots_SendTelemetryWithTheirIdentityToTheirOwnComponent()
    {
        foreach (var snapshot in new[] { infra.Domain, infra.Hub })
        {
            var own = DeployedResources.Of(snapshot);
            var component = snapshot.Single("Microsoft.Insights/components");
            var settings = DeploymentSnapshot.AppSettings(snapshot.Single("Microsoft.Web/sites"));

            Assert.True(component.IsLiteral("properties.DisableLocalAuth", true));
            Assert.EndsWith("/workspaces/" + snapshot.Single("Microsoft.OperationalInsights/workspaces").Text("name"), component.Text("properties.WorkspaceResourceId"), StringComparison.Ordinal);
            Assert.True(DeployedResources.IsReference(settings["APPLICATIONINSIGHTS_CONNECTION_STRING"], own.ApplicationInsightsId, "ConnectionString"));
            Assert.StartsWith("[format('ClientId={0};Authorization=AAD', reference('" + own.AppIdentityId + "'", settings["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"], StringComparison.Ordinal);
        }
    }
}
