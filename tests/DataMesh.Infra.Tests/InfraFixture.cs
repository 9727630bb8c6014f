using DataMesh.Infra.Tests.Arm;
using DataMesh.Infra.Tests.Bicep;

namespace DataMesh.Infra.Tests;

/// <summary>
/// Compiles <c>infra/</c> once per test run, in a temporary copy so no build output lands in the clone: every .bicep
/// file (<c>bicep build</c>) and the linter (<c>bicep lint</c>) as CLI processes, and, in parallel through one
/// <c>bicep jsonrpc</c> process, snapshots of a domain and of a hub deployment and two deliberately broken copies
/// (shared keys on in the storage module; a malformed generated/subscriptions.json), and the parameters of a hub whose
/// MESH_API_CLIENT_ID was never set (<c>bicep build-params</c>).
/// </summary>
public sealed class InfraFixture : IAsyncLifetime
{
    public const string InsecureStorageModule = "modules/storage.bicep";

    /// <summary>The parameters of a hub deployed without MESH_API_CLIENT_ID.</summary>
    public const string HubWithoutClientIdParameters = "hub-without-client-id.bicepparam";

    private const string MalformedSubscriptions = """{ "version": 1, "domains": { "finance": { "upstreamProducts": "treasury.fx-rates" } } }""";

    private readonly string _root = Path.Combine(Path.GetTempPath(), "datamesh-infra-tests-" + Guid.NewGuid().ToString("N")[..8]);
    private Outcome<DeploymentSnapshot> _domain = Outcome<DeploymentSnapshot>.NotRun;
    private Outcome<DeploymentSnapshot> _hub = Outcome<DeploymentSnapshot>.NotRun;
    private Outcome<DeploymentSnapshot> _marketing = Outcome<DeploymentSnapshot>.NotRun;

    /// <summary>The repository's infra folder (read only).</summary>
    public static string SourceDirectory { get; } = RepositoryRoot.Combine("infra");

    /// <summary>Every .bicep file under infra/, relative to it with '/' separators: the entry points and each module.</summary>
    public static IReadOnlyList<string> BicepFiles { get; } =
        Directory.EnumerateFiles(SourceDirectory, "*.bicep", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(SourceDirectory, f).Replace('\\', '/'))
            .Order(StringComparer.Ordinal)
            .ToList();

    /// <summary>The temporary copy that was compiled.</summary>
    public string WorkDirectory => Path.Combine(_root, "infra");

    public BicepRun Build { get; private set; } = null!;

    public BicepRun Lint { get; private set; } = null!;

    /// <summary><c>bicep build-params</c> of <see cref="HubWithoutClientIdParameters"/>.</summary>
    public BicepRun HubWithoutClientIdBuild { get; private set; } = null!;

    /// <summary>The storage module compiled with <c>allowSharedKeyAccess: true</c>.</summary>
    public BicepCompilation InsecureStorageBuild { get; private set; } = null!;

    /// <summary>main.bicep compiled over a subscriptions.json whose upstreamProducts is a string.</summary>
    public BicepCompilation MalformedSubscriptionsBuild { get; private set; } = null!;

    /// <summary>Compiled template of each .bicep file (absent when it did not compile).</summary>
    public IReadOnlyDictionary<string, ArmTemplate> Templates { get; private set; } = new Dictionary<string, ArmTemplate>();

    /// <summary>The domain deployment's snapshot; throws (failing only the tests that use it) when it could not be taken.</summary>
    public DeploymentSnapshot Domain => _domain.Value;

    /// <summary>The hub deployment's snapshot; throws (failing only the tests that use it) when it could not be taken.</summary>
    public DeploymentSnapshot Hub => _hub.Value;

    /// <summary>marketing's snapshot over the committed generated/subscriptions.json (the repository's specs).</summary>
    public DeploymentSnapshot Marketing => _marketing.Value;

