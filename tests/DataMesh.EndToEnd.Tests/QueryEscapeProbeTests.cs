using DataMesh.Consumption;
using DataMesh.Local;
using DataMesh.Pipeline;
using DataMesh.Testing;

namespace DataMesh.EndToEnd.Tests;

/// <summary>
/// Issue 15's <c>--out</c> escape: the folder of <c>datamesh query --out FILE</c> must never become readable to the
/// query. Before the fix it joined DuckDB's allowed directories, so <c>--out result.csv</c> in the mesh folder let the
/// query read <c>.datamesh/masking-salt</c> (or any release in the cache), and <c>--out /x.csv</c> the whole disk.
/// </summary>
[Collection(AzuriteCollection.Name)]
[Trait("Category", "Security")]
public sealed class QueryEscapeProbeTests(AzuriteFixture azurite) : IDisposable
{
    private readonly TestProduct _product = new("qesc" + Guid.NewGuid().ToString("N")[..6]);

    public void Dispose() => _product.Dispose();

    [Theory]
    [InlineData("csv")]
    [InlineData("json")]
    [InlineData("table")]
    [InlineData("parquet")]
    public async Task Query_OutBesideTheMeshSalt_CannotReadTheSalt(string format)
    {
        // Arrange: a published release, and the mesh's salt where the local mesh keeps it.
        await PublishAsync();
        var salt = Path.Combine(_product.Root, ".datamesh", "masking-salt");
        if (!File.Exists(salt))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(salt)!);
            await File.WriteAllTextAsync(salt, "probe-salt-" + Guid.NewGuid().ToString("N"));
        }

        var secret = (await File.ReadAllTextAsync(salt)).Trim();
        var outFile = Path.Combine(_product.Root, "result." + format);

        // Act: --out in the mesh folder, the query reading the salt by its relative path.
        var result = await CliAsync("query", _product.Id, "SELECT content AS v FROM read_text('.datamesh/masking-salt')", "--format", format, "--out", "result." + format);

        // Assert: refused by the sandbox, the salt nowhere in what came out.
        Assert.True(result.ExitCode == 1, result.StdErr);
        Assert.Contains("Permission Error", result.StdErr, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, result.StdOut + result.StdErr, StringComparison.Ordinal);
        Assert.False(File.Exists(outFile) && (await File.ReadAllBytesAsync(outFile)).Length > 0 && (await File.ReadAllTextAsync(outFile)).Contains(secret, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Query_OutInAFolderHoldingAnotherFile_CannotReadThatFile()
    {
        // Arrange: a file outside the mesh, and --out beside it by absolute path (the `--out /x.csv` case, in a folder).
        await PublishAsync();
        var folder = Directory.CreateTempSubdirectory("dm-out-").FullName;
        try
        {
            var secretFile = Path.Combine(folder, "secret.csv");
            await File.WriteAllTextAsync(secretFile, "secret\nnot-for-the-query\n");

            // Act
            var result = await CliAsync("query", _product.Id, $"SELECT * FROM read_csv('{secretFile}')", "--format", "csv", "--out", Path.Combine(folder, "x.csv"));

            // Assert
            Assert.True(result.ExitCode == 1, result.StdErr);
            Assert.Contains("Permission Error", result.StdErr, StringComparison.Ordinal);
            Assert.False(File.Exists(Path.Combine(folder, "x.csv")) && (await File.ReadAllTextAsync(Path.Combine(folder, "x.csv"))).Contains("not-for-the-query", StringComparison.Ordinal));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Theory]
    [InlineData("csv")]
    [InlineData("parquet")]
    public async Task Query_OutInTheReleaseCache_CannotReadAnotherReleasesCachedFiles(string format)
    {
        // Arrange: the query's own release cached, and beside it in the cache (where another product's release, a
        // restricted one that this caller's --as does not admit, would be) a file standing for that release's data.
        await PublishAsync();
        var cache = new ReleaseCacheOptions().Directory;
        Directory.CreateDirectory(cache);
        var other = Path.Combine(cache, "probe-" + Guid.NewGuid().ToString("N")[..8] + ".csv");
        var secret = "restricted-" + Guid.NewGuid().ToString("N");
        await File.WriteAllTextAsync(other, $"v\n{secret}\n");
        var outFile = Path.Combine(cache, "x-" + Guid.NewGuid().ToString("N")[..8] + "." + format);
        try
        {
            // Act: --out into the cache's own folder, the query reading the other file there.
            var result = await CliAsync("query", _product.Id, $"SELECT * FROM read_csv('{other}')", "--as", "marketing", "--format", format, "--out", outFile);

            // Assert: refused by the sandbox; the value nowhere in what came out.
            Assert.True(result.ExitCode == 1, result.StdErr);
            Assert.Contains("Permission Error", result.StdErr, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, result.StdOut + result.StdErr, StringComparison.Ordinal);
            Assert.False(File.Exists(outFile) && (await File.ReadAllBytesAsync(outFile)).AsSpan().IndexOf(System.Text.Encoding.UTF8.GetBytes(secret)) >= 0);
        }
        finally
        {
            File.Delete(other);
            File.Delete(outFile);
        }
    }

    [Theory]
    [InlineData("csv")]
    [InlineData("json")]
    [InlineData("parquet")]
    public async Task Query_OutOutsideTheRelease_StillWritesTheResult(string format)
    {
        await PublishAsync();
        var outFile = Path.Combine(_product.Root, "out", "n." + format);
        Directory.CreateDirectory(Path.GetDirectoryName(outFile)!);

        var result = await CliAsync("query", _product.Id, "SELECT count(*) AS n FROM orders_clean", "--format", format, "--out", outFile);

        Assert.True(result.ExitCode == 0, result.StdErr);
        Assert.True(new FileInfo(outFile).Length > 0);
        Assert.Equal([outFile], Directory.GetFiles(Path.GetDirectoryName(outFile)!));
    }

    private async Task PublishAsync()
    {
        await using var mesh = await _product.StartMeshAsync(azurite);
        var result = await mesh.RunAsync(_product.Id, [_product.WriteOrders($"orders-{Guid.NewGuid():N}.csv", 5)]);
        Assert.True(result.Status == PipelineStatus.Published, result.Error);
    }

    private Task<CliRunner.CliResult> CliAsync(params string[] args) =>
        CliRunner.RunAsync(_product.Root, azurite.CliEnvironment(Path.Combine(_product.Root, ".datamesh")), args);
}
