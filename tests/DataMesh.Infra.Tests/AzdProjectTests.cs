using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using DataMesh.Infra.Tests.Arm;
using YamlDotNet.RepresentationModel;

namespace DataMesh.Infra.Tests;

/// <summary>azure.yaml, main.parameters.json and main.bicep fit together the way azd uses them.</summary>
[Collection(InfraCollection.Name)]
public sealed partial class AzdProjectTests(InfraFixture infra)
{
    private static readonly YamlMappingNode AzureYaml = LoadAzureYaml();

    [Fact]
    public void AzureYaml_FunctionsService_DeploysTheFunctionsProjectThatBicepTags()
    {
        var service = Mapping(Mapping(AzureYaml, "services"), "functions");
        var project = Scalar(service, "project");

        Assert.Equal("function", Scalar(service, "host"));
        Assert.Equal("dotnet", Scalar(service, "language"));
        Assert.True(File.Exists(Path.Combine(RepositoryRoot.Path, project, "DataMesh.Functions.csproj")), $"{project} holds no DataMesh.Functions.csproj");
        foreach (var snapshot in new[] { infra.Domain, infra.Hub })
        {
            Assert.Equal("functions", snapshot.Single("Microsoft.Web/sites").Text("tags.azd-service-name"));
        }
    }

    [Fact]
    public void AzureYaml_Infra_IsTheBicepModuleMain()
    {
        var infraSection = Mapping(AzureYaml, "infra");

        Assert.Equal("bicep", Scalar(infraSection, "provider"));
        Assert.Equal("infra", Scalar(infraSection, "path"));
        Assert.Equal("main", Scalar(infraSection, "module"));
        // azd provisions main at subscription scope: it creates the environment's resource group itself.
        Assert.Contains("subscriptionDeploymentTemplate", infra.Templates["main.bicep"].Root["$schema"]?.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public void AzureYaml_Hooks_AreOneLineCallsOfTheCliForShAndPwsh()
    {
        var hooks = Mapping(AzureYaml, "hooks");

        // The logic is C# (datamesh infra hook, tested in EndToEnd.Tests' InfraHookTests); the hooks only call it, the
        // same on Linux and macOS (sh) as on Windows (pwsh).
        Assert.Equal(["postprovision", "prepackage", "preprovision"], hooks.Children.Keys.Select(k => ((YamlScalarNode)k).Value!).Order(StringComparer.Ordinal));
        Assert.All(hooks.Children, h =>
        {
            var name = ((YamlScalarNode)h.Key).Value!;
            var hook = (YamlMappingNode)h.Value;
            Assert.False(hook.Children.ContainsKey(new YamlScalarNode("run")), $"{name}: a run for every OS; use posix and windows");
            foreach (var (variant, shell) in new[] { ("posix", "sh"), ("windows", "pwsh") })
            {
                var entry = Mapping(hook, variant);
                Assert.Equal(shell, Scalar(entry, "shell"));
                Assert.Equal($"dotnet run --project src/DataMesh.Cli -c Release -- infra hook {name}", Scalar(entry, "run"));
                Assert.Equal("false", Scalar(entry, "continueOnError"));
            }
        });
        Assert.True(File.Exists(Path.Combine(RepositoryRoot.Path, "src", "DataMesh.Cli", "DataMesh.Cli.csproj")));
        Assert.False(Directory.Exists(Path.Combine(RepositoryRoot.Path, "infra", "hooks")), "infra/hooks/: the hooks' logic is C# now");
    }

    [Fact]
    public void MainBicep_LoadsTheSubscriptionsFileThePreprovisionHookRegenerates()
    {
        var main = File.ReadAllText(Path.Combine(InfraFixture.SourceDirectory, "main.bicep"));
        var hook = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "src", "DataMesh.Cli", "Commands", "InfraHookCommand.cs"));

        Assert.Contains("\"infra/generated/subscriptions.json\"", hook, StringComparison.Ordinal);
        Assert.Contains("loadJsonContent('generated/subscriptions.json')", main, StringComparison.Ordinal);
    }

    [Fact]
    public void MainParameters_EveryValue_MapsAnAzdVariableToADeclaredParameter()
    {
        var declared = infra.Templates["main.bicep"].Root["parameters"]!.AsObject();
        var file = JsonNode.Parse(File.ReadAllText(Path.Combine(InfraFixture.SourceDirectory, "main.parameters.json")));
        var mapped = file!["parameters"]!.AsObject();

        var unknown = mapped.Select(p => p.Key).Where(p => !declared.ContainsKey(p)).ToList();
        var required = declared.Where(p => p.Value?["defaultValue"] is null).Select(p => p.Key).Where(p => !mapped.ContainsKey(p)).ToList();

        Assert.True(unknown.Count == 0, "main.parameters.json sets undeclared parameters: " + string.Join(", ", unknown));
        Assert.True(required.Count == 0, "main.parameters.json leaves required parameters unset: " + string.Join(", ", required));
        Assert.All(mapped, p =>
        {
            var value = p.Value?["value"]?.GetValue<string>() ?? "";
            if (AzdSecret().IsMatch(value))
            {
                // azd's generated secrets go only into secure parameters (never logged, never in outputs).
                Assert.Equal("securestring", declared[p.Key]?["type"]?.GetValue<string>());
            }
            else
            {
                Assert.Matches(AzdVariable(), value);
            }
        });
    }

