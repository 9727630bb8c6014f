using System.Text.Json;
using DataMesh.Catalog;
using DataMesh.Local;
using DataMesh.Pipeline;
using DataMesh.Publishing;
using DataMesh.Testing;

namespace DataMesh.EndToEnd.Tests;

/// <summary>
/// Input drift outside <c>run --json</c>: stored with the release and the run in the catalog, served by the API, and
/// blocking a run when the input declares <c>onDrift: block</c>.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class DriftTests(AzuriteFixture azurite)
{
    private static readonly SharedMesh Mesh = new(domain =>
    [
        new TestProduct(domain, "orders-warn"),
        new TestProduct(domain, "orders-block", inputs: TestProduct.DefaultInputs + "\n    onDrift: block"),
    ]);

    [Fact]
    public async Task Run_MissingOptionalAndUnexpectedColumn_CatalogReleaseRunAndApiCarryTheDrift()
    {
        var (mesh, product) = await ProductAsync("orders-warn");
        var file = Write(product, "orders-drift.csv", "order_id,customer,status,channel\n1,a,open,web\n2,b,shipped,shop\n");

        var result = await mesh.RunAsync(product.Id, [file]);

        Assert.True(result.Status == PipelineStatus.Published, result.Error);
        var release = await mesh.Catalog.GetReleaseAsync(product.Id, "1.0.0", result.Release!.Value);
        Assert.NotNull(release);
        Assert.Equal(
            [("amount", "missing-column"), ("channel", "unexpected-column")],
            Assert.Single(release.Inputs).Drift.Select(d => (d.Column, d.Kind)).Order());
        var run = Assert.Single(await mesh.Catalog.GetRunsAsync(product.Id), r => r.RunId == result.RunId);
        Assert.Equal(2, Assert.Single(run.Inputs).Drift.Count);

        var api = new CatalogHttpApi(mesh.Catalog);
        var releaseAnswer = await api.HandleAsync("GET", $"/api/products/{product.Id}/releases/1.0.0/{result.Release}", "");
        var runsAnswer = await api.HandleAsync("GET", $"/api/products/{product.Id}/runs", "");
        Assert.Equal((200, 200), (releaseAnswer.StatusCode, runsAnswer.StatusCode));
        using var releaseJson = JsonDocument.Parse(releaseAnswer.Body);
        var drift = releaseJson.RootElement.GetProperty("inputs")[0].GetProperty("drift");
        Assert.Contains(drift.EnumerateArray(), d => d.GetProperty("column").GetString() == "channel" && d.GetProperty("kind").GetString() == "unexpected-column");
        using var runsJson = JsonDocument.Parse(runsAnswer.Body);
        var apiRun = runsJson.RootElement.GetProperty("items").EnumerateArray().Single(r => r.GetProperty("runId").GetString() == result.RunId);
        Assert.Equal(2, apiRun.GetProperty("inputs")[0].GetProperty("drift").GetArrayLength());
    }

    [Fact]
    public async Task Run_OnDriftBlockAndUnexpectedColumn_QuarantinesNamingTheDriftAndKeepsTheRelease()
    {
        var (mesh, product) = await ProductAsync("orders-block");
        var good = await mesh.RunAsync(product.Id, [product.WriteOrders("orders-1.csv", rows: 20)]);
        Assert.True(good.Status == PipelineStatus.Published, good.Error);
        var file = Write(product, "orders-2.csv", "order_id,customer,amount,status,channel\n1,a,1.00,open,web\n");

        var result = await mesh.RunAsync(product.Id, [file]);

        Assert.Equal(PipelineStatus.Failed, result.Status);
        Assert.Equal("ingest", result.Stage);
        Assert.Contains("'channel'", result.Error, StringComparison.Ordinal);
        Assert.Contains("onDrift: block", result.Error, StringComparison.Ordinal);
        Assert.Equal(["orders/orders-2.csv"], result.Quarantined);
        var reason = (await mesh.Storage.Quarantine(product.Domain).GetBlobClient("orders/orders-2.csv.error.json").DownloadContentAsync()).Value.Content.ToString();
        Assert.Contains("channel", reason, StringComparison.Ordinal);
        var store = new ReleaseStore(mesh.Storage.Products(product.Domain));
        Assert.Equal([good.Release!.Value], await store.ListReleasesAsync(product.Name, "1.0.0"));
    }

    [Fact]
    public async Task Run_OnDriftBlockAndMissingOptionalColumn_Quarantines()
    {
        var (mesh, product) = await ProductAsync("orders-block");
        var file = Write(product, "orders-3.csv", "order_id,customer,status\n1,a,open\n");

        var result = await mesh.RunAsync(product.Id, [file]);

        Assert.Equal(PipelineStatus.Failed, result.Status);
        Assert.Contains("optional column 'amount'", result.Error, StringComparison.Ordinal);
        Assert.Equal(["orders/orders-3.csv"], result.Quarantined);
    }

    [Fact]
    public async Task Run_OnDriftBlock_TheFailedRunRecordsItsInputsInTheCatalog()
    {
        var (mesh, product) = await ProductAsync("orders-block");
        var file = Write(product, "orders-4.csv", "order_id,customer,amount,status,coupon\n1,a,1.00,open,x\n");

        var result = await mesh.RunAsync(product.Id, [file]);

        Assert.Equal(PipelineStatus.Failed, result.Status);
        Assert.Equal("ingest", result.Stage);
        Assert.Contains(Assert.Single(result.Inputs).Drift, d => d.Column == "coupon" && d.Blocking && d.BlockedByPolicy);
        var run = Assert.Single(await mesh.Catalog.GetRunsAsync(product.Id), r => r.RunId == result.RunId);
        Assert.Equal(CatalogRunStatus.Failed, run.Status);
        Assert.Contains(Assert.Single(run.Inputs).Drift, d => d.Column == "coupon" && d.Kind == "unexpected-column" && d.Blocking);
        Assert.Equal(["orders/orders-4.csv"], run.Quarantined);
    }

    [Fact]
    public async Task Run_UnexpectedColumns_TheDriftReportGivesTheirDetectedTypes()
    {
        var (mesh, product) = await ProductAsync("orders-warn");
        var file = Write(product, "orders-types.csv", "order_id,customer,amount,status,score,channel\n1,a,1.00,open,7,web\n2,b,2.00,shipped,9,shop\n");

        var result = await mesh.RunAsync(product.Id, [file]);

        Assert.True(result.Status == PipelineStatus.Published, result.Error);
        var release = await mesh.Catalog.GetReleaseAsync(product.Id, "1.0.0", result.Release!.Value);
        Assert.NotNull(release);
        Assert.Equal(
            [("channel", "VARCHAR"), ("score", "BIGINT")],
            Assert.Single(release.Inputs).Drift.Select(d => (d.Column, d.DetectedType)).Order());
        var answer = await new CatalogHttpApi(mesh.Catalog).HandleAsync("GET", $"/api/products/{product.Id}/releases/1.0.0/{result.Release}", "");
        using var json = JsonDocument.Parse(answer.Body);
        Assert.Contains(json.RootElement.GetProperty("inputs")[0].GetProperty("drift").EnumerateArray(), d => d.GetProperty("column").GetString() == "score" && d.GetProperty("detectedType").GetString() == "BIGINT");
    }

    private async Task<(LocalMesh Mesh, TestProduct Product)> ProductAsync(string name)
    {
        var mesh = await Mesh.GetAsync(azurite);
        return (mesh, Mesh.Products.Single(p => p.Name == name));
    }

    private static string Write(TestProduct product, string name, string content)
    {
        var path = Path.Combine(product.Root, name);
        File.WriteAllText(path, content);
        return path;
    }
}
