using Azure;
using DataMesh.Local;
using DataMesh.Pipeline;
using DataMesh.Publishing;
using DataMesh.Testing;

namespace DataMesh.EndToEnd.Tests;

/// <summary>The spine end to end: landing file → durable pipeline on Azurite → release, quarantine, catalog.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class PipelineTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private readonly string _domain = "sales" + Guid.NewGuid().ToString("N")[..6];
    private readonly List<TestProduct> _products = [];
    private LocalMesh? _mesh;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_mesh is not null)
        {
            await _mesh.DisposeAsync();
        }

        _products.ForEach(p => p.Dispose());
    }

    [Fact]
    public async Task Run_ValidOrders_PublishesRelease1WithTheRowsTheSqlKeeps()
    {
        var product = Product();
        var mesh = await StartAsync(product);
        var input = product.WriteOrders("orders-1.csv", rows: 200);

        var result = await mesh.RunAsync(product.Id, [input]);

        Assert.Equal(PipelineStatus.Published, result.Status);
        Assert.Equal(1, result.Release);
        Assert.Equal(TestProduct.ExpectedRows(200), result.Rows);
        Assert.All(result.Quality, q => Assert.True(q.Passed, q.Name));
        var products = mesh.Storage.Products(product.Domain);
        Assert.Equal(TestProduct.ExpectedRows(200), await ReleaseReader.CountRowsAsync(products, product.Name, "1.0.0", 1));
        Assert.Equal(0, await ReleaseReader.CountRowsAsync(products, product.Name, "1.0.0", 1, "status = 'cancelled'"));
        var manifest = await new ReleaseStore(products).ReadManifestAsync(ReleaseStore.Folder(product.Name, "1.0.0", 1));
        Assert.NotNull(manifest);
        Assert.Equal(result.RunId, manifest.RunId);
        Assert.Single(manifest.Lineage.Landing);
        Assert.Equal("orders/orders-1.csv", manifest.Lineage.Landing[0].Name);

        var catalog = await mesh.Catalog.GetProductAsync(product.Id);
        Assert.NotNull(catalog);
        Assert.Equal(1, catalog.LatestRelease);
        Assert.Equal(TestProduct.ExpectedRows(200), catalog.Rows);
    }

    [Fact]
    public async Task Run_QualityGateFails_QuarantinesInputAndLeavesRelease1Readable()
    {
        var product = Product();
        var mesh = await StartAsync(product);
        var good = await mesh.RunAsync(product.Id, [product.WriteOrders("orders-1.csv", rows: 50)]);
        Assert.Equal(PipelineStatus.Published, good.Status);

        // A duplicate order id (unique) and an unknown status (validValues): both blocking.
        var bad = product.WriteOrders("orders-2.csv", rows: 30, "7,customer-x,10.00,open", "31,customer-y,12.50,lost");
        var result = await mesh.RunAsync(product.Id, [bad]);

        Assert.Equal(PipelineStatus.QualityFailed, result.Status);
        Assert.Null(result.Release);
        Assert.Contains(result.Quality, q => q.Name == "order_id.unique" && !q.Passed && q.FailedRows == 1);
        Assert.Contains(result.Quality, q => q.Property == "status" && q.Metric == "invalidValues" && !q.Passed && q.FailedRows == 1);
        Assert.Equal(["orders/orders-2.csv"], result.Quarantined);

        var quarantine = mesh.Storage.Quarantine(product.Domain);
        Assert.True(await quarantine.GetBlobClient("orders/orders-2.csv").ExistsAsync());
        var reason = (await quarantine.GetBlobClient("orders/orders-2.csv.error.json").DownloadContentAsync()).Value.Content.ToString();
        Assert.Contains("order_id.unique", reason, StringComparison.Ordinal);
        Assert.False(await mesh.Storage.Landing(product.Domain).GetBlobClient("orders/orders-2.csv").ExistsAsync());

        var store = new ReleaseStore(mesh.Storage.Products(product.Domain));
        Assert.Equal([1], await store.ListReleasesAsync(product.Name, "1.0.0"));
        Assert.Equal(TestProduct.ExpectedRows(50), await ReleaseReader.CountRowsAsync(store.Container, product.Name, "1.0.0", 1));
        var runs = await mesh.Catalog.GetRunsAsync(product.Id);
        Assert.Contains(runs, r => r.RunId == result.RunId && r.Status == "QualityFailed");
    }

    [Fact]
    public async Task Run_SqlReadsEtcPasswd_FailsWithSandboxErrorAndPublishesNothing()
    {
        var product = Product(sql: "SELECT * FROM read_csv('/etc/passwd')");
        var mesh = await StartAsync(product);

        var result = await mesh.RunAsync(product.Id, [product.WriteOrders("orders-1.csv", rows: 5)]);

        Assert.Equal(PipelineStatus.Failed, result.Status);
        Assert.Equal("transform", result.Stage);
        Assert.Contains("/etc/passwd", result.Error, StringComparison.Ordinal);
        Assert.Contains("Permission", result.Error, StringComparison.OrdinalIgnoreCase);
        Assert.Empty(await new ReleaseStore(mesh.Storage.Products(product.Domain)).ListReleasesAsync(product.Name, "1.0.0"));
    }

    [Theory]
    [InlineData("COPY (SELECT 1) TO 'x.csv'")]
    [InlineData("SELECT 1; SELECT 2")]
    [InlineData("ATTACH 'other.db'")]
    [InlineData("SET enable_external_access = true")]
    public async Task Run_SqlIsNotASingleSelect_FailsBeforeRunningIt(string sql)
    {
        var product = Product(sql: sql);
        var mesh = await StartAsync(product);

        var result = await mesh.RunAsync(product.Id, [product.WriteOrders("orders-1.csv", rows: 5)]);

        Assert.Equal(PipelineStatus.Failed, result.Status);
        Assert.Contains("exactly one SELECT", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_SameRunIdTwice_YieldsOneRelease()
    {
        var product = Product();
        var mesh = await StartAsync(product);
        var blob = await mesh.UploadToLandingAsync(mesh.Products.Get(product.Id), product.WriteOrders("orders-1.csv", rows: 20));
        var request = new PipelineRequest { RunId = "dup-" + Guid.NewGuid().ToString("N")[..8], ProductId = product.Id, LandingBlobs = [blob] };

        var first = await mesh.RunAsync(request);
        var second = await mesh.RunAsync(request);

        Assert.Equal(PipelineStatus.Published, first.Status);
        Assert.Equal((first.RunId, first.Release, first.Rows, first.Location), (second.RunId, second.Release, second.Rows, second.Location));
        Assert.Equal([1], await new ReleaseStore(mesh.Storage.Products(product.Domain)).ListReleasesAsync(product.Name, "1.0.0"));
    }

    [Fact]
    public async Task PublishActivity_RetriedForTheSameRun_ReturnsTheSameReleaseAndNeverOverwrites()
    {
        var product = Product();
        var mesh = await StartAsync(product);
        var first = await mesh.RunAsync(product.Id, [product.WriteOrders("orders-1.csv", rows: 20)]);
        var store = new ReleaseStore(mesh.Storage.Products(product.Domain));

        // The same run claiming again (an activity retried after its side effect) gets its own release back...
        var again = await store.ClaimReleaseAsync(product.Name, "1.0.0", first.RunId);
        // ...while another run gets the next number.
        var other = await store.ClaimReleaseAsync(product.Name, "1.0.0", "another-run");

        Assert.Equal(first.Release, again);
        Assert.Equal(first.Release + 1, other);
        var folder = ReleaseStore.Folder(product.Name, "1.0.0", first.Release!.Value);
        var existing = await store.ReadManifestAsync(folder);
        var forged = existing! with { RunId = "another-run", Rows = 1 };
        await Assert.ThrowsAsync<InvalidOperationException>(() => store.WriteManifestAsync(folder, forged));
        Assert.Equal(first.Rows, (await store.ReadManifestAsync(folder))!.Rows);
    }

    [Fact]
    public async Task Run_TwoRunsRacing_GetReleases1And2()
    {
        var product = Product();
        var mesh = await StartAsync(product);
        var a = product.WriteOrders("orders-a.csv", rows: 10);
        var b = product.WriteOrders("orders-b.csv", rows: 15);

        var results = await Task.WhenAll(mesh.RunAsync(product.Id, [a]), mesh.RunAsync(product.Id, [b]));

        Assert.All(results, r => Assert.Equal(PipelineStatus.Published, r.Status));
        Assert.Equal([1, 2], results.Select(r => r.Release!.Value).Order());
        Assert.Equal([1, 2], await new ReleaseStore(mesh.Storage.Products(product.Domain)).ListReleasesAsync(product.Name, "1.0.0"));
    }

    [Fact]
    public async Task Run_BreakingContractUnderSameMajor_RefusedAtPublishAndRelease1StaysCurrent()
    {
        var product = Product();
        var mesh = await StartAsync(product);
        Assert.Equal(PipelineStatus.Published, (await mesh.RunAsync(product.Id, [product.WriteOrders("orders-1.csv", rows: 20)])).Status);

        // The customer column becomes an integer: a type change that breaks consumers, still under 1.x.
        var contract = Path.Combine(product.Directory, "contract.odcs.yaml");
        File.WriteAllText(contract, File.ReadAllText(contract).Replace("version: 1.0.0", "version: 1.1.0", StringComparison.Ordinal)
            .Replace("- name: customer\n        logicalType: string", "- name: customer\n        logicalType: integer", StringComparison.Ordinal));
        var spec = Path.Combine(product.Directory, "product.yaml");
        File.WriteAllText(spec, File.ReadAllText(spec).Replace("version: 1.0.0", "version: 1.1.0", StringComparison.Ordinal));
        File.WriteAllText(Path.Combine(product.Directory, "transform.sql"), "SELECT order_id, CAST(order_id AS INTEGER) AS customer, CAST(amount AS DECIMAL(18,2)) AS amount, status FROM orders WHERE status <> 'cancelled'");
        mesh.Products.Add(DataMesh.Specs.ProductSpecLoader.Load(product.Directory));

        var result = await mesh.RunAsync(product.Id, [product.WriteOrders("orders-2.csv", rows: 20)]);

        Assert.Equal(PipelineStatus.Failed, result.Status);
        Assert.Equal("publish", result.Stage);
        Assert.Contains("breaks release 1.0.0#1 under the same major version", result.Error, StringComparison.Ordinal);
        Assert.Contains("customer", result.Error, StringComparison.Ordinal);
        Assert.Contains("2.0.0", result.Error, StringComparison.Ordinal);
        Assert.Empty(result.Quarantined);
        var store = new ReleaseStore(mesh.Storage.Products(product.Domain));
        Assert.Empty(await store.ListReleasesAsync(product.Name, "1.1.0"));
        Assert.Equal([1], await store.ListReleasesAsync(product.Name, "1.0.0"));
        Assert.True(await mesh.Storage.Landing(product.Domain).GetBlobClient("orders/orders-2.csv").ExistsAsync());
    }

    private TestProduct Product(string sql = TestProduct.DefaultSql)
    {
        var product = new TestProduct(_domain, sql: sql);
        _products.Add(product);
        return product;
    }

    private async Task<LocalMesh> StartAsync(params TestProduct[] products)
    {
        var options = new LocalMeshOptions
        {
            // The run\'s Azurite: each domain in its own account (one account only when DATAMESH_STORAGE chose it).
            Azurite = azurite.Server,
            ConnectionString = azurite.ConnectionString,
            Namespace = AzuriteFixture.CreateNamespace(),
            LoadPipelinesFolder = false,
            StateDirectory = Path.Combine(products[0].Root, ".datamesh"),
        };
        foreach (var product in products)
        {
            options.ExtraProductDirectories.Add(product.Directory);
        }

        _mesh = await LocalMesh.StartAsync(options);
        return _mesh;
    }
}
