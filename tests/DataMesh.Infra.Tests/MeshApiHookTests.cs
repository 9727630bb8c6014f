using System.Diagnostics;
using System.Text.Json.Nodes;

namespace DataMesh.Infra.Tests;

/// <summary>
/// <c>infra/hooks/mesh-api.sh</c>, run for real by <c>sh</c> against fake <c>az</c>, <c>azd</c> and <c>datamesh</c>
/// commands that record every call and answer from a state folder (there is no Entra tenant here): the hub's hook
/// creates the mesh API app registration once and reuses it after, the domain's grants its identity the domain role.
/// </summary>
public sealed class MeshApiHookTests : IDisposable
{
    private const string NewAppId = "0a1b2c3d-0000-4000-8000-00000000a991";
    private const string ServicePrincipalId = "5e5e5e5e-0000-4000-8000-0000000005e5";
    private const string DomainRoleId = "d0d0d0d0-0000-4000-8000-0000000000d0";
    private const string AppPrincipalId = "a9a9a9a9-0000-4000-8000-0000000000a9";

    /// <summary>What the fake datamesh prints for <c>infra app-roles</c>.</summary>
    private const string GeneratedRoles = """[{"allowedMemberTypes":["Application","User"],"description":"d","displayName":"DataMesh operator","id":"11111111-0000-4000-8000-000000000001","isEnabled":true,"value":"DataMesh.Operator"}]""";

    private static readonly string Script = Path.Combine(RepositoryRoot.Path, "infra", "hooks", "mesh-api.sh");

    private readonly string _root = Path.Combine(Path.GetTempPath(), "datamesh-hook-tests-" + Guid.NewGuid().ToString("N")[..8]);

    public MeshApiHookTests()
    {
        Directory.CreateDirectory(Bin);
        Directory.CreateDirectory(State);
        WriteExecutable("az", FakeAz);
        WriteExecutable("azd", FakeAzd);
        WriteExecutable("datamesh", FakeDatamesh);
        File.WriteAllText(Path.Combine(State, "next_app_id"), NewAppId + "\n");
    }

    private string Bin => Path.Combine(_root, "bin");

    private string State => Path.Combine(_root, "state");

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void Script_IsAnExecutablePosixShellScriptThatParses()
    {
        if (!OperatingSystem.IsWindows())
        {
            Assert.True(File.GetUnixFileMode(Script).HasFlag(UnixFileMode.UserExecute), $"{Script} is not executable");
        }

        var (exitCode, _, stderr) = Run(["-n", Script], []);
        Assert.True(exitCode == 0, stderr);
        Assert.StartsWith("#!/bin/sh\n", File.ReadAllText(Script), StringComparison.Ordinal);
    }

    [Fact]
    public void EnsureApp_NoRegistrationYet_CreatesItWithAudienceRolesV2TokensAServicePrincipalAndSetsTheAzdValue()
    {
        // Act
        var (exitCode, stdout, stderr) = Run([Script, "ensure-app"], Variables("mesh-test"));

        // Assert
        Assert.True(exitCode == 0, stderr + stdout);
        var calls = Calls();
        Assert.Contains("az ad app list --display-name datamesh-mesh-test-api --query [].appId -o tsv", calls);
        Assert.Contains("az ad app create --display-name datamesh-mesh-test-api --sign-in-audience AzureADMyOrg --query appId -o tsv", calls);
        Assert.Contains($"az ad app update --id {NewAppId} --identifier-uris api://{NewAppId}", calls);
        Assert.Contains(calls, c => c.StartsWith($"az ad app update --id {NewAppId} --app-roles @", StringComparison.Ordinal));
        Assert.Contains(
            $"az rest --method PATCH --url https://graph.microsoft.com/v1.0/applications(appId='{NewAppId}') --headers Content-Type=application/json --body {{\"api\":{{\"requestedAccessTokenVersion\":2}}}}",
            calls);
        Assert.Contains($"az ad sp create --id {NewAppId} --query id -o tsv", calls);
        Assert.Contains($"azd env set MESH_API_CLIENT_ID {NewAppId}", calls);
        // The roles written are exactly what `datamesh infra app-roles` generated, from the specs and the current roles.
        Assert.Equal(JsonNode.Parse(GeneratedRoles)!.ToJsonString(), JsonNode.Parse(File.ReadAllText(Path.Combine(State, "roles.json")))!.ToJsonString());
        Assert.Contains(calls, c => c.StartsWith("datamesh infra app-roles --pipelines pipelines --existing ", StringComparison.Ordinal));
        // Roles are set after the registration exists and before azd records its id.
        Assert.True(
            calls.FindIndex(c => c.StartsWith("az ad app create", StringComparison.Ordinal)) < calls.FindIndex(c => c.Contains("--app-roles", StringComparison.Ordinal))
            && calls.FindIndex(c => c.Contains("--app-roles", StringComparison.Ordinal)) < calls.FindIndex(c => c.StartsWith("azd env set", StringComparison.Ordinal)),
            string.Join('\n', calls));
    }

