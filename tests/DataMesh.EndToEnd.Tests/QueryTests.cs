using System.Text.Json;
using DataMesh.Local;
using DataMesh.Pipeline;
using DataMesh.Testing;

namespace DataMesh.EndToEnd.Tests;

/// <summary><c>datamesh query</c>: SQL over a product's newest release in a range, or one exact release.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class QueryTests(AzuriteFixture azurite) : IDisposable
{
    private readonly TestProduct _product = new("qry" + Guid.NewGuid().ToString("N")[..6]);

    public void Dispose() => _product.Dispose();

    [Fact]
    public async Task Query_ByIdRangeAndExactRelease_ReadsTheRightRelease()
    {
        await PublishAsync(rows: 10);
        await PublishAsync(rows: 20);

        var newest = await CliAsync("query", _product.Id, "SELECT count(*) AS n FROM orders_clean", "--format", "json");
        var inRange = await CliAsync("query", _product.Id + "@^1", "SELECT count(*) AS n FROM orders_clean", "--format", "csv");
        var exact = await CliAsync("query", _product.Id + "@1.0.0#1", "SELECT count(*) AS n FROM orders_clean", "--format", "json");

        Assert.True(newest.ExitCode == 0, newest.StdErr);
        using (var json = JsonDocument.Parse(newest.StdOut))
        {
            Assert.Equal(TestProduct.ExpectedRows(20), json.RootElement[0].GetProperty("n").GetInt64());
        }

        Assert.Equal($"n\n{TestProduct.ExpectedRows(20)}", inRange.StdOut.Trim().ReplaceLineEndings("\n"));
        using (var json = JsonDocument.Parse(exact.StdOut))
        {
            Assert.Equal(TestProduct.ExpectedRows(10), json.RootElement[0].GetProperty("n").GetInt64());
        }
    }

    [Fact]
    public async Task Query_NewerMajorOutsideRange_WarnsAndReadsThePinnedRange()
    {
        await PublishAsync(rows: 10);
        foreach (var file in new[] { "product.yaml", "contract.odcs.yaml" })
        {
            var path = Path.Combine(_product.Directory, file);
            File.WriteAllText(path, File.ReadAllText(path).Replace("version: 1.0.0", "version: 2.0.0", StringComparison.Ordinal));
        }

        await PublishAsync(rows: 30);

        var result = await CliAsync("query", _product.Id + "@^1", "SELECT count(*) AS n FROM orders_clean", "--format", "csv");

        Assert.Equal(0, result.ExitCode);
        Assert.Contains($"newer release 2.0.0#1 outside your range ^1", result.StdErr, StringComparison.Ordinal);
        Assert.EndsWith(TestProduct.ExpectedRows(10).ToString(System.Globalization.CultureInfo.InvariantCulture), result.StdOut.Trim(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("SELECT * FROM read_csv('/etc/passwd')", "Permission Error")]
    [InlineData("COPY orders_clean TO '/tmp/x.csv'", "exactly one SELECT")]
    public async Task Query_EscapeAttempt_RefusedWithExitOne(string sql, string reason)
    {
        await PublishAsync(rows: 5);

        var result = await CliAsync("query", _product.Id, sql);

        Assert.True(result.ExitCode == 1, result.StdErr);
        Assert.Contains(reason, result.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Query_RecursiveCtePastItsTimeout_StoppedWithExitOne()
    {
        await PublishAsync(rows: 5);

        var result = await CliAsync("query", _product.Id, "WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t) SELECT count(*) FROM t", "--format", "csv", "--timeout", "PT2S");

        Assert.True(result.ExitCode == 1, result.StdErr);
        Assert.Contains("ran past its time limit of 00:00:02", result.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Query_ScratchLeftByAKilledQuery_SweptAndItsOwnRemoved()
    {
        // Arrange: a private temp path, with the spill folder of a query killed earlier (its lock no longer held).
        await PublishAsync(rows: 5);
        var temp = Directory.CreateDirectory(Path.Combine(_product.Root, "tmp")).FullName;
        var left = Directory.CreateDirectory(Path.Combine(temp, "datamesh-query-0123456789ab")).FullName;
        await File.WriteAllTextAsync(Path.Combine(left, ".lock"), "");
        await File.WriteAllBytesAsync(Path.Combine(left, "duckdb_temp_block-0.block"), new byte[4096]);

        // Act
        var result = await CliRunner.RunAsync(_product.Root, new Dictionary<string, string>(azurite.CliEnvironment(Path.Combine(_product.Root, ".datamesh")))
        {
            ["TMPDIR"] = temp + "/",
        }, "query", _product.Id, "SELECT count(*) AS n FROM orders_clean", "--format", "csv");

        // Assert: the stale folder is gone, and so is the query's own.
        Assert.True(result.ExitCode == 0, result.StdErr);
        Assert.Empty(Directory.GetDirectories(temp, "datamesh-query-*"));
    }

    private async Task PublishAsync(int rows)
    {
        await using var mesh = await _product.StartMeshAsync(azurite);
        var result = await mesh.RunAsync(_product.Id, [_product.WriteOrders($"orders-{Guid.NewGuid():N}.csv", rows)]);
        Assert.True(result.Status == PipelineStatus.Published, result.Error);
    }

    private Task<CliRunner.CliResult> CliAsync(params string[] args) =>
        CliRunner.RunAsync(_product.Root, azurite.CliEnvironment(Path.Combine(_product.Root, ".datamesh")), args);
}
