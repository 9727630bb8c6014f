using DataMesh.Pipeline;
using DataMesh.Testing;

namespace DataMesh.EndToEnd.Tests;

/// <summary><c>output.retention</c> on the local mesh: the host's sweep expires releases, and time travel to one names the rule.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class RetentionTests(AzuriteFixture azurite) : IDisposable
{
    private readonly TestProduct _product = new("ret" + Guid.NewGuid().ToString("N")[..6], output: "{ contract: contract.odcs.yaml, retention: { releases: 1 } }");

    public void Dispose() => _product.Dispose();

    [Fact]
    public async Task MaintainReleases_ReleasesOne_OlderReleaseExpiresAndQueryNamesTheRule()
    {
        // Arrange: two releases of a product that keeps one.
        await using (var mesh = await _product.StartMeshAsync(azurite))
        {
            foreach (var rows in new[] { 10, 20 })
            {
                var run = await mesh.RunAsync(_product.Id, [_product.WriteOrders($"orders-{Guid.NewGuid():N}.csv", rows)]);
                Assert.True(run.Status == PipelineStatus.Published, run.Error);
            }

            // Act
            var (retention, _) = await mesh.MaintainReleasesAsync();

            // Assert: #1 expired (its files wait for the grace period), #2 stays.
            Assert.Equal(["1.0.0#1"], retention.Single(r => r.ProductId == _product.Id).Expired);
        }

        var expired = await CliAsync("query", _product.Id + "@1.0.0#1", "SELECT count(*) AS n FROM orders_clean", "--format", "csv");
        var newest = await CliAsync("query", _product.Id, "SELECT count(*) AS n FROM orders_clean", "--format", "csv");

        Assert.True(expired.ExitCode == 1, expired.StdErr);
        Assert.Contains($"{_product.Id} 1.0.0#1 has expired", expired.StdErr, StringComparison.Ordinal);
        Assert.Contains("output.retention { releases: 1 }", expired.StdErr, StringComparison.Ordinal);
        Assert.True(newest.ExitCode == 0, newest.StdErr);
        Assert.EndsWith(TestProduct.ExpectedRows(20).ToString(System.Globalization.CultureInfo.InvariantCulture), newest.StdOut.Trim(), StringComparison.Ordinal);
    }

    private Task<CliRunner.CliResult> CliAsync(params string[] args) =>
        CliRunner.RunAsync(_product.Root, azurite.CliEnvironment(Path.Combine(_product.Root, ".datamesh")), args);
}