    [Fact]
    public void EnsureApp_SecondRunWithTheIdAzdRecorded_CreatesNothingAndPassesTheCurrentRolesOn()
    {
        // Arrange: a first run created the registration and its roles.
        Assert.Equal(0, Run([Script, "ensure-app"], Variables("mesh-test")).ExitCode);
        File.Delete(Path.Combine(State, "log"));

        // Act: azd now passes MESH_API_CLIENT_ID from the environment.
        var (exitCode, stdout, stderr) = Run([Script, "ensure-app"], Variables("mesh-test", ("MESH_API_CLIENT_ID", NewAppId)));

        // Assert
        Assert.True(exitCode == 0, stderr + stdout);
        var calls = Calls();
        Assert.DoesNotContain(calls, c => c.StartsWith("az ad app create", StringComparison.Ordinal));
        Assert.DoesNotContain(calls, c => c.StartsWith("az ad app list", StringComparison.Ordinal));
        Assert.DoesNotContain(calls, c => c.StartsWith("az ad sp create", StringComparison.Ordinal));
        Assert.Contains($"azd env set MESH_API_CLIENT_ID {NewAppId}", calls);
        // The generator saw the roles the registration holds, so it can keep their ids.
        Assert.Equal(JsonNode.Parse(GeneratedRoles)!.ToJsonString(), JsonNode.Parse(File.ReadAllText(Path.Combine(State, "existing-seen.json")))!.ToJsonString());
    }

