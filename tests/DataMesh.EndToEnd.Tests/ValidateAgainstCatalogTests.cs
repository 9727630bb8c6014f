using System.Text.RegularExpressions;
using DataMesh.Local;
using DataMesh.Pipeline;
using DataMesh.Testing;

namespace DataMesh.EndToEnd.Tests;

/// <summary><c>datamesh validate --against catalog</c>: each product's version checked against its last published release.</summary>
[Collection(AzuriteCollection.Name)]
public sealed partial class ValidateAgainstCatalogTests(AzuriteFixture azurite) : IDisposable
{
    private const string StatusProperty = """
              - name: status
                logicalType: string
                quality:
                  - metric: invalidValues
                    arguments:
                      validValues: [open, shipped]
                    mustBe: 0

        """;

    // Unique per test: the CLI opens storage without a namespace, so domains keep tests apart.
    private readonly TestProduct _product = new("vc" + Guid.NewGuid().ToString("N")[..6]);

    public void Dispose() => _product.Dispose();

    [Fact]
    public async Task Validate_BreakingChangeUnderPublishedVersion_ExitsOneWithDm2040AtProductYaml()
    {
        await PublishAsync(_product);
        RemoveStatusColumn(_product);

        var result = await ValidateAsync(_product, storage: null, "--against", "catalog");

        Assert.True(result.ExitCode == 1, result.StdErr);
        var specPath = Regex.Escape(Path.Combine(_product.Name, "product.yaml")); // shown relative to the working directory
        Assert.Matches(new Regex($@"^{specPath}:\d+:\d+: error DM2040: version: 1\.0\.0 .*release 1\.0\.0#1 in the catalog", RegexOptions.Multiline), result.StdErr);
        Assert.Contains("1 product(s) compared with their last release", result.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_BreakingChangeWithMajorBump_ExitsZero()
    {
        await PublishAsync(_product);
        RemoveStatusColumn(_product);
        SetVersion(_product, "2.0.0");

        var result = await ValidateAsync(_product, storage: null, "--against", "catalog");

        Assert.True(result.ExitCode == 0, result.StdErr);
        Assert.DoesNotContain("DM2040", result.StdErr, StringComparison.Ordinal);
        Assert.Contains("1 product(s) compared with their last release", result.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_ProductNeverPublished_ExitsZeroComparingNothing()
    {
        RemoveStatusColumn(_product);

        var result = await ValidateAsync(_product, storage: null, "--against", "catalog");

        Assert.True(result.ExitCode == 0, result.StdErr);
        Assert.Contains("0 product(s) compared with their last release", result.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_AgainstCatalogStorageUnreachable_ExitsTwoNamingTheStorage()
    {
        var result = await ValidateAsync(_product, UnreachableStorage(), "--against", "catalog");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--against catalog could not read the releases in the storage in DATAMESH_STORAGE", result.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_WithoutAgainst_NeverTouchesStorage()
    {
        var result = await ValidateAsync(_product, UnreachableStorage());

        Assert.True(result.ExitCode == 0, result.StdErr);
        Assert.DoesNotContain("compared with their last release", result.StdErr, StringComparison.Ordinal);
    }

    private async Task PublishAsync(TestProduct product)
    {
        var options = new LocalMeshOptions
        {
            // The topology the CLI attaches to: the hub account and the domain's own.
            Azurite = azurite.Server,
            ConnectionString = azurite.ConnectionString,
            Namespace = "",
            LoadPipelinesFolder = false,
            StateDirectory = Path.Combine(product.Root, ".datamesh"),
        };
        options.ExtraProductDirectories.Add(product.Directory);
        await using var mesh = await LocalMesh.StartAsync(options);
        var result = await mesh.RunAsync(product.Id, [product.WriteOrders("orders-1.csv", rows: 20)]);
        Assert.True(result.Status == PipelineStatus.Published, result.Error);
        Assert.Equal(1, result.Release);
    }

    private static void RemoveStatusColumn(TestProduct product)
    {
        var contract = Path.Combine(product.Directory, "contract.odcs.yaml");
        var text = File.ReadAllText(contract).ReplaceLineEndings("\n");
        Assert.Contains(StatusProperty.ReplaceLineEndings("\n"), text, StringComparison.Ordinal);
        File.WriteAllText(contract, text.Replace(StatusProperty.ReplaceLineEndings("\n"), "", StringComparison.Ordinal));
    }

    private static void SetVersion(TestProduct product, string version)
    {
        foreach (var file in new[] { "product.yaml", "contract.odcs.yaml" })
        {
            var path = Path.Combine(product.Directory, file);
            File.WriteAllText(path, File.ReadAllText(path).Replace("version: 1.0.0", $"version: {version}", StringComparison.Ordinal));
        }
    }

    /// <summary>The fixture's account with every endpoint on port 1, where nothing listens.</summary>
    private string UnreachableStorage() => LoopbackPort().Replace(azurite.ConnectionString, "${host}:1");

    /// <summary>Validates on the run's Azurite (per-domain accounts), or on <paramref name="storage"/> as the user's one-account DATAMESH_STORAGE.</summary>
    private Task<CliRunner.CliResult> ValidateAsync(TestProduct product, string? storage, params string[] options)
    {
        var state = Path.Combine(product.Root, ".datamesh");
        var environment = storage is null
            ? azurite.CliEnvironment(state)
            : new Dictionary<string, string> { ["DATAMESH_STORAGE"] = storage, ["DATAMESH_HOME"] = state };
        return CliRunner.RunAsync(product.Root, environment, ["validate", product.Directory, .. options]);
    }

    [GeneratedRegex(@"(?<host>http://[^:/;]+):\d+")]
    private static partial Regex LoopbackPort();
}
