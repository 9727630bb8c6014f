using System.Text.Json;
using DataMesh.Catalog;
using DataMesh.Consumption;
using DataMesh.Local;
using DataMesh.Pipeline;
using DataMesh.Testing;

namespace DataMesh.EndToEnd.Tests;

/// <summary>Consumers reading releases: the catalog API's paged rows and file downloads, and both honouring the product's access.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class ConsumeTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private readonly TestProduct _product = new("cns" + Guid.NewGuid().ToString("N")[..6]);
    private LocalMesh? _mesh;

    public async Task InitializeAsync()
    {
        // Restricted to its own domain and sales.
        var spec = Path.Combine(_product.Directory, "product.yaml");
        File.WriteAllText(spec, File.ReadAllText(spec).Replace("access: { visibility: public }", "access: { visibility: restricted, readers: [sales] }", StringComparison.Ordinal));
        _mesh = await _product.StartMeshAsync(azurite);
    }

    public async Task DisposeAsync()
    {
        if (_mesh is not null)
        {
            await _mesh.DisposeAsync();
        }

        _product.Dispose();
    }

    [Fact]
    public async Task ReleaseRows_PagingThroughAHundredThousandRows_ReturnsEveryRowOnce()
    {
        // Arrange: 125,000 orders, of which the product keeps 100,000.
        var result = await _mesh!.RunAsync(_product.Id, [_product.WriteOrders("orders-big.csv", 125_000)]);
        Assert.True(result.Status == PipelineStatus.Published, result.Error);
        Assert.Equal(100_000, result.Rows);
        var api = Api();
        var seen = new HashSet<long>();
        long? offset = 0;
        var pages = 0;

        // Act
        while (offset is { } at)
        {
            var answer = await api.HandleAsync("GET", $"/api/products/{_product.Id}/releases/1.0.0/1/rows", $"?offset={at}&limit=1000", DataReader.ForDomain("sales"));
            Assert.True(answer.StatusCode == 200, answer.Body);
            using var page = JsonDocument.Parse(answer.Body);
            Assert.Equal(100_000, page.RootElement.GetProperty("total").GetInt64());
            foreach (var row in page.RootElement.GetProperty("rows").EnumerateArray())
            {
                Assert.True(seen.Add(row.GetProperty("order_id").GetInt64()), "a row came back twice");
            }

            offset = page.RootElement.GetProperty("nextOffset").ValueKind == JsonValueKind.Null ? null : page.RootElement.GetProperty("nextOffset").GetInt64();
            pages++;
        }

        // Assert
        Assert.Equal(100, pages);
        Assert.Equal(100_000, seen.Count);
    }

    [Fact]
    public async Task ReleaseData_CallerOutsideTheReaders_Gets403NamingWhoMayRead()
    {
        // Arrange
        await PublishSmallAsync();
        var api = Api();
        var rows = $"/api/products/{_product.Id}/releases/1.0.0/1/rows";
        var file = $"/api/products/{_product.Id}/releases/1.0.0/1/files";

        // Act
        var anonymous = await api.HandleAsync("GET", rows, null, DataReader.Anonymous);
        var marketing = await api.HandleAsync("GET", file, "?path=part-00000.parquet", DataReader.ForDomain("marketing"));
        var sales = await api.HandleAsync("GET", rows, "?limit=5", DataReader.ForDomain("sales"));
        var owner = await api.HandleAsync("GET", file, "?path=part-00000.parquet", DataReader.ForDomain(_product.Domain));

        // Assert
        foreach (var refused in new[] { anonymous, marketing })
        {
            Assert.Equal(403, refused.StatusCode);
            Assert.StartsWith("application/problem+json", refused.ContentType, StringComparison.Ordinal);
            using var problem = JsonDocument.Parse(refused.Body);
            Assert.Equal("urn:datamesh:catalog:problem:access-denied", problem.RootElement.GetProperty("type").GetString());
            Assert.Contains("restricted to domain " + _product.Domain + " and sales", problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
            Assert.Null(refused.Content);
        }

        Assert.Equal(200, sales.StatusCode);
        Assert.Equal(200, owner.StatusCode);
        await using var parquet = owner.Content!;
        var magic = new byte[4];
        await parquet.ReadExactlyAsync(magic);
        Assert.Equal("PAR1"u8.ToArray(), magic);
    }

    [Theory]
    [InlineData("../../_manifest.json")]
    [InlineData("_manifest.json")]
    [InlineData("/etc/passwd")]
    public async Task ReleaseFile_PathNotInTheManifest_Is404(string path)
    {
        // Arrange
        await PublishSmallAsync();

        // Act
        var answer = await Api().HandleAsync("GET", $"/api/products/{_product.Id}/releases/1.0.0/1/files", "?path=" + Uri.EscapeDataString(path), DataReader.Operator);

        // Assert
        Assert.Equal(404, answer.StatusCode);
        Assert.Null(answer.Content);
    }

    [Fact]
    public async Task Query_AsADomainOutsideTheReaders_IsRefusedAndAsAReaderReads()
    {
        // Arrange
        await PublishSmallAsync();

        // Act
        var marketing = await CliAsync("query", _product.Id, "SELECT count(*) AS n FROM orders_clean", "--as", "marketing", "--format", "csv");
        var sales = await CliAsync("query", _product.Id, "SELECT count(*) AS n FROM orders_clean", "--as", "sales", "--format", "csv");

        // Assert
        Assert.True(marketing.ExitCode == 1, marketing.StdErr);
        Assert.Contains("domain 'marketing' may not read it", marketing.StdErr, StringComparison.Ordinal);
        Assert.Equal("", marketing.StdOut.Trim());
        Assert.True(sales.ExitCode == 0, sales.StdErr);
        Assert.EndsWith(TestProduct.ExpectedRows(10).ToString(System.Globalization.CultureInfo.InvariantCulture), sales.StdOut.Trim(), StringComparison.Ordinal);
    }

    private CatalogHttpApi Api() => new(_mesh!.Catalog, releases: new DataMesh.Consumption.ReleaseReader(_mesh.Storage, Path.Combine(_product.Root, "cache")));

    private async Task PublishSmallAsync()
    {
        var result = await _mesh!.RunAsync(_product.Id, [_product.WriteOrders("orders-small.csv", 10)]);
        Assert.True(result.Status == PipelineStatus.Published, result.Error);
    }

    private Task<CliRunner.CliResult> CliAsync(params string[] args) =>
        CliRunner.RunAsync(_product.Root, azurite.CliEnvironment(Path.Combine(_product.Root, ".datamesh")), args);
}