    [Fact]
    public void EnsureApp_TwoRegistrationsWithTheName_FailsAskingWhichOneAndChangesNothing()
    {
        // Arrange
        File.WriteAllText(Path.Combine(State, "list"), "aaaaaaaa-0000-4000-8000-000000000001\nbbbbbbbb-0000-4000-8000-000000000002\n");

        // Act
        var (exitCode, _, stderr) = Run([Script, "ensure-app"], Variables("mesh-test"));

        // Assert
        Assert.Equal(1, exitCode);
        Assert.Contains("azd env set MESH_API_CLIENT_ID <appId>", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(Calls(), c => c.StartsWith("az ad app update", StringComparison.Ordinal) || c.StartsWith("azd ", StringComparison.Ordinal));
    }

    [Fact]
    public void EnsureApp_ClientIdOfNoRegistration_FailsNamingIt()
    {
        // Act
        var (exitCode, _, stderr) = Run([Script, "ensure-app"], Variables("mesh-test", ("MESH_API_CLIENT_ID", "cccccccc-0000-4000-8000-000000000003")));

        // Assert
        Assert.Equal(1, exitCode);
        Assert.Contains("cccccccc-0000-4000-8000-000000000003", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(Calls(), c => c.StartsWith("az ad app create", StringComparison.Ordinal) || c.StartsWith("azd ", StringComparison.Ordinal));
    }

    [Fact]
    public void GrantDomain_RoleNotYetAssigned_AssignsTheDomainRoleToTheAppIdentity()
    {
        // Arrange
        ExistingServicePrincipal();

        // Act
        var (exitCode, stdout, stderr) = Run([Script, "grant-domain"], DomainEnvironment());

        // Assert
        Assert.True(exitCode == 0, stderr + stdout);
        var post = Assert.Single(Calls(), c => c.StartsWith("az rest --method POST", StringComparison.Ordinal));
        Assert.Contains($"--url https://graph.microsoft.com/v1.0/servicePrincipals/{ServicePrincipalId}/appRoleAssignedTo", post, StringComparison.Ordinal);
        Assert.Contains($"{{\"principalId\":\"{AppPrincipalId}\",\"resourceId\":\"{ServicePrincipalId}\",\"appRoleId\":\"{DomainRoleId}\"}}", post, StringComparison.Ordinal);
        Assert.Contains(Calls(), c => c.Contains("appRoles[?value=='DataMesh.Domain.finance' && isEnabled]", StringComparison.Ordinal));
        Assert.Contains("now holds DataMesh.Domain.finance", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void GrantDomain_AlreadyAssigned_PostsNothing()
    {
        // Arrange
        ExistingServicePrincipal();
        File.WriteAllText(Path.Combine(State, "assigned"), "1\n");

        // Act
        var (exitCode, stdout, stderr) = Run([Script, "grant-domain"], DomainEnvironment());

        // Assert
        Assert.True(exitCode == 0, stderr + stdout);
        Assert.DoesNotContain(Calls(), c => c.StartsWith("az rest --method POST", StringComparison.Ordinal));
        Assert.Contains(
            $"az rest --method GET --url https://graph.microsoft.com/v1.0/servicePrincipals/{AppPrincipalId}/appRoleAssignments --query length(value[?resourceId=='{ServicePrincipalId}' && appRoleId=='{DomainRoleId}']) -o tsv",
            Calls());
    }

    [Fact]
    public void GrantDomain_GraphRefuses_RetriesThenWarnsWithTheCommandForTheOperator()
    {
        // Arrange: the deployer may not assign app roles on the hub's service principal.
        ExistingServicePrincipal();
        File.WriteAllText(Path.Combine(State, "post_fail"), "");

        // Act
        var (exitCode, stdout, stderr) = Run([Script, "grant-domain"], DomainEnvironment(("MESH_API_GRANT_ATTEMPTS", "2"), ("MESH_API_GRANT_DELAY", "0")));

        // Assert: the domain is provisioned either way; what is missing, and how to fix it, is said.
        Assert.True(exitCode == 0, stderr + stdout);
        Assert.Equal(2, Calls().Count(c => c.StartsWith("az rest --method POST", StringComparison.Ordinal)));
        Assert.Contains("warning: could not give the app identity", stderr, StringComparison.Ordinal);
        Assert.Contains($"az rest --method POST --url 'https://graph.microsoft.com/v1.0/servicePrincipals/{ServicePrincipalId}/appRoleAssignedTo'", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void GrantDomain_HubHasNoRoleForTheDomain_WarnsToReprovisionTheHub()
    {
        // Arrange: the service principal exists, but the domain's role was never added (the hub ran before the folder).
        File.WriteAllText(Path.Combine(State, "sp"), ServicePrincipalId + "\n");

        // Act
        var (exitCode, _, stderr) = Run([Script, "grant-domain"], DomainEnvironment());

        // Assert
        Assert.Equal(0, exitCode);
        Assert.Contains("no enabled app role DataMesh.Domain.finance", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(Calls(), c => c.StartsWith("az rest", StringComparison.Ordinal));
    }

    [Fact]
    public void Hooks_HubAndDomain_RunTheMeshApiStepsAndDomainsRequireTheClientId()
    {
        var preprovision = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "infra", "hooks", "preprovision.sh"));
        var postprovision = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "infra", "hooks", "postprovision.sh"));

        // The hub creates the registration before provisioning (main.bicep needs its id); the domain checks it has the id.
        var hubBranch = preprovision[preprovision.IndexOf("  hub)", StringComparison.Ordinal)..preprovision.IndexOf(";;", StringComparison.Ordinal)];
        Assert.Contains("mesh-api.sh\" ensure-app", hubBranch, StringComparison.Ordinal);
        Assert.Matches(@"for name in [A-Z_ ]*\bMESH_API_CLIENT_ID\b", preprovision);
        Assert.Contains("mesh-api.sh\" grant-domain", postprovision, StringComparison.Ordinal);
        Assert.Contains("azd env set MESH_API_CLIENT_ID", postprovision, StringComparison.Ordinal);
    }

    [Fact]
    public void Postprovision_Domain_PrintsItsRegistryEntryForDomainsJsonAndWhatIsNotWiredYet()
    {
        // Arrange: the outputs azd wrote back into the domain's environment.
        ExistingServicePrincipal();
        var postprovision = Path.Combine(RepositoryRoot.Path, "infra", "hooks", "postprovision.sh");
        var environment = DomainEnvironment(
            ("AZURE_SUBSCRIPTION_ID", "00000000-0000-0000-0000-0000000072ea"),
            ("AZURE_RESOURCE_GROUP", "rg-finance"),
            ("AZURE_STORAGE_ACCOUNT_NAME", "stfinance"),
            ("DATAMESH_TOPIC_NAME", "evgt-finance"),
            ("DATAMESH_TOPIC_IDENTITY_NAME", "id-topic-finance"),
            ("DATAMESH_TOPIC_PRINCIPAL_ID", "7070707070-topic"),
            ("DATAMESH_PENDING_DOMAINS", "marketing"));

        // Act
        var (exitCode, stdout, stderr) = Run([postprovision], environment);

        // Assert: the entry is the JSON member domains.json takes (types.bicep, RegisteredDomain), with every field set.
        Assert.True(exitCode == 0, stderr + stdout);
        var line = stdout.Split('\n').Single(l => l.TrimStart().StartsWith("\"finance\": {", StringComparison.Ordinal));
        var entry = JsonNode.Parse("{" + line + "}")!["finance"]!.AsObject();
        Assert.Equal(
            ["appPrincipalId", "resourceGroup", "storageAccount", "subscriptionId", "topic", "topicIdentity", "topicPrincipalId"],
            entry.Select(p => p.Key).Order(StringComparer.Ordinal));
        Assert.Equal("00000000-0000-0000-0000-0000000072ea", entry["subscriptionId"]!.GetValue<string>());
        Assert.Equal(AppPrincipalId, entry["appPrincipalId"]!.GetValue<string>());
        Assert.Equal("7070707070-topic", entry["topicPrincipalId"]!.GetValue<string>());
        Assert.DoesNotContain(entry, p => p.Value!.GetValue<string>() == "?");
        Assert.Contains("Not wired yet (not in infra/domains.json): marketing.", stdout, StringComparison.Ordinal);
        var types = File.ReadAllText(Path.Combine(RepositoryRoot.Path, "infra", "types.bicep"));
        Assert.All(entry, p => Assert.Contains($"  {p.Key}: string", types, StringComparison.Ordinal));
    }

    private void ExistingServicePrincipal()
    {
        File.WriteAllText(Path.Combine(State, "sp"), ServicePrincipalId + "\n");
        File.WriteAllText(Path.Combine(State, "roleids"), $"DataMesh.Domain.finance {DomainRoleId}\n");
    }

    private Dictionary<string, string> Variables(string azdEnvironment, params (string Name, string Value)[] extra)
    {
        var environment = new Dictionary<string, string>
        {
            ["AZURE_ENV_NAME"] = azdEnvironment,
            ["DATAMESH_CLI"] = "sh " + Path.Combine(Bin, "datamesh"),
        };
        foreach (var (name, value) in extra)
        {
            environment[name] = value;
        }

        return environment;
    }

    private Dictionary<string, string> DomainEnvironment(params (string Name, string Value)[] extra) =>
        Variables("finance", [("DATAMESH_DOMAIN", "finance"), ("MESH_API_CLIENT_ID", NewAppId), ("DATAMESH_APP_PRINCIPAL_ID", AppPrincipalId), .. extra]);

    private List<string> Calls()
    {
        var log = Path.Combine(State, "log");
        return File.Exists(log) ? [.. File.ReadAllLines(log)] : [];
    }

    private (int ExitCode, string StdOut, string StdErr) Run(string[] arguments, Dictionary<string, string> environment)
    {
        var start = new ProcessStartInfo("sh") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // Only the fakes and the basic tools: a real az or azd on this machine must never be reached.
        start.Environment.Clear();
        start.Environment["PATH"] = Bin + ":/usr/bin:/bin";
        start.Environment["HOME"] = _root;
        start.Environment["FAKE_STATE"] = State;
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        Assert.True(process.WaitForExit(TimeSpan.FromSeconds(60)), "the hook did not finish within 60 s");
        return (process.ExitCode, stdout.Result, stderr.Result);
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

    // A stand-in for the Azure CLI: logs each call, answers from $FAKE_STATE (apps, list, roles.json, sp, roleids,
    // assigned, post_fail), and refuses any command the hook is not expected to run.
    private const string FakeAz = """
        #!/bin/sh
        state="$FAKE_STATE"
        all="$*"
        q="'"
        printf '%s\n' "az $all" >>"$state/log"
        case "$1 $2 $3" in
          "cloud show --query")
            echo "https://graph.microsoft.com/" ;;
          "ad app show")
            grep -qx -- "$5" "$state/apps" 2>/dev/null || { echo "ERROR: Resource '$5' does not exist." >&2; exit 3; }
            case "$all" in
              *"--query appRoles"*) cat "$state/roles.json" 2>/dev/null || echo "[]" ;;
              *) echo "$5" ;;
            esac ;;
          "ad app list") cat "$state/list" 2>/dev/null || true ;;
          "ad app create")
            id="$(cat "$state/next_app_id")"
            echo "$id" >>"$state/apps"
            echo "$id" >>"$state/list"
            echo "$id" ;;
          "ad app update")
            case "$all" in *"--app-roles @"*) cp "${all##*--app-roles @}" "$state/roles.json" ;; esac ;;
          "ad sp list")
            case "$all" in
              *appRoles*)
                role="${all#*value==$q}"
                role="${role%%$q*}"
                grep "^$role " "$state/roleids" 2>/dev/null | cut -d' ' -f2 ;;
              *) cat "$state/sp" 2>/dev/null || true ;;
            esac ;;
          "ad sp create")
            echo "5e5e5e5e-0000-4000-8000-0000000005e5" >"$state/sp"
            echo "5e5e5e5e-0000-4000-8000-0000000005e5" ;;
          *)
            case "$1 $2 $3" in
              "rest --method GET") cat "$state/assigned" 2>/dev/null || echo 0 ;;
              "rest --method POST")
                if [ -f "$state/post_fail" ]; then echo "ERROR: Insufficient privileges to complete the operation." >&2; exit 1; fi
                echo 1 >"$state/assigned"
                echo "assignment" ;;
              "rest --method PATCH") ;;
              *) echo "fake az: unexpected call: $all" >&2; exit 9 ;;
            esac ;;
        esac
        """;

    private const string FakeAzd = """
        #!/bin/sh
        printf '%s\n' "azd $*" >>"$FAKE_STATE/log"
        """;

    private const string FakeDatamesh = $$"""
        #!/bin/sh
        printf '%s\n' "datamesh $*" >>"$FAKE_STATE/log"
        while [ $# -gt 0 ]; do
          if [ "$1" = "--existing" ]; then cp "$2" "$FAKE_STATE/existing-seen.json"; fi
          shift
        done
        printf '%s\n' '{{GeneratedRoles}}'
        """;
}
