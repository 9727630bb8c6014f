using System.Diagnostics;
using System.Text.Json.Nodes;
using DataMesh.Consumption;
using DataMesh.Testing;

namespace DataMesh.EndToEnd.Tests;

/// <summary>
/// <c>datamesh infra hook &lt;name&gt;</c>, the azd hooks of azure.yaml, run as processes the way azd runs them: against a
/// local stand-in of Microsoft Graph (<see cref="FakeGraph"/>, given as DATAMESH_GRAPH_ENDPOINT), with a fake
/// <c>azd</c> on PATH that hands AzureDeveloperCliCredential its token and records <c>azd env set</c>, and with no
/// <c>az</c> anywhere on PATH.
/// </summary>
public sealed class InfraHookTests : IDisposable
{
    private const string NewAppId = "0a1b2c3d-0000-4000-8000-00000000a991";
    private const string ServicePrincipalId = "5e5e5e5e-0000-4000-8000-0000000005e5";
    private const string AppPrincipalId = "a9a9a9a9-0000-4000-8000-0000000000a9";
    private const string HookPrefix = "dotnet run --project src/DataMesh.Cli -c Release -- infra hook ";
    private const string CatalogUrl = "https://func-hub.azurewebsites.net/api/catalog/";

    private static readonly string Repository = RepositoryRoot.Path;

