using DataMesh.Infra.Tests.Arm;

namespace DataMesh.Infra.Tests;

/// <summary>
/// The app learns its instance size from the plan (issue 20 item 3): the compiled templates pass the plan's
/// <c>instanceMemoryMB</c> as <c>DataMesh__Pipeline__InstanceMemoryMB</c>, from which the app derives DuckDB's limits
/// (EngineLimits), and set no fixed memory limit that would override the derivation.
/// </summary>
[Collection(InfraCollection.Name)]
public sealed class EngineLimitsSettingTests(InfraFixture infra)
{
    private const string SiteType = "Microsoft.Web/sites";

    [Fact]
    public void AppSettings_DomainHubAndLargerDomain_CarryThePlansInstanceMemoryAndNoFixedLimit()
    {
        foreach (var (snapshot, expected) in new[] { (infra.Domain, 2048), (infra.Hub, 2048), (infra.Marketing, TestDeployment.MarketingInstanceMemoryMB) })
        {
            var site = snapshot.Single(SiteType);
            var settings = DeploymentSnapshot.AppSettings(site);

            Assert.Equal(expected.ToString(System.Globalization.CultureInfo.InvariantCulture), site.At("properties.functionAppConfig.scaleAndConcurrency.instanceMemoryMB")?.ToJsonString());
            Assert.Equal(expected.ToString(System.Globalization.CultureInfo.InvariantCulture), settings["DataMesh__Pipeline__InstanceMemoryMB"]);
            Assert.DoesNotContain("DataMesh__Pipeline__MemoryLimit", settings.Keys);
        }
    }
}
