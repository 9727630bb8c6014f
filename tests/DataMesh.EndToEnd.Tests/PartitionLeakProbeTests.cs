using Azure.Storage.Blobs.Models;
using DataMesh.Pipeline;
using DataMesh.Publishing;
using DataMesh.Testing;

namespace DataMesh.EndToEnd.Tests;

/// <summary>
/// The partition leak of issue 15: a public product partitioned (<c>output.partitionBy</c>) by a pii column masked with
/// <c>hash</c> published the clear values as its Hive folder names. Refused by the spec loader (so by <c>validate</c>,
/// <c>run</c> and every host), and again by the publish gate for a spec that never went through the loader.
/// </summary>
[Collection(AzuriteCollection.Name)]
[Trait("Category", "Security")]
public sealed class PartitionLeakProbeTests(AzuriteFixture azurite) : IDisposable
{
    private static readonly string HashedPiiContract = TestProduct.DefaultContract.Replace(
        "      - name: customer\n        logicalType: string\n        required: true\n",
        "      - name: customer\n        logicalType: string\n        required: true\n        classification: pii\n"
            + "        customProperties: [{ property: masking, value: hash }]\n",
        StringComparison.Ordinal);

    private readonly TestProduct _product = new("leak" + Guid.NewGuid().ToString("N")[..6], contract: HashedPiiContract);

    public void Dispose() => _product.Dispose();

    [Fact]
    public async Task Run_SpecPartitionedByHashedPii_RefusedBeforeAnyRunNamingTheField()
    {
        // Arrange
        var spec = Path.Combine(_product.Directory, "product.yaml");
        File.WriteAllText(spec, File.ReadAllText(spec).Replace(
            "output: { contract: contract.odcs.yaml }", "output: { contract: contract.odcs.yaml, partitionBy: [customer] }", StringComparison.Ordinal));

        // Act
        var result = await CliRunner.RunAsync(_product.Root, azurite.CliEnvironment(Path.Combine(_product.Root, ".datamesh")), "run", _product.Directory, "--input", _product.WriteOrders("orders-1.csv", rows: 5));

        // Assert
        Assert.True(result.ExitCode == 1, result.StdErr);
        Assert.Matches(@"product\.yaml:\d+:\d+: error DM1029: output\.partitionBy: 'customer' is masked \(hash\)", result.StdErr);
        Assert.DoesNotContain("customer-", result.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Publish_SpecThatSkippedTheLoaderPartitionedByHashedPii_RefusedAndNoClearValueStored()
    {
        // Arrange: the mesh serves the product as loaded, then the spec is swapped for one that never met the loader.
        await using var mesh = await _product.StartMeshAsync(azurite, options => options.Namespace = AzuriteFixture.CreateNamespace());
        var loaded = mesh.Products.Get(_product.Id);
        Assert.Equal("hash", loaded.Contract.Schema[0].Properties.Single(p => p.Name == "customer").Masking);
        mesh.Products.Add(loaded with { Output = loaded.Output with { PartitionBy = ["customer"] } });

        // Act
        var result = await mesh.RunAsync(_product.Id, [_product.WriteOrders("orders-1.csv", rows: 20)]);

        // Assert: refused at the publish gate with the reason...
        Assert.Equal(PipelineStatus.Failed, result.Status);
        Assert.Equal("publish", result.Stage);
        Assert.Contains("'customer' is masked (hash)", result.Error, StringComparison.Ordinal);
        // ...no release, and no clear customer value in any blob name of the products container.
        Assert.Null(result.Release);
        var store = new ReleaseStore(mesh.Storage.Products(_product.Domain));
        Assert.Empty(await store.ListReleasesAsync(_product.Name, "1.0.0"));
        var names = new List<string>();
        await foreach (var blob in store.Container.GetBlobsAsync(new GetBlobsOptions()))
        {
            names.Add(blob.Name);
        }

        Assert.DoesNotContain(names, n => n.Contains("customer-", StringComparison.Ordinal));
    }
}