    private readonly string _root = Path.Combine(Path.GetTempPath(), "datamesh-hooks-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly FakeGraph _graph = new();

    public InfraHookTests()
    {
        Folders.Copy(Path.Combine(Repository, "pipelines"), Path.Combine(_root, "repo", "pipelines"));
        Directory.CreateDirectory(Bin);
        Directory.CreateDirectory(State);
        WriteExecutable("azd", FakeAzd);
        _graph.NewAppIds.Enqueue(NewAppId);
        _graph.NewServicePrincipalId = ServicePrincipalId;
    }

    private string Work => Path.Combine(_root, "repo");

    private string Bin => Path.Combine(_root, "bin");

    private string State => Path.Combine(_root, "state");

    public void Dispose()
    {
        _graph.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public void Path_OfEveryHookRun_HasNoAzureCli()
    {
        // The must-show: no directory the hooks see holds an `az`, so nothing below can have used it.
        Assert.All(HookPath().Split(':'), directory => Assert.False(File.Exists(Path.Combine(directory, "az")), $"{directory}/az exists"));
    }

    [Fact]
    public async Task Preprovision_HubWithNoRegistrationYet_CreatesItWithAudienceRolesV2TokensAServicePrincipalAndSetsTheAzdValue()
    {
        // Act
        var result = await HookAsync("preprovision", Hub());

        // Assert
        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Contains("datamesh validate pipelines/", result.StdOut, StringComparison.Ordinal);
        var app = Assert.Single(_graph.Applications);
        Assert.Equal("datamesh-mesh-test-api", app["displayName"]!.GetValue<string>());
        Assert.Equal("AzureADMyOrg", app["signInAudience"]!.GetValue<string>());
        Assert.Equal($"api://{NewAppId}", Assert.Single(app["identifierUris"]!.AsArray())!.GetValue<string>());
        Assert.Equal(2, app["api"]!["requestedAccessTokenVersion"]!.GetValue<int>());
        var roles = app["appRoles"]!.AsArray().Select(r => r!["value"]!.GetValue<string>()).ToList();
        Assert.Equal(["DataMesh.Domain.finance", "DataMesh.Domain.marketing", "DataMesh.Domain.sales", "DataMesh.Domain.supply-chain", "DataMesh.Domain.workforce", "DataMesh.Operator"], roles.Order(StringComparer.Ordinal));
        Assert.Equal(NewAppId, Assert.Single(_graph.ServicePrincipals)["appId"]!.GetValue<string>());
        Assert.Equal([$"azd env set MESH_API_CLIENT_ID {NewAppId}"], AzdCalls().Where(c => c.StartsWith("azd env", StringComparison.Ordinal)));
        // The registration exists and holds its roles before azd records its id.
        Assert.True(_graph.Writes().FindIndex(w => w.StartsWith("POST /v1.0/applications ", StringComparison.Ordinal))
            < _graph.Writes().FindIndex(w => w.StartsWith("PATCH", StringComparison.Ordinal)), string.Join('\n', _graph.Writes()));
    }

    [Fact]
    public async Task Preprovision_HubSecondRunWithTheIdAzdRecorded_CreatesNothingAndKeepsTheRoleIds()
    {
        // Arrange: a first run created the registration and its roles.
        Assert.Equal(0, (await HookAsync("preprovision", Hub())).ExitCode);
        var firstRoles = _graph.Applications[0]["appRoles"]!.ToJsonString();
        _graph.Exchanges.Clear();

        // Act: azd now passes MESH_API_CLIENT_ID from the environment.
        var result = await HookAsync("preprovision", Hub(("MESH_API_CLIENT_ID", NewAppId)));

        // Assert
        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Single(_graph.Applications);
        Assert.Single(_graph.ServicePrincipals);
        Assert.DoesNotContain(_graph.Writes(), w => w.StartsWith("POST", StringComparison.Ordinal));
        Assert.Equal(firstRoles, _graph.Applications[0]["appRoles"]!.ToJsonString());
        Assert.Contains($"reusing {NewAppId} (MESH_API_CLIENT_ID)", result.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EnsureApp_TwoRegistrationsWithTheName_FailsAskingWhichOneAndChangesNothing()
    {
        // Arrange
        _graph.Applications.Add(new JsonObject { ["id"] = "1", ["appId"] = "aaaaaaaa-0000-4000-8000-000000000001", ["displayName"] = "datamesh-mesh-test-api" });
        _graph.Applications.Add(new JsonObject { ["id"] = "2", ["appId"] = "bbbbbbbb-0000-4000-8000-000000000002", ["displayName"] = "datamesh-mesh-test-api" });

        // Act
        var result = await HookAsync("preprovision", Hub());

        // Assert
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("azd env set MESH_API_CLIENT_ID <appId>", result.StdErr, StringComparison.Ordinal);
        Assert.Empty(_graph.Writes());
        Assert.DoesNotContain(AzdCalls(), c => c.StartsWith("azd env", StringComparison.Ordinal));
    }

    [Fact]
    public async Task EnsureApp_ClientIdOfNoRegistration_FailsNamingIt()
    {
        // Act
        var result = await HookAsync("preprovision", Hub(("MESH_API_CLIENT_ID", "cccccccc-0000-4000-8000-000000000003")));

        // Assert
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("MESH_API_CLIENT_ID is 'cccccccc-0000-4000-8000-000000000003', but no app registration has that appId", result.StdErr, StringComparison.Ordinal);
        Assert.Empty(_graph.Writes());
    }

    [Fact]
    public async Task EnsureApp_NoRightToCreateRegistrations_FailsWithTheCommandForSomeoneWhoMay()
    {
        // Arrange
        _graph.Forbidden.Add("POST /v1.0/applications");

        // Act
        var result = await HookAsync("preprovision", Hub());

        // Assert: the hub cannot be provisioned without a registration to point at; who can make one is named.
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("Application Developer role", result.StdErr, StringComparison.Ordinal);
        Assert.Contains(HookPrefix + "ensure-app --app-name datamesh-mesh-test-api", result.StdErr, StringComparison.Ordinal);
        Assert.DoesNotContain(AzdCalls(), c => c.StartsWith("azd env", StringComparison.Ordinal));
    }

    [Fact]
    public async Task EnsureApp_ExistingRegistrationTheDeployerDoesNotOwn_WarnsWithTheOwnersCommandAndGoesOn()
    {
        // Arrange: the registration exists (someone else made it); this person may read it but not change it.
        _graph.Applications.Add(new JsonObject { ["id"] = "1", ["appId"] = NewAppId, ["displayName"] = "datamesh-mesh-test-api", ["appRoles"] = new JsonArray() });
        _graph.ServicePrincipals.Add(new JsonObject { ["id"] = ServicePrincipalId, ["appId"] = NewAppId });
        _graph.Forbidden.Add("PATCH /v1.0/applications");

        // Act
        var result = await HookAsync("preprovision", Hub(("MESH_API_CLIENT_ID", NewAppId)));

        // Assert
        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Contains("warning: could not update the mesh API app registration", result.StdErr, StringComparison.Ordinal);
        Assert.Contains(HookPrefix + $"ensure-app --app-id {NewAppId}", result.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Postprovision_DomainRoleNotYetAssigned_AssignsTheDomainRoleAndPrintsTheRegistryEntry()
    {
        // Arrange
        var roleId = ExistingMeshApi();

        // Act
        var result = await HookAsync("postprovision", Domain(
            ("AZURE_SUBSCRIPTION_ID", "00000000-0000-0000-0000-0000000072ea"),
            ("AZURE_RESOURCE_GROUP", "rg-finance"),
            ("AZURE_STORAGE_ACCOUNT_NAME", "stfinance"),
            ("DATAMESH_TOPIC_NAME", "evgt-finance"),
            ("DATAMESH_TOPIC_IDENTITY_NAME", "id-topic-finance"),
            ("DATAMESH_TOPIC_PRINCIPAL_ID", "7070707070-topic"),
            ("DATAMESH_PENDING_DOMAINS", "marketing")));

        // Assert
        Assert.True(result.ExitCode == 0, result.Output);
        var assignment = Assert.Single(_graph.Assignments);
        Assert.Equal(AppPrincipalId, assignment["principalId"]!.GetValue<string>());
        Assert.Equal(ServicePrincipalId, assignment["resourceId"]!.GetValue<string>());
        Assert.Equal(roleId, assignment["appRoleId"]!.GetValue<string>());
        Assert.Contains("now holds DataMesh.Domain.finance", result.StdOut, StringComparison.Ordinal);
        // The entry is the JSON member domains.json takes (types.bicep, RegisteredDomain), with every field set.
        var line = result.StdOut.Split('\n').Single(l => l.TrimStart().StartsWith("\"finance\": {", StringComparison.Ordinal));
        var entry = JsonNode.Parse("{" + line + "}")!["finance"]!.AsObject();
        Assert.Equal(
            ["appPrincipalId", "resourceGroup", "storageAccount", "subscriptionId", "topic", "topicIdentity", "topicPrincipalId"],
            entry.Select(p => p.Key).Order(StringComparer.Ordinal));
        Assert.DoesNotContain(entry, p => p.Value!.GetValue<string>() == "?");
        Assert.Equal(AppPrincipalId, entry["appPrincipalId"]!.GetValue<string>());
        Assert.Contains("Not wired yet (not in infra/domains.json): marketing.", result.StdOut, StringComparison.Ordinal);
        var types = File.ReadAllText(Path.Combine(Repository, "infra", "types.bicep"));
        Assert.All(entry, p => Assert.Contains($"  {p.Key}: string", types, StringComparison.Ordinal));
    }

    [Fact]
    public async Task GrantDomain_AlreadyAssigned_PostsNothing()
    {
        // Arrange
        var roleId = ExistingMeshApi();
        _graph.Assignments.Add(new JsonObject { ["principalId"] = AppPrincipalId, ["resourceId"] = ServicePrincipalId, ["appRoleId"] = roleId });

        // Act
        var result = await HookAsync("grant-domain", Domain());

        // Assert
        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Empty(_graph.Writes());
        Assert.Contains("already holds DataMesh.Domain.finance", result.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Postprovision_GraphRefusesTheGrant_RetriesThenWarnsWithTheCommandForTheOperatorAndExitsZero()
    {
        // Arrange: the deployer may not assign app roles on the hub's service principal.
        ExistingMeshApi();
        _graph.Forbidden.Add($"POST /v1.0/servicePrincipals/{ServicePrincipalId}/appRoleAssignedTo");

        // Act
        var result = await HookAsync("postprovision", Domain(("MESH_API_GRANT_ATTEMPTS", "2"), ("MESH_API_GRANT_DELAY", "0")));

        // Assert: the domain is provisioned either way (azd goes on to deploy); what is missing, and how to fix it, is said.
        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Equal(2, _graph.Writes().Count(w => w.StartsWith("POST", StringComparison.Ordinal)));
        Assert.Contains("warning: could not give the app identity", result.StdErr, StringComparison.Ordinal);
        Assert.Contains("Cloud Application Administrator", result.StdErr, StringComparison.Ordinal);
        Assert.Contains(HookPrefix + $"grant-domain --domain finance --mesh-api-client-id {NewAppId} --principal-id {AppPrincipalId}", result.StdErr, StringComparison.Ordinal);
        Assert.Contains("provisioned in", result.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Postprovision_HubHasNoRoleForTheDomain_WarnsToReprovisionTheHub()
    {
        // Arrange: the service principal exists, but the domain's role was never added (the hub ran before the folder).
        _graph.Applications.Add(new JsonObject { ["id"] = "1", ["appId"] = NewAppId, ["displayName"] = "datamesh-mesh-test-api", ["appRoles"] = new JsonArray() });
        _graph.ServicePrincipals.Add(new JsonObject { ["id"] = ServicePrincipalId, ["appId"] = NewAppId });

        // Act
        var result = await HookAsync("postprovision", Domain());

        // Assert
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("no enabled app role DataMesh.Domain.finance", result.StdErr, StringComparison.Ordinal);
        Assert.Empty(_graph.Writes());
    }

    [Fact]
    public async Task Postprovision_NotSignedIn_WarnsWithTheSignInAndStillExitsZero()
    {
        // Arrange: azd gives no token (what `set -e` and a signed-out `az` turned into a stopped `azd up`).
        ExistingMeshApi();
        File.WriteAllText(Path.Combine(State, "signed_out"), "");

        // Act
        var result = await HookAsync("postprovision", Domain());

        // Assert
        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Contains("azd auth login", result.StdErr, StringComparison.Ordinal);
        Assert.Contains("Domain finance provisioned in", result.StdOut, StringComparison.Ordinal);
        Assert.Empty(_graph.Exchanges);
    }

    [Fact]
    public async Task Preprovision_DomainWithTheHubsClientId_WritesTheSubscriptionsFileMainBicepLoads()
    {
        // Act
        var result = await HookAsync("preprovision", Domain(("MESH_OPERATOR_PRINCIPAL_ID", "0p0p0p0p")));

        // Assert: byte for byte what is committed for the same specs; Graph is not called for a domain.
        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Equal(
            File.ReadAllText(Path.Combine(Repository, "infra", "generated", "subscriptions.json")),
            File.ReadAllText(Path.Combine(Work, "infra", "generated", "subscriptions.json")));
        Assert.Contains("Provisioning domain 'finance'", result.StdOut, StringComparison.Ordinal);
        Assert.Empty(_graph.Exchanges);
    }

    [Theory]
    [InlineData("MESH_API_CLIENT_ID", "", "not set: MESH_API_CLIENT_ID")]
    [InlineData("DATAMESH_DOMAIN", "nowhere", "no pipelines/nowhere/ folder")]
    [InlineData("DATAMESH_MODE", "hubb", "DATAMESH_MODE is 'hubb'")]
    public async Task Preprovision_DomainEnvironmentIncomplete_FailsSayingWhatToSet(string name, string value, string expected)
    {
        // Act
        var result = await HookAsync("preprovision", Domain((name, value)));

        // Assert
        Assert.Equal(1, result.ExitCode);
        Assert.Contains(expected, result.StdErr, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(Work, "infra", "generated", "subscriptions.json")));
    }

    [Fact]
    public async Task Prepackage_InvalidSpec_FailsWithTheDiagnostic()
    {
        // Arrange
        var spec = Directory.EnumerateFiles(Path.Combine(Work, "pipelines", "finance"), "product.yaml", SearchOption.AllDirectories).First();
        File.AppendAllText(spec, "\ntransfrom: x\n");

        // Act
        var result = await HookAsync("prepackage", Domain());

        // Assert
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("transfrom", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EnsureApp_ClientIdCarryingODataOrAPath_RefusesWithoutCallingGraph()
    {
        // Act: an attacker-shaped value where an appId goes into a Graph URL.
        var result = await HookAsync("preprovision", Hub(("MESH_API_CLIENT_ID", "x')/owners/$ref?$filter=('")));

        // Assert
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("not an appId (a GUID", result.StdErr, StringComparison.Ordinal);
        Assert.Empty(_graph.Exchanges);
    }

    [Fact]
    public async Task Postprovision_PrincipalIdNotAGuid_WarnsWithoutCallingGraph()
    {
        // Arrange
        ExistingMeshApi();

        // Act
        var result = await HookAsync("postprovision", Domain(("DATAMESH_APP_PRINCIPAL_ID", "../../applications")));

        // Assert
        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Contains("must be a domain name and two GUIDs", result.StdErr, StringComparison.Ordinal);
        Assert.Empty(_graph.Exchanges);
    }

    [Fact]
    public async Task GrantDomain_GraphEndpointPlainHttpOffLoopback_RefusesBeforeAskingForAToken()
    {
        // Act
        var result = await HookAsync("grant-domain", Domain(("DATAMESH_GRAPH_ENDPOINT", "http://graph.example.test/")));

        // Assert
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("not an https URL", result.StdErr, StringComparison.Ordinal);
        Assert.DoesNotContain(AzdCalls(), c => c.StartsWith("azd auth", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("posix", "sh")]
    [InlineData("windows", "pwsh")]
    public async Task AzureYamlHook_VariantRunByItsShell_CallsTheHookCommandWithoutAz(string variant, string shell)
    {
        // Arrange: the postprovision line exactly as azure.yaml has it; `dotnet` on PATH is a shim that records its
        // arguments and runs the built CLI with what follows `--` (no build in a test).
        var run = AzureYamlRun("postprovision", variant, shell);
        Assert.Equal(HookPrefix + "postprovision", run);
        var roleId = ExistingMeshApi();
        WriteExecutable("dotnet", $$"""
            #!/bin/sh
            printf '%s\n' "dotnet $*" >>"$FAKE_STATE/dotnet.log"
            while [ $# -gt 0 ] && [ "$1" != "--" ]; do shift; done
            shift
            exec /usr/bin/dotnet "{{Path.Combine(AppContext.BaseDirectory, "datamesh.dll")}}" "$@"
            """);
        string[] arguments = shell == "sh" ? ["/bin/sh", "-c", run] : ["/usr/bin/dotnet", PowerShell(), "-NoProfile", "-NonInteractive", "-Command", run];

        // Act
        var result = await RunAsync(arguments, Domain());

        // Assert
        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Equal("dotnet " + run["dotnet ".Length..], File.ReadAllLines(Path.Combine(State, "dotnet.log")).Single());
        Assert.Equal(roleId, Assert.Single(_graph.Assignments)["appRoleId"]!.GetValue<string>());
        Assert.Contains("Domain finance provisioned in", result.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Postprovision_HubCatalogNotYetARedirectUri_AddsItAsASpaRedirectUriKeepingTheOthers()
    {
        // Arrange: the registration already has another SPA redirect URI (someone's own client).
        ExistingMeshApi();
        _graph.Applications[0]["spa"] = new JsonObject { ["redirectUris"] = new JsonArray("https://tools.example.org/") };

        // Act
        var result = await HookAsync("postprovision", Hub(("MESH_API_CLIENT_ID", NewAppId), ("DATAMESH_CATALOG_URL", CatalogUrl)));

        // Assert
        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Equal(["https://tools.example.org/", CatalogUrl], _graph.Applications[0]["spa"]!["redirectUris"]!.AsArray().Select(u => u!.GetValue<string>()));
        Assert.Contains("is now a SPA redirect URI", result.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Postprovision_HubCatalogAlreadyARedirectUri_WritesNothing()
    {
        // Arrange
        ExistingMeshApi();
        _graph.Applications[0]["spa"] = new JsonObject { ["redirectUris"] = new JsonArray(CatalogUrl) };

        // Act
        var result = await HookAsync("postprovision", Hub(("MESH_API_CLIENT_ID", NewAppId), ("DATAMESH_CATALOG_URL", CatalogUrl)));

        // Assert
        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Empty(_graph.Writes());
        Assert.Contains("is already a SPA redirect URI", result.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Postprovision_HubMayNotUpdateTheRegistration_WarnsWithTheCommandForAnOwnerAndExitsZero()
    {
        // Arrange
        ExistingMeshApi();
        _graph.Forbidden.Add("PATCH /v1.0/applications");

        // Act
        var result = await HookAsync("postprovision", Hub(("MESH_API_CLIENT_ID", NewAppId), ("DATAMESH_CATALOG_URL", CatalogUrl)));

        // Assert: the hub is provisioned and deploys; only the page cannot sign anyone in until an owner runs the command.
        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Contains(HookPrefix + $"ensure-app --app-id {NewAppId} --catalog-url {CatalogUrl}", result.StdErr, StringComparison.Ordinal);
    }

    /// <summary>A hub registration and service principal holding the finance role, as a hub's preprovision leaves them; the role id.</summary>
    private string ExistingMeshApi()
    {
        var roles = MeshApiAppRoles.Merge(["finance"], null);
        _graph.Applications.Add(new JsonObject { ["id"] = "1", ["appId"] = NewAppId, ["displayName"] = "datamesh-mesh-test-api", ["appRoles"] = roles });
        _graph.ServicePrincipals.Add(new JsonObject { ["id"] = ServicePrincipalId, ["appId"] = NewAppId });
        return roles.Single(r => r!["value"]!.GetValue<string>() == "DataMesh.Domain.finance")!["id"]!.GetValue<string>();
    }

    private static Dictionary<string, string> Hub(params (string Name, string Value)[] extra) =>
        With(new() { ["AZURE_ENV_NAME"] = "mesh-test", ["DATAMESH_MODE"] = "hub" }, extra);

    private static Dictionary<string, string> Domain(params (string Name, string Value)[] extra) =>
        With(
            new()
            {
                ["AZURE_ENV_NAME"] = "finance",
                ["DATAMESH_DOMAIN"] = "finance",
                ["MESH_API_CLIENT_ID"] = NewAppId,
                ["DATAMESH_APP_PRINCIPAL_ID"] = AppPrincipalId,
            },
            extra);

    private static Dictionary<string, string> With(Dictionary<string, string> environment, (string Name, string Value)[] extra)
    {
        foreach (var (name, value) in extra)
        {
            environment[name] = value;
        }

        return environment;
    }

    private List<string> AzdCalls()
    {
        var log = Path.Combine(State, "azd.log");
        return File.Exists(log) ? [.. File.ReadAllLines(log)] : [];
    }

    private string HookPath() => Bin + ":/usr/bin:/bin";

    private Task<Result> HookAsync(string hook, Dictionary<string, string> environment) =>
        RunAsync(["/usr/bin/dotnet", Path.Combine(AppContext.BaseDirectory, "datamesh.dll"), "infra", "hook", hook], environment);

    private async Task<Result> RunAsync(string[] command, Dictionary<string, string> environment)
    {
        var start = new ProcessStartInfo(command[0]) { WorkingDirectory = Work, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in command.Skip(1))
        {
            start.ArgumentList.Add(argument);
        }

        // Only the fakes and the basic tools: a real az or azd on this machine must never be reached, nor a real tenant.
        start.Environment.Clear();
        start.Environment["PATH"] = HookPath();
        start.Environment["HOME"] = _root;
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["FAKE_STATE"] = State;
        start.Environment["DATAMESH_GRAPH_ENDPOINT"] = _graph.Endpoint;
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        await process.WaitForExitAsync(timeout.Token);
        return new Result(process.ExitCode, await stdout, await stderr);
    }

    private static string AzureYamlRun(string hook, string variant, string shell)
    {
        var yaml = new YamlDotNet.RepresentationModel.YamlStream();
        using (var reader = new StringReader(File.ReadAllText(Path.Combine(Repository, "azure.yaml"))))
        {
            yaml.Load(reader);
        }

        var root = (YamlDotNet.RepresentationModel.YamlMappingNode)yaml.Documents[0].RootNode;
        var entry = (YamlDotNet.RepresentationModel.YamlMappingNode)root["hooks"][hook][variant];
        Assert.Equal(shell, entry["shell"].ToString());
        return entry["run"].ToString();
    }

    /// <summary>pwsh of the repository's dotnet local tool (.config/dotnet-tools.json; `dotnet tool restore` installs it).</summary>
    private static string PowerShell()
    {
        var manifest = JsonNode.Parse(File.ReadAllText(Path.Combine(Repository, ".config", "dotnet-tools.json")))!;
        var version = manifest["tools"]!["powershell"]!["version"]!.GetValue<string>();
        var packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } configured
            ? configured
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        var tool = Directory.Exists(Path.Combine(packages, "powershell", version, "tools"))
            ? Directory.EnumerateFiles(Path.Combine(packages, "powershell", version, "tools"), "pwsh.dll", SearchOption.AllDirectories)
                .FirstOrDefault(f => Path.GetFileName(Path.GetDirectoryName(f)) == (OperatingSystem.IsWindows() ? "win" : "unix"))
            : null;
        Assert.True(tool is not null, $"pwsh {version} is not restored under {packages}: run `dotnet tool restore` in the repository.");
        return tool;
    }

    private void WriteExecutable(string name, string text)
    {
        var path = Path.Combine(Bin, name);
        File.WriteAllText(path, text.ReplaceLineEndings("\n"));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, File.GetUnixFileMode(path) | UnixFileMode.UserExecute);
        }
    }

    private sealed record Result(int ExitCode, string StdOut, string StdErr)
    {
        public string Output => StdOut + StdErr;
    }

    // A stand-in for azd: `auth token` answers as azd does (the JSON AzureDeveloperCliCredential reads) unless
    // $FAKE_STATE/signed_out exists; `env set` is recorded; anything else is refused.
    private const string FakeAzd = $$"""
        #!/bin/sh
        printf '%s\n' "azd $*" >>"$FAKE_STATE/azd.log"
        case "$1 $2" in
          "auth token")
            if [ -f "$FAKE_STATE/signed_out" ]; then echo "ERROR: fetching token: not logged in, run \`azd auth login\` to login" >&2; exit 1; fi
            printf '%s\n' '{"token":"{{FakeGraph.Token}}","expiresOn":"2099-01-01T00:00:00Z"}' ;;
          "env set") ;;
          *) echo "fake azd: unexpected call: $*" >&2; exit 9 ;;
        esac
        """;
}