    public async Task InitializeAsync()
    {
        CopyInfra(WorkDirectory);
        await File.WriteAllTextAsync(Path.Combine(WorkDirectory, "domain.bicepparam"), TestDeployment.DomainParameters);
        await File.WriteAllTextAsync(Path.Combine(WorkDirectory, "hub.bicepparam"), TestDeployment.HubParameters);
        await File.WriteAllTextAsync(Path.Combine(WorkDirectory, "marketing.bicepparam"), TestDeployment.MarketingParameters);
        await File.WriteAllTextAsync(Path.Combine(WorkDirectory, HubWithoutClientIdParameters), TestDeployment.HubWithoutClientIdParameters);

        var insecure = Path.Combine(_root, "insecure");
        CopyInfra(insecure);
        var storageModule = Path.Combine(insecure, InsecureStorageModule);
        var secure = await File.ReadAllTextAsync(storageModule);
        var weakened = secure.Replace("allowSharedKeyAccess: false", "allowSharedKeyAccess: true", StringComparison.Ordinal);
        if (weakened == secure)
        {
            throw new InvalidOperationException($"{InsecureStorageModule} no longer says 'allowSharedKeyAccess: false': update the insecure variant.");
        }

        await File.WriteAllTextAsync(storageModule, weakened);

        var malformed = Path.Combine(_root, "malformed");
        CopyInfra(malformed);
        await File.WriteAllTextAsync(Path.Combine(malformed, "generated", "subscriptions.json"), MalformedSubscriptions);

        var build = BicepCli.RunAsync(WorkDirectory, "build", "--pattern", "**/*.bicep");
        var lint = BicepCli.RunAsync(WorkDirectory, "lint", "--pattern", "**/*.bicep");
        var rpc = RunRpcAsync(insecure, malformed);
        var withoutClientId = BicepCli.RunAsync(WorkDirectory, "build-params", HubWithoutClientIdParameters, "--stdout");
        await Task.WhenAll(build, lint, rpc, withoutClientId);

        Build = await build;
        Lint = await lint;
        HubWithoutClientIdBuild = await withoutClientId;

        var templates = new Dictionary<string, ArmTemplate>(StringComparer.Ordinal);
        foreach (var file in BicepFiles)
        {
            var compiled = Path.Combine(WorkDirectory, Path.ChangeExtension(file, ".json"));
            if (File.Exists(compiled))
            {
                templates[file] = new ArmTemplate(file, await File.ReadAllTextAsync(compiled));
            }
        }

        Templates = templates;
    }

    public Task DisposeAsync()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }

        return Task.CompletedTask;
    }

    /// <summary>The insecure storage module, compiled; fails the test when it did not compile.</summary>
    public ArmTemplate InsecureStorageTemplate()
    {
        Assert.True(InsecureStorageBuild is { Success: true, Template: not null }, InsecureStorageBuild.Describe());
        return new ArmTemplate(InsecureStorageModule, InsecureStorageBuild.Template);
    }

    private async Task RunRpcAsync(string insecure, string malformed)
    {
        await using var bicep = BicepRpcClient.Start();
        _domain = await Outcome<DeploymentSnapshot>.OfAsync(() => SnapshotAsync(bicep, "domain.bicepparam"));
        _hub = await Outcome<DeploymentSnapshot>.OfAsync(() => SnapshotAsync(bicep, "hub.bicepparam"));
        _marketing = await Outcome<DeploymentSnapshot>.OfAsync(() => SnapshotAsync(bicep, "marketing.bicepparam"));
        InsecureStorageBuild = await bicep.CompileAsync(Path.Combine(insecure, InsecureStorageModule));
        MalformedSubscriptionsBuild = await bicep.CompileAsync(Path.Combine(malformed, "main.bicep"));
    }

    private async Task<DeploymentSnapshot> SnapshotAsync(BicepRpcClient bicep, string parametersFile) =>
        new(await bicep.SnapshotAsync(Path.Combine(WorkDirectory, parametersFile), TestDeployment.TenantId, TestDeployment.SubscriptionId, TestDeployment.Location));

    // Sources only: a main.json or snapshot left by a local `bicep build` must not stand in for this run's output.
    private static void CopyInfra(string destination) =>
        Folders.Copy(SourceDirectory, destination, include: file =>
            !file.EndsWith(".snapshot.json", StringComparison.Ordinal)
            && !(file.EndsWith(".json", StringComparison.Ordinal) && File.Exists(Path.ChangeExtension(file, ".bicep"))));
}
