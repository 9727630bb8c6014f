using System.Text.Json;

namespace DataMesh.EndToEnd.Tests;

/// <summary>
/// <c>datamesh infra</c>: writes <c>infra/generated/subscriptions.json</c> from the specs (what azd's preprovision hook
/// runs), and with <c>--check</c> fails when the committed file is stale. Offline: no storage is touched.
/// </summary>
public sealed class InfraCommandTests : IDisposable
{
    /// <summary>The clone's root (the folder of DataMesh.Functions.sln above the test binaries).</summary>
    internal static readonly string Repository = FindRepository();
    private static readonly Dictionary<string, string> NoEnvironment = [];

    // A copy of the sample mesh to change at will.
    private readonly string _root = Path.Combine(Path.GetTempPath(), "datamesh-infra-cli-" + Guid.NewGuid().ToString("N")[..8]);

    public InfraCommandTests() => CopyDirectory(Path.Combine(Repository, "pipelines"), Path.Combine(_root, "pipelines"));

    private string Output => Path.Combine(_root, "infra", "generated", "subscriptions.json");

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task InfraCheck_Repository_CommittedFileIsUpToDate()
    {
        var result = await CliRunner.RunAsync(Repository, NoEnvironment, "infra", "--check");

        Assert.True(result.ExitCode == 0, result.StdErr);
        Assert.Contains("is up to date", result.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Infra_NoFileYet_WritesTheCommittedShapeAndReportsJson()
    {
        var result = await CliRunner.RunAsync(_root, NoEnvironment, "infra", "--json");

        Assert.True(result.ExitCode == 0, result.StdErr);
        using var summary = JsonDocument.Parse(result.StdOut);
        Assert.True(summary.RootElement.GetProperty("written").GetBoolean());
        Assert.False(summary.RootElement.GetProperty("upToDate").GetBoolean());
        Assert.Equal(Output, summary.RootElement.GetProperty("file").GetString());
        Assert.Equal(
            ["finance.ledger-amer", "finance.ledger-apac", "finance.ledger-emea"],
            summary.RootElement.GetProperty("domains").GetProperty("finance").EnumerateArray().Select(p => p.GetString()));
        // Byte for byte what is committed for the same specs (main.bicep loads that file).
        Assert.Equal(File.ReadAllText(Path.Combine(Repository, "infra", "generated", "subscriptions.json")), File.ReadAllText(Output));
    }

    [Fact]
    public async Task InfraCheck_SpecGainedAnUpstream_ExitsOneUntilRegenerated()
    {
        // Arrange: a generated file, then supply-chain starts reading a finance product.
        Assert.Equal(0, (await CliRunner.RunAsync(_root, NoEnvironment, "infra")).ExitCode);
        var before = File.ReadAllText(Output);
        var spec = Path.Combine(_root, "pipelines", "supply-chain", "stock-levels", "product.yaml");
        var text = File.ReadAllText(spec);
        var withUpstream = text.Replace("inputs:\n", "inputs:\n  - name: revenue\n    product: finance.revenue-global\n    versions: ^1\n", StringComparison.Ordinal);
        Assert.NotEqual(text, withUpstream);
        File.WriteAllText(spec, withUpstream);

        // Act
        var stale = await CliRunner.RunAsync(_root, NoEnvironment, "infra", "--check", "--json");
        var regenerate = await CliRunner.RunAsync(_root, NoEnvironment, "infra");
        var fresh = await CliRunner.RunAsync(_root, NoEnvironment, "infra", "--check");

        // Assert
        Assert.Equal(1, stale.ExitCode);
        using (var summary = JsonDocument.Parse(stale.StdOut))
        {
            Assert.False(summary.RootElement.GetProperty("upToDate").GetBoolean());
            Assert.False(summary.RootElement.GetProperty("written").GetBoolean());
        }

        Assert.Equal(0, regenerate.ExitCode);
        Assert.True(fresh.ExitCode == 0, fresh.StdErr);
        Assert.NotEqual(before, File.ReadAllText(Output));
        using var regenerated = JsonDocument.Parse(File.ReadAllText(Output));
        var supplyChain = regenerated.RootElement.GetProperty("domains").GetProperty("supply-chain");
        Assert.Equal(
            ["finance.revenue-global", "supply-chain.stock-levels"],
            supplyChain.GetProperty("upstreamProducts").EnumerateArray().Select(p => p.GetString()));
    }

    [Fact]
    public async Task InfraCheck_StaleFile_SaysWhatToRun()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Output)!);
        File.WriteAllText(Output, """{ "version": 1, "domains": { "finance": { "upstreamProducts": [] } } }""");