    [Fact]
    public void MainParameters_MaskingKey_IsReadBackFromTheVaultTheDomainOutputs()
    {
        var file = JsonNode.Parse(File.ReadAllText(Path.Combine(InfraFixture.SourceDirectory, "main.parameters.json")));
        var value = file!["parameters"]!["maskingKey"]?["value"]?.GetValue<string>() ?? "";
        var vault = infra.Domain.Single(KeyVaultTests.VaultType);

        // Random on the first provision, then the secret itself: re-provisioning must not change the masking key.
        var match = AzdSecret().Match(value);
        Assert.True(match.Success, value);
        Assert.Equal(vault.Text("name"), infra.Domain.Output(match.Groups["vault"].Value));
        Assert.EndsWith("/secrets/" + match.Groups["secret"].Value, infra.Domain.Single(KeyVaultTests.SecretType).Text("id"), StringComparison.Ordinal);
    }

    [Fact]
    public void ResourceGroups_Snapshots_CarryTheAzdEnvironmentTag()
    {
        Assert.Equal(TestDeployment.DomainEnvironment, infra.Domain.Single("Microsoft.Resources/resourceGroups").Text("tags.azd-env-name"));
        Assert.Equal(TestDeployment.HubEnvironment, infra.Hub.Single("Microsoft.Resources/resourceGroups").Text("tags.azd-env-name"));
        Assert.Equal("rg-" + TestDeployment.DomainEnvironment, infra.Domain.Output("AZURE_RESOURCE_GROUP"));
    }

    [Fact]
    public void MainOutputs_DomainSnapshot_NameWhatTheRegistryRecords()
    {
        // azd writes outputs back into the environment; the postprovision hook prints the registry entry from them.
        var own = DeployedResources.Of(infra.Domain);
        var topic = infra.Domain.Single("Microsoft.EventGrid/topics");
        var topicIdentity = own.Identity("id-topic-");

        Assert.Equal(TestDeployment.OperatorPrincipalId, infra.Domain.Output("MESH_OPERATOR_PRINCIPAL_ID"));
        Assert.Equal(TestDeployment.Domain, infra.Domain.Output("DATAMESH_DOMAIN"));
        Assert.Equal(own.StorageAccountName, infra.Domain.Output("AZURE_STORAGE_ACCOUNT_NAME"));
        Assert.Equal(topic.Text("name"), infra.Domain.Output("DATAMESH_TOPIC_NAME"));
        Assert.Equal(topicIdentity[(topicIdentity.LastIndexOf('/') + 1)..], infra.Domain.Output("DATAMESH_TOPIC_IDENTITY_NAME"));
        Assert.NotNull(infra.Domain.Output("DATAMESH_TOPIC_PRINCIPAL_ID"));
    }

    [Fact]
    public void MainOutputs_HubSnapshot_NameWhatItsDomainsNeed()
    {
        Assert.Equal(TestDeployment.MeshApiClientId, infra.Hub.Output("MESH_API_CLIENT_ID"));
        Assert.Equal(infra.Hub.Single("Microsoft.EventGrid/topics").Text("name"), infra.Hub.Output("MESH_TOPIC_NAME"));
    }

    [Fact]
    public void AzureYaml_Infra_DeploysAsAStackThatDeletesWhatLeavesTheTemplate()
    {
        // Grants and subscriptions derived from the generated files must go when they leave them (complete-mode-like).
        var infraNode = (YamlMappingNode)LoadAzureYaml().Children[new YamlScalarNode("infra")];
        var stacks = (YamlMappingNode)infraNode.Children[new YamlScalarNode("deploymentStacks")];
        var onUnmanage = (YamlMappingNode)stacks.Children[new YamlScalarNode("actionOnUnmanage")];

        Assert.Equal("delete", ((YamlScalarNode)onUnmanage.Children[new YamlScalarNode("resources")]).Value);
    }

    private static YamlMappingNode LoadAzureYaml()
    {
        var stream = new YamlStream();
        using var reader = new StreamReader(Path.Combine(RepositoryRoot.Path, "azure.yaml"));
        stream.Load(reader);
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    private static YamlMappingNode Mapping(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var child) && child is YamlMappingNode mapping
            ? mapping
            : throw new Xunit.Sdk.XunitException($"azure.yaml: no mapping '{key}'");

    private static string Scalar(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var child) && child is YamlScalarNode { Value: { } value }
            ? value
            : throw new Xunit.Sdk.XunitException($"azure.yaml: no scalar '{key}'");

    [GeneratedRegex(@"^\$\{[A-Z][A-Z0-9_]*(=[^}]*)?\}$")]
    private static partial Regex AzdVariable();

    [GeneratedRegex(@"^\$\(secretOrRandomPassword \$\{(?<vault>[A-Z][A-Z0-9_]*)\} (?<secret>[a-z0-9-]+)\)$")]
    private static partial Regex AzdSecret();
}
