using System.Text.Json;
using DataMesh.Testing;

namespace DataMesh.EndToEnd.Tests;

/// <summary><c>datamesh drop</c> over the sample finance mesh: arrivals trigger runs, the roll-up follows the regions.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class DropTests(AzuriteFixture azurite) : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "dm-drop-" + Guid.NewGuid().ToString("N")[..8]);

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    public async Task Drop_EachRegionalLedger_PrintsItsRunAndTheRollUpOnceAllThreeHaveAReleaseJson()
    {
        var finance = CopySampleFinanceMesh();

        var emea = await DropAsync("finance.ledger-emea", Path.Combine(finance, "ledger-emea", "samples", "gl_entries_2026-10.csv"));
        var amer = await DropAsync("finance.ledger-amer", Path.Combine(finance, "ledger-amer", "samples", "gl_entries_2026-10.csv"));
        var apac = await DropAsync("finance.ledger-apac", Path.Combine(finance, "ledger-apac", "samples", "gl_entries_2026-10.csv"));

        Assert.Equal([("finance.ledger-emea", "Published", 1)], emea);
        Assert.Equal([("finance.ledger-amer", "Published", 1)], amer);
        Assert.Equal([("finance.ledger-apac", "Published", 1), ("finance.revenue-global", "Published", 1)], apac);
    }

    private async Task<List<(string Product, string Status, int Release)>> DropAsync(string product, string file)
    {
        var result = await CliRunner.RunAsync(_root, azurite.CliEnvironment(Path.Combine(_root, ".datamesh")), "drop", product, file, "--json");
        Assert.True(result.ExitCode == 0, result.StdErr + result.StdOut);
        using var runs = JsonDocument.Parse(result.StdOut);
        return runs.RootElement.EnumerateArray()
            .Select(r => (r.GetProperty("product").GetString()!, r.GetProperty("status").GetString()!, r.GetProperty("release").GetInt32()))
            .ToList();
    }

    /// <summary>The repository's finance products (three ledgers, the roll-up) and mesh policies, in a fresh mesh folder.</summary>
    private string CopySampleFinanceMesh()
    {
        var source = RepositoryRoot.Combine("pipelines");
        var target = Path.Combine(_root, "pipelines");
        Folders.Copy(Path.Combine(source, "finance"), Path.Combine(target, "finance"));
        File.Copy(Path.Combine(source, "mesh.yaml"), Path.Combine(target, "mesh.yaml"));
        return Path.Combine(target, "finance");
    }
}
