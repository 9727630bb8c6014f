using System.Text.Json;
using Azure.Storage.Blobs;
using DataMesh.Storage;
using DataMesh.Testing;

namespace DataMesh.EndToEnd.Tests;

/// <summary>The <c>datamesh</c> command as users call it (DESIGN §8).</summary>
[Collection(AzuriteCollection.Name)]
public sealed class CliTests(AzuriteFixture azurite) : IDisposable
{
    private readonly TestProduct _product = new("cli" + Guid.NewGuid().ToString("N")[..6]);

    public void Dispose() => _product.Dispose();

    [Fact]
    public async Task Run_ProductOutsidePipelinesTwice_PublishesReleases1And2AndCatalogShowListsBoth()
    {
        var first = await CliAsync("run", _product.Directory, "--input", _product.WriteOrders("orders-1.csv", rows: 40), "--json");
        var second = await CliAsync("run", _product.Directory, "--input", _product.WriteOrders("orders-2.csv", rows: 60), "--json");

        Assert.True(first.ExitCode == 0, first.StdErr);
        Assert.True(second.ExitCode == 0, second.StdErr);
        using var one = JsonDocument.Parse(first.StdOut);
        using var two = JsonDocument.Parse(second.StdOut);
        Assert.Equal("Published", one.RootElement.GetProperty("status").GetString());
        Assert.Equal(_product.Id, one.RootElement.GetProperty("product").GetString());
        Assert.Equal("1.0.0", one.RootElement.GetProperty("version").GetString());
        Assert.Equal(1, one.RootElement.GetProperty("release").GetInt32());
        Assert.Equal(TestProduct.ExpectedRows(40), one.RootElement.GetProperty("rows").GetInt64());
        Assert.Equal(2, two.RootElement.GetProperty("release").GetInt32());
        Assert.Equal(TestProduct.ExpectedRows(60), two.RootElement.GetProperty("rows").GetInt64());
        Assert.Contains("/1.0.0/2/", two.RootElement.GetProperty("location").GetString(), StringComparison.Ordinal);
        Assert.True(two.RootElement.GetProperty("quality").GetArrayLength() > 0);

        var show = await CliAsync("catalog", "show", _product.Id, "--json");

        Assert.True(show.ExitCode == 0, show.StdErr);
        using var catalog = JsonDocument.Parse(show.StdOut);
        var releases = catalog.RootElement.GetProperty("releases").EnumerateArray().Select(r => r.GetProperty("release").GetInt32()).Order().ToList();
        Assert.Equal([1, 2], releases);
        Assert.Equal(2, catalog.RootElement.GetProperty("product").GetProperty("latestRelease").GetInt32());
        Assert.All(catalog.RootElement.GetProperty("releases").EnumerateArray(), r => Assert.True(r.TryGetProperty("changes", out _), "each release says what it changed (null before output modes)"));
    }

    /// <remarks>
    /// The CLI runs on the mesh's topology as <c>demo</c> and <c>up</c> do: attached to the run's Azurite through the state
    /// folder, each domain in its own account with its own key, the catalog in the hub's. Only a run given the user's
    /// one-account <c>DATAMESH_STORAGE</c> keeps both in that account.
    /// </remarks>
    [Fact]
    public async Task Run_ProductsOfTwoDomains_EachReleaseLocationNamesItsOwnDomainsAccount()
    {
        // Arrange: a product of a second domain, run on the same mesh (the same state folder).
        using var other = new TestProduct("cli" + Guid.NewGuid().ToString("N")[..6]);

        // Act
        var first = await CliAsync("run", _product.Directory, "--input", _product.WriteOrders("orders-1.csv", rows: 10), "--json");
        var second = await CliAsync("run", other.Directory, "--input", other.WriteOrders("orders-1.csv", rows: 10), "--json");

        // Assert
        Assert.True(first.ExitCode == 0, first.StdErr);
        Assert.True(second.ExitCode == 0, second.StdErr);
        var firstAccount = StorageAccountName.Of(new Uri(JsonDocument.Parse(first.StdOut).RootElement.GetProperty("location").GetString()!));
        var secondAccount = StorageAccountName.Of(new Uri(JsonDocument.Parse(second.StdOut).RootElement.GetProperty("location").GetString()!));
        var hub = new BlobServiceClient(azurite.ConnectionString);
        if (azurite.Server is null)
        {
            Assert.Equal(hub.AccountName, firstAccount);
            Assert.Equal(hub.AccountName, secondAccount);
            return;
        }

        Assert.Equal(StorageAccountName.ForDomain(_product.Domain), firstAccount);
        Assert.Equal(StorageAccountName.ForDomain(other.Domain), secondAccount);
        Assert.NotEqual(firstAccount, secondAccount);
        Assert.DoesNotContain(StorageAccountName.Hub, new[] { firstAccount, secondAccount });
        // The hub's key holds none of the domains' containers: they are in the domains' own accounts only.
        Assert.False((await hub.GetBlobContainerClient($"{_product.Domain}-products").ExistsAsync()).Value);
        Assert.True((await new BlobServiceClient(azurite.Server.ConnectionStringFor(firstAccount)).GetBlobContainerClient($"{_product.Domain}-products").ExistsAsync()).Value);
    }