        var result = await CliRunner.RunAsync(_root, NoEnvironment, "infra", "--check");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("is stale", result.StdErr, StringComparison.Ordinal);
        Assert.Contains("datamesh infra --out", result.StdErr, StringComparison.Ordinal);
        Assert.Empty(result.StdOut);
    }

    [Fact]
    public async Task Infra_InvalidSpec_ExitsOneWithDiagnosticsAndWritesNothing()
    {
        var spec = Path.Combine(_root, "pipelines", "finance", "ledger-emea", "product.yaml");
        File.WriteAllText(spec, File.ReadAllText(spec).Replace("description:", "colour: blue\ndescription:", StringComparison.Ordinal));

        var result = await CliRunner.RunAsync(_root, NoEnvironment, "infra");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("product.yaml:", result.StdErr, StringComparison.Ordinal);
        Assert.False(File.Exists(Output));
    }

    [Fact]
    public async Task Infra_NoPipelinesFolder_ExitsTwo()
    {
        var empty = Path.Combine(_root, "empty");
        Directory.CreateDirectory(empty);

        var result = await CliRunner.RunAsync(empty, NoEnvironment, "infra");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--pipelines", result.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InfraAppRoles_SampleMeshThenAgainWithWhatItPrinted_SameRolesOnePerDomain()
    {
        // Act: first provision (no roles yet), then the next one, fed the roles the registration now holds.
        var first = await CliRunner.RunAsync(_root, NoEnvironment, "infra", "app-roles");
        var existing = Path.Combine(_root, "existing.json");
        File.WriteAllText(existing, first.StdOut);
        var second = await CliRunner.RunAsync(_root, NoEnvironment, "infra", "app-roles", "--existing", existing);

        // Assert: what the hub's preprovision hook hands to `az ad app update --app-roles`.
        Assert.True(first.ExitCode == 0, first.StdErr);
        Assert.True(second.ExitCode == 0, second.StdErr);
        using var roles = JsonDocument.Parse(first.StdOut);
        var domains = Directory.EnumerateDirectories(Path.Combine(_root, "pipelines")).Select(Path.GetFileName).Order(StringComparer.Ordinal);
        Assert.Equal(
            ["DataMesh.Operator", .. domains.Select(d => "DataMesh.Domain." + d)],
            roles.RootElement.EnumerateArray().Select(r => r.GetProperty("value").GetString()));
        Assert.Equal(JsonDocument.Parse(first.StdOut).RootElement.ToString(), JsonDocument.Parse(second.StdOut).RootElement.ToString());
    }

    [Fact]
    public async Task InfraAppRoles_ExistingFileNotJson_ExitsTwoNamingIt()
    {
        var existing = Path.Combine(_root, "existing.json");
        File.WriteAllText(existing, "ERROR: not signed in");

        var result = await CliRunner.RunAsync(_root, NoEnvironment, "infra", "app-roles", "--existing", existing);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--existing", result.StdErr, StringComparison.Ordinal);
        Assert.Empty(result.StdOut);
    }

    private static string FindRepository()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "DataMesh.Functions.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No DataMesh.Functions.sln above {AppContext.BaseDirectory}: run the tests from a clone.");
    }

    /// <summary>Copies every file under <paramref name="source"/> to the same place under <paramref name="destination"/>.</summary>
    internal static void CopyDirectory(string source, string destination)
    {
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(destination, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}
