using System.Text.Json;

namespace DataMesh.EndToEnd.Tests;

/// <summary>
/// <c>datamesh init</c>, <c>new</c> and <c>validate</c> on a mesh outside this clone (no storage involved): the built-in
/// baseline policies without a mesh.yaml, mesh-wide spec errors (landing paths, upstreams, partition columns).
/// </summary>
public sealed class GovernanceCliTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("dm-governance-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private Task<CliRunner.CliResult> CliAsync(params string[] args) =>
        CliRunner.RunAsync(_root, new Dictionary<string, string> { ["DATAMESH_HOME"] = Path.Combine(_root, ".datamesh") }, args);

    private async Task<string> NewAsync(string id)
    {
        var created = await CliAsync("new", id);
        Assert.Equal(0, created.ExitCode);
        return Path.Combine(_root, "pipelines", id.Split('/')[0], id.Split('/')[1], "product.yaml");
    }

    private static void Edit(string file, string from, string to)
    {
        var text = File.ReadAllText(file);
        Assert.Contains(from, text, StringComparison.Ordinal);
        File.WriteAllText(file, text.Replace(from, to, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Validate_NoMeshYaml_AppliesTheBaselinePolicies()
    {
        // Arrange: a product that breaks a baseline policy (no description), in a mesh that has no mesh.yaml.
        var spec = await NewAsync("finance/ledger-apac");
        File.WriteAllLines(spec, File.ReadAllLines(spec).Where(l => !l.StartsWith("description:", StringComparison.Ordinal)));

        // Act
        var result = await CliAsync("validate", "--json");

        // Assert
        Assert.Equal(1, result.ExitCode);
        using var report = JsonDocument.Parse(result.StdOut);
        Assert.True(report.RootElement.GetProperty("baselinePolicies").GetBoolean());
        Assert.Contains(report.RootElement.GetProperty("diagnostics").EnumerateArray(), d => d.GetProperty("code").GetString() == "DM2102");
    }

    [Fact]
    public async Task Validate_TwoProductsWithOneLandingPath_ExitsOneNamingBothAtFileLineCol()
    {
        // Arrange
        var first = await NewAsync("finance/ledger-apac");
        var second = await NewAsync("finance/ledger-emea");
        Edit(second, "path: ledger-emea/", "path: ledger-apac/");

        // Act
        var result = await CliAsync("validate");

        // Assert
        Assert.Equal(1, result.ExitCode);
        Assert.Matches(@"pipelines/finance/ledger-apac/product\.yaml:\d+:\d+: error DM1027: .*finance\.ledger-emea .*pipelines/finance/ledger-emea/product\.yaml:\d+:\d+", result.StdErr);
        Assert.Matches(@"pipelines/finance/ledger-emea/product\.yaml:\d+:\d+: error DM1027: .*finance\.ledger-apac", result.StdErr);
        Assert.True(File.Exists(first));
    }

    [Fact]
    public async Task Validate_UpstreamNotInTheMesh_ExitsOneWithDidYouMean()
    {
        // Arrange: without a mesh.yaml, so no policy could catch it.
        await NewAsync("finance/ledger-apac");
        var report = await NewAsync("finance/report");
        Edit(report, "landing: { path: report/, format: csv }", "product: finance.ledger-apak");

        // Act
        var result = await CliAsync("validate", "pipelines/finance/report");

        // Assert
        Assert.Equal(1, result.ExitCode);
        Assert.Matches(@"pipelines/finance/report/product\.yaml:\d+:\d+: error DM1028: .*did you mean 'finance\.ledger-apac'\?", result.StdErr);
    }

    [Fact]
    public async Task Validate_PublicProductPartitionedByHashedPii_ExitsOneAtThePartitionColumn()
    {
        // Arrange
        var spec = await NewAsync("finance/ledger-apac");
        var contract = Path.Combine(Path.GetDirectoryName(spec)!, "contract.odcs.yaml");
        Edit(contract, "      - name: category\n        logicalType: string\n",
            "      - name: category\n        logicalType: string\n        classification: pii\n        customProperties: [{ property: masking, value: hash }]\n");
        Edit(spec, "  format: parquet\n", "  format: parquet\n  partitionBy: [category]\n");
        Edit(spec, "visibility: domain", "visibility: public");

        // Act
        var result = await CliAsync("validate", "--json");

        // Assert
        Assert.Equal(1, result.ExitCode);
        using var report = JsonDocument.Parse(result.StdOut);
        var diagnostic = Assert.Single(report.RootElement.GetProperty("diagnostics").EnumerateArray(), d => d.GetProperty("code").GetString() == "DM1029");
        Assert.EndsWith("product.yaml", diagnostic.GetProperty("file").GetString(), StringComparison.Ordinal);
        Assert.Contains("'category' is masked (hash)", diagnostic.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Init_EmptyFolder_WritesMeshYamlAndSchemasThatNewPointsAt()
    {
        // Act
        var init = await CliAsync("init", "--json");
        var spec = await NewAsync("finance/ledger-apac");
        var validate = await CliAsync("validate");
        var again = await CliAsync("init", "--json");

        // Assert
        Assert.Equal(0, init.ExitCode);
        using (var written = JsonDocument.Parse(init.StdOut))
        {
            Assert.Equal(["pipelines/mesh.yaml", "schemas/mesh.schema.json", "schemas/product.schema.json"],
                written.RootElement.GetProperty("written").EnumerateArray().Select(f => f.GetString()));
        }

        Assert.Equal("# yaml-language-server: $schema=../../../schemas/product.schema.json", File.ReadLines(spec).First());
        Assert.True(File.Exists(Path.Combine(_root, "schemas", "product.schema.json")));
        Assert.Equal(0, validate.ExitCode);
        Assert.Contains("policies of pipelines/mesh.yaml", validate.StdErr, StringComparison.Ordinal);
        Assert.Equal(0, again.ExitCode);
        using var kept = JsonDocument.Parse(again.StdOut);
        Assert.Equal(0, kept.RootElement.GetProperty("written").GetArrayLength());
        Assert.Equal(3, kept.RootElement.GetProperty("kept").GetArrayLength());
    }
}
