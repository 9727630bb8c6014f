using System.Text.Json.Nodes;
using System.Xml.Linq;
using DataMesh.Infra.Tests.Arm;
using YamlDotNet.RepresentationModel;

namespace DataMesh.Infra.Tests;

/// <summary>
/// What Flex Consumption asks of the templates: a region that has the plan, azd's service tag on the site alone, the
/// durable group's always-ready instances as a parameter, and who may re-provision a domain (issue 20, items 4 and 6).
/// </summary>
[Collection(InfraCollection.Name)]
public sealed class FlexConsumptionTests(InfraFixture infra)
{
    private const string SiteType = "Microsoft.Web/sites";
    private const string PlanType = "Microsoft.Web/serverfarms";
    private const string ServiceTag = "azd-service-name";

    [Fact]
    public void Location_MainTemplate_AllowsOnlyFlexConsumptionRegions()
    {
        // Act
        var allowed = infra.Templates["main.bicep"].Root.Strings("parameters.location.allowedValues");

        // Assert: a region without Flex Consumption fails at parameter validation, not at site creation.
        Assert.Contains(TestDeployment.Location, allowed);
        Assert.Contains("eastus2", allowed);
        Assert.Contains("swedencentral", allowed);
        Assert.All(new[] { "francesouth", "westindia", "germanynorth", "chinaeast2", "usgovvirginia" }, region => Assert.DoesNotContain(region, allowed));
        Assert.All(allowed, region => Assert.Matches("^[a-z0-9]+$", region));
    }

    [Fact]
    public void ServiceTag_Snapshots_IsOnTheSiteOnlyNotThePlan()
    {
        foreach (var snapshot in new[] { infra.Domain, infra.Hub })
        {
            // Act
            var tagged = snapshot.Resources.Where(r => r.At($"tags.{ServiceTag}") is not null).ToList();

            // Assert: azd deploys the `functions` service to the one resource carrying the tag.
            var site = Assert.Single(tagged);
            Assert.Equal(SiteType, site.Text("type"));
            Assert.Equal("functions", site.Text($"tags.{ServiceTag}"));
            Assert.Null(snapshot.Single(PlanType).At($"tags.{ServiceTag}"));
            Assert.NotNull(snapshot.Single(PlanType).At("tags.azd-env-name"));
        }
    }

    [Fact]
    public void DurableAlwaysReady_MainTemplate_DefaultsToZero()
    {
        // Act
        var parameter = infra.Templates["main.bicep"].Root.At("parameters.durableAlwaysReady");

        // Assert: always-ready instances are billed all month; none unless the operator chooses them.
        Assert.Equal("int", parameter.Text("type"));
        Assert.Equal(0, parameter?["defaultValue"]?.GetValue<int>());
        Assert.Equal(0, parameter?["minValue"]?.GetValue<int>());
    }

    [Fact]
    public void DurableAlwaysReady_DomainSnapshot_KeepsThatManyInstancesOfTheDurableGroup()
    {
        // Act
        var alwaysReady = infra.Domain.Single(SiteType).At("properties.functionAppConfig.scaleAndConcurrency.alwaysReady") as JsonArray;

        // Assert
        var group = Assert.Single(alwaysReady ?? []);
        Assert.Equal("durable", group.Text("name"));
        Assert.Equal(TestDeployment.DurableAlwaysReady, group?["instanceCount"]?.GetValue<int>());
    }

    [Fact]
    public void DurableAlwaysReady_HubSnapshotWithDefault_ScalesEveryGroupToZero()
    {
        // Act
        var alwaysReady = infra.Hub.Single(SiteType).At("properties.functionAppConfig.scaleAndConcurrency.alwaysReady") as JsonArray;

        // Assert
        Assert.NotNull(alwaysReady);
        Assert.Empty(alwaysReady);
    }

    [Fact]
    public void OperatorsGroup_DomainSnapshot_ReadsTheVaultsSecretsSoItCanReprovision()
    {
        // Arrange
        var vault = infra.Domain.Single(KeyVaultTests.VaultType).Text("id")!;

        // Act
        var grants = infra.Domain.OfType("Microsoft.Authorization/roleAssignments").Select(RoleAssignment.From)
            .Where(a => a.Principal == TestDeployment.OperatorsGroupId)
            .ToList();

        // Assert: Key Vault Secrets User on this vault only (azd's secretOrRandomPassword reads the masking key back).
        var grant = Assert.Single(grants);
        Assert.Equal(BuiltInRole.KeyVaultSecretsUser, grant.RoleDefinitionId);
        Assert.Equal("Group", grant.PrincipalType);
        Assert.Equal(vault, grant.Scope);
    }

    [Fact]
    public void AzureYaml_FunctionsService_PublishesTheProjectForLinuxX64ReadyToRun()
    {
        // Arrange: azd packages a dotnet service with `dotnet publish <project>`: only the project's own properties apply.
        using var reader = new StringReader(File.ReadAllText(Path.Combine(RepositoryRoot.Path, "azure.yaml")));
        var yaml = new YamlStream();
        yaml.Load(reader);
        var service = (YamlMappingNode)((YamlMappingNode)((YamlMappingNode)yaml.Documents[0].RootNode)["services"])["functions"];
        var project = ((YamlScalarNode)service["project"]).Value!;

        // Act
        var properties = XDocument.Load(Path.Combine(RepositoryRoot.Path, project, "DataMesh.Functions.csproj"))
            .Descendants("PropertyGroup").Elements()
            .GroupBy(e => e.Name.LocalName)
            .ToDictionary(g => g.Key, g => g.Last().Value.Trim(), StringComparer.Ordinal);

        // Assert
        Assert.Equal("linux-x64", properties.GetValueOrDefault("RuntimeIdentifier"));
        Assert.Equal("false", properties.GetValueOrDefault("SelfContained"));
        Assert.Equal("true", properties.GetValueOrDefault("PublishReadyToRun"));
        Assert.DoesNotContain("RuntimeIdentifiers", properties.Keys);
    }

    [Fact]
    public void OperatorsGroup_MainParameters_ComesFromTheAzdEnvironment()
    {
        // Arrange
        var file = JsonNode.Parse(File.ReadAllText(Path.Combine(InfraFixture.SourceDirectory, "main.parameters.json")));

        // Act
        var group = file.Text("parameters.domainOperatorsGroupId.value");
        var alwaysReady = file.Text("parameters.durableAlwaysReady.value");

        // Assert
        Assert.Equal("${DATAMESH_OPERATORS_GROUP_ID}", group);
        Assert.Equal("${DATAMESH_DURABLE_ALWAYS_READY=0}", alwaysReady);
    }
}