    [Fact]
    public async Task Run_QualityGateFails_ExitsOneWithQualityFailedJson()
    {
        var bad = _product.WriteOrders("orders-bad.csv", rows: 10, "3,dup,1.00,open");

        var result = await CliAsync("run", _product.Directory, "--input", bad, "--json");

        Assert.Equal(1, result.ExitCode);
        using var json = JsonDocument.Parse(result.StdOut);
        Assert.Equal("QualityFailed", json.RootElement.GetProperty("status").GetString());
        Assert.Contains("order_id.unique", json.RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_SpecWithUnknownKey_ExitsOneNamingFileLineAndField()
    {
        var spec = Path.Combine(_product.Directory, "product.yaml");
        File.WriteAllText(spec, File.ReadAllText(spec).Replace("description:", "colour: blue\ndescription:", StringComparison.Ordinal));

        var result = await CliAsync("run", _product.Directory, "--input", _product.WriteOrders("o.csv", rows: 1));

        Assert.Equal(1, result.ExitCode);
        Assert.Matches(@"product\.yaml:\d+:\d+: error DM\d{4}: .*colour", result.StdErr);
    }

    [Fact]
    public async Task Run_ProductOutsidePipelinesBreakingABaselinePolicy_FailsNamingThePolicy()
    {
        // Arrange: no mesh.yaml anywhere above the product: the built-in baseline governs it, as validate says.
        var spec = Path.Combine(_product.Directory, "product.yaml");
        File.WriteAllLines(spec, File.ReadAllLines(spec).Where(l => !l.TrimStart().StartsWith("description:", StringComparison.Ordinal)));

        // Act
        var result = await CliAsync("run", _product.Directory, "--input", _product.WriteOrders("o.csv", rows: 5), "--json");

        // Assert
        Assert.Equal(1, result.ExitCode);
        using var json = JsonDocument.Parse(result.StdOut);
        Assert.NotEqual("Published", json.RootElement.GetProperty("status").GetString());
        Assert.Contains("description-required", json.RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_SpecWithoutName_ExitsOneNamingFileAndField()
    {
        var spec = Path.Combine(_product.Directory, "product.yaml");
        File.WriteAllLines(spec, File.ReadAllLines(spec).Where(l => !l.StartsWith("name:", StringComparison.Ordinal)));

        var result = await CliAsync("run", _product.Directory, "--input", _product.WriteOrders("o.csv", rows: 1));

        Assert.Equal(1, result.ExitCode);
        Assert.Matches(@"product\.yaml:\d+:\d+: error DM\d{4}: .*\bname\b", result.StdErr);
        Assert.Empty(result.StdOut);
    }

    [Fact]
    public async Task Run_WithoutInputAndNothingPublishedOrLanded_RerunFailsSayingWhereItLooked()
    {
        // Without --input a run is a rerun (issue 19): a product with nothing in landing nor in the archive has nothing
        // to rebuild from, and says where it looked.
        var result = await CliAsync("run", _product.Directory, "--json");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"Rerun of {_product.Id}: a new run {_product.Id}-rerun-", result.StdErr, StringComparison.Ordinal);
        using var json = System.Text.Json.JsonDocument.Parse(result.StdOut);
        Assert.Contains("has no file under landing path 'orders/'", json.RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task BenchColdStart_TinyInputs_ReportsFreshAndWarmAndTheirRatioPerSize()
    {
        // The fresh processes get an environment setting passed through, as a comparison of runtime settings does.
        var result = await CliAsync("bench", "coldstart", "--rows", "3000", "--env", "DOTNET_TieredPGO=0", "--json");

        Assert.True(result.ExitCode == 0, result.StdErr);
        using var json = JsonDocument.Parse(result.StdOut);
        var figures = json.RootElement;
        Assert.Equal(1, figures.GetProperty("rounds").GetInt32());
        Assert.Equal(["DOTNET_TieredPGO=0"], figures.GetProperty("environment").EnumerateArray().Select(e => e.GetString()));
        var sizes = figures.GetProperty("sizes").EnumerateArray().ToList();
        Assert.Equal(["sample", "large"], sizes.Select(s => s.GetProperty("input").GetString()));
        Assert.Equal([1_000, 3_000], sizes.Select(s => s.GetProperty("rows").GetInt32()));
        foreach (var size in sizes)
        {
            // Both runs of each fresh process published what the generated ledger keeps (posted EUR entries).
            var rows = size.GetProperty("rows").GetInt32();
            Assert.Equal(Enumerable.Range(0, rows).Count(i => i % 7 != 0 && i % 10 != 0), size.GetProperty("rowsOut").GetInt64());
            var (main, start, first) = (size.GetProperty("mainSeconds").GetDouble(), size.GetProperty("startSeconds").GetDouble(), size.GetProperty("firstRunSeconds").GetDouble());
            var (fresh, warm) = (size.GetProperty("freshSeconds").GetDouble(), size.GetProperty("warmSeconds").GetDouble());
            Assert.True(main > 0 && start >= main && first > 0 && warm > 0, $"main {main}, start {start}, first run {first}, warm {warm}");
            // Fresh is the time from process start to the first run's end: start-up plus the first run (each rounded).
            Assert.InRange(fresh, start + first - 0.002, start + first + 0.002);
            Assert.InRange(size.GetProperty("ratio").GetDouble(), ((fresh - 0.0005) / (warm + 0.0005)) - 0.005, ((fresh + 0.0005) / (warm - 0.0005)) + 0.005);
            Assert.InRange(size.GetProperty("firstRunRatio").GetDouble(), ((first - 0.0005) / (warm + 0.0005)) - 0.005, ((first + 0.0005) / (warm - 0.0005)) + 0.005);
            Assert.Equal([fresh], size.GetProperty("freshSamples").EnumerateArray().Select(e => e.GetDouble()));
            Assert.Equal([warm], size.GetProperty("warmSamples").EnumerateArray().Select(e => e.GetDouble()));
        }
    }

    [Theory]
    [InlineData("memory")]
    [InlineData("mesh")]
    public async Task Bench_SmallLedger_ReportsBothSidesEveryRoundAndEveryStage(string storage)
    {
        var result = await CliAsync("bench", "--rows", "20000", "--rounds", "2", "--storage", storage, "--json");

        Assert.True(result.ExitCode == 0, result.StdErr);
        using var json = JsonDocument.Parse(result.StdOut);
        var figures = json.RootElement;
        // The generated ledger keeps posted EUR entries: every 7th row is a draft, every 10th is in GBP.
        var kept = Enumerable.Range(0, 20_000).Count(i => i % 7 != 0 && i % 10 != 0);
        Assert.Equal(kept, figures.GetProperty("rowsOut").GetInt64());
        Assert.Equal(kept, figures.GetProperty("bareRowsOut").GetInt64());
        Assert.Equal(storage, figures.GetProperty("storage").GetString());
        Assert.Equal(2, figures.GetProperty("bareDuckDbSamples").GetArrayLength());
        Assert.Equal(2, figures.GetProperty("pipelineSamples").GetArrayLength());
        // Seconds are printed to the millisecond and the ratio to the hundredth, so the printed ratio must lie within
        // what those roundings allow around pipeline / bare (a bare run of a few ms makes the interval wide, not wrong).
        var pipeline = figures.GetProperty("pipelineSeconds").GetDouble();
        var bare = figures.GetProperty("bareDuckDbSeconds").GetDouble();
        Assert.True(bare > 0.0005, $"bare DuckDB took {bare} s");
        Assert.InRange(figures.GetProperty("ratio").GetDouble(), (pipeline - 0.0005) / (bare + 0.0005) - 0.005, (pipeline + 0.0005) / (bare - 0.0005) + 0.005);
        var stages = figures.GetProperty("stages").EnumerateObject().Select(p => p.Name).ToList();
        Assert.Equal(["resolve", "ingest", "transform", "quality", "publish", "archive", "announce ‖ cleanup", "orchestration"], stages);
    }

    private Task<CliRunner.CliResult> CliAsync(params string[] args) =>
        CliRunner.RunAsync(_product.Root, azurite.CliEnvironment(Path.Combine(_product.Root, ".datamesh")), args);
}
