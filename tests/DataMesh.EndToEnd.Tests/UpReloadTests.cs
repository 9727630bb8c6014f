using DataMesh.Pipeline;
using DataMesh.Testing;

namespace DataMesh.EndToEnd.Tests;

/// <summary>
/// <c>datamesh up</c> reloads <c>pipelines/</c> when it is edited, without a restart (issue 18): an upstream's access edited
/// on disk grants or revokes a consumer domain's read on the upstream's storage; an invalid edit is refused with its
/// diagnostic and the mesh keeps running on the specs it had.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class UpReloadTests(AzuriteFixture azurite) : IDisposable
{
    private readonly string _suffix = Guid.NewGuid().ToString("N")[..6];
    private readonly List<TestProduct> _products = [];

    public void Dispose()
    {
        foreach (var product in _products)
        {
            product.Dispose();
        }
    }

    [Fact]
    public async Task Up_UpstreamAccessEditedOnDisk_AdmitsTheConsumerWithoutARestartThenANarrowingEditRevokesIt()
    {
        // Arrange: upstream orders shared with another domain only; a consumer in its own domain reads them.
        var upstream = Add(new TestProduct("rlu" + _suffix));
        var consumer = Add(new TestProduct("rlc" + _suffix, "orders-copy", "SELECT order_id, customer, amount, status FROM src", TestProduct.DefaultContract,
            $"  - name: src\n    product: {upstream.Id}\n    versions: ^1"));
        var mesh = Mesh(upstream, consumer);
        SetAccess(mesh, upstream, "{ visibility: restricted, readers: [finance] }");
        var storage = await azurite.OpenMeshStorageAsync();
        var landing = storage.Landing(upstream.Domain);
        using var up = UpProcess.Start(mesh, azurite.CliEnvironment(Path.Combine(mesh, ".datamesh")));
        await up.WaitForLineAsync(["Mesh up"]);

        // Act: release 1 of the upstream triggers the consumer, whose domain holds no grant on the upstream's storage.
        await landing.GetBlobClient("orders/a.csv").UploadAsync(upstream.WriteOrders("a.csv", rows: 10));
        var refused = await up.WaitForLineAsync([$"of {consumer.Id} ended {PipelineStatus.Failed}"]);

        // Assert: storage refused it, and the error says which product and which access rule.
        Assert.Contains(UpstreamReadRefusedException.Code, refused, StringComparison.Ordinal);
        Assert.Contains("403", refused, StringComparison.Ordinal);
        Assert.Contains($"{upstream.Id} has access: restricted, readers [finance]", refused, StringComparison.Ordinal);

        // Act: the upstream admits the consumer's domain, edited on disk while up runs (written in two steps, as an editor
        // may); its next release triggers the consumer again.
        var productYaml = Path.Combine(mesh, "pipelines", upstream.Domain, upstream.Name, "product.yaml");
        var admitted = File.ReadAllText(productYaml).Replace("readers: [finance]", $"readers: [finance, {consumer.Domain}]", StringComparison.Ordinal);
        await File.WriteAllTextAsync(productYaml, "");
        await File.WriteAllTextAsync(productYaml, admitted);
        var grant = await up.WaitForLineAsync(["Specs reloaded"]);
        await landing.GetBlobClient("orders/b.csv").UploadAsync(upstream.WriteOrders("b.csv", rows: 20, idOffset: 100));
        var published = await up.WaitForLineAsync([$"of {consumer.Id} ended {PipelineStatus.Published}"]);

        // Assert: one reload, naming the changed product and the new grant; the consumer published from release 2.
        Assert.Contains($"changed [{upstream.Id}]", grant, StringComparison.Ordinal);
        Assert.Contains($"grants added [{consumer.Domain} reads {upstream.Domain}]", grant, StringComparison.Ordinal);
        Assert.Single(up.Lines("Specs reloaded"));
        Assert.Contains("release 1,", published, StringComparison.Ordinal);

        // Act: the access narrows again; the next release triggers the consumer once more.
        SetAccess(mesh, upstream, "{ visibility: restricted, readers: [finance] }");
        var revoke = await up.WaitForLineAsync(["Specs reloaded"], count: 2);
        await landing.GetBlobClient("orders/c.csv").UploadAsync(upstream.WriteOrders("c.csv", rows: 30, idOffset: 200));
        var refusedAgain = await up.WaitForLineAsync([$"of {consumer.Id} ended {PipelineStatus.Failed}"], count: 2);

        // Assert: the grant went with the spec, and storage refuses the consumer again.
        Assert.Contains($"grants revoked [{consumer.Domain} reads {upstream.Domain}]", revoke, StringComparison.Ordinal);
        Assert.Contains(UpstreamReadRefusedException.Code, refusedAgain, StringComparison.Ordinal);
        Assert.Contains("403", refusedAgain, StringComparison.Ordinal);
        Assert.True(up.IsRunning);
    }

    [Fact]
    public async Task Up_InvalidEditOfASpec_PrintsItsDiagnosticAndKeepsServingThePreviousSpecs()
    {
        // Arrange
        var product = Add(new TestProduct("rli" + _suffix));
        var mesh = Mesh(product);
        var storage = await azurite.OpenMeshStorageAsync();
        using var up = UpProcess.Start(mesh, azurite.CliEnvironment(Path.Combine(mesh, ".datamesh")));
        await up.WaitForLineAsync(["Mesh up"]);

        // Act: the landing path moves, but the edit leaves the YAML broken (an unclosed flow mapping).
        var productYaml = Path.Combine(mesh, "pipelines", product.Domain, product.Name, "product.yaml");
        var yaml = File.ReadAllText(productYaml);
        await File.WriteAllTextAsync(productYaml, yaml.Replace("landing: { path: orders/,", "landing: { path: moved/,", StringComparison.Ordinal)
            .Replace("access: { visibility: public }", "access: { visibility: public", StringComparison.Ordinal));
        var refused = await up.WaitForLineAsync(["Specs not reloaded"]);
        await storage.Landing(product.Domain).GetBlobClient("orders/a.csv").UploadAsync(product.WriteOrders("a.csv", rows: 10));
        var published = await up.WaitForLineAsync([$"of {product.Id} ended {PipelineStatus.Published}"]);

        // Assert: the diagnostic names the file, line and column; the old landing path still runs the old spec.
        var diagnostic = Assert.Single(up.Lines("product.yaml:", ": error "));
        Assert.Matches(@"product\.yaml:\d+:\d+: error ", diagnostic);
        Assert.Contains("still running on the previous specs", refused, StringComparison.Ordinal);
        Assert.Contains($"{TestProduct.ExpectedRows(10)} rows", published, StringComparison.Ordinal);
        Assert.Empty(up.Lines("Specs reloaded"));
    }

    private TestProduct Add(TestProduct product)
    {
        _products.Add(product);
        return product;
    }

    /// <summary>A mesh folder (the first product's root) with every product under <c>pipelines/&lt;domain&gt;/&lt;name&gt;</c>.</summary>
    private static string Mesh(params TestProduct[] products)
    {
        var root = products[0].Root;
        foreach (var product in products)
        {
            var folder = Path.Combine(root, "pipelines", product.Domain, product.Name);
            Directory.CreateDirectory(Path.GetDirectoryName(folder)!);
            Directory.Move(product.Directory, folder);
        }

        return root;
    }

    private static void SetAccess(string mesh, TestProduct product, string access)
    {
        var path = Path.Combine(mesh, "pipelines", product.Domain, product.Name, "product.yaml");
        var yaml = File.ReadAllText(path);
        var start = yaml.IndexOf("access:", StringComparison.Ordinal);
        File.WriteAllText(path, yaml[..start] + $"access: {access}\n");
    }
}
