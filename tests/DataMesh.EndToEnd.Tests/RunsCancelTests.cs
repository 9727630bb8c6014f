using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.RegularExpressions;
using DataMesh.Catalog;
using DataMesh.Publishing;
using DataMesh.Storage;
using DataMesh.Testing;

namespace DataMesh.EndToEnd.Tests;

/// <summary><c>datamesh runs cancel RUN_ID</c> on a run that <c>datamesh up</c> executes: no release, landing input kept, recorded as cancelled.</summary>
[Collection(AzuriteCollection.Name)]
[Trait("Category", "Faults")]
public sealed partial class RunsCancelTests(AzuriteFixture azurite) : IDisposable
{
    // Large enough that the run is surely mid-way when it is cancelled.
    private const int BigFileRows = 3_000_000;

    private readonly TestProduct _product = new("rcancel" + Guid.NewGuid().ToString("N")[..6]);

    public void Dispose() => _product.Dispose();

    [Fact]
    public async Task RunsCancel_RunOfUpInFlight_RecordedCancelledWithNoReleaseAndLandingKept()
    {
        // Arrange: `up` serving the product; a large file dropped into landing; its run started.
        var pipelines = Path.Combine(_product.Root, "pipelines", _product.Domain, _product.Name);
        Directory.CreateDirectory(Path.GetDirectoryName(pipelines)!);
        Directory.Move(_product.Directory, pipelines);
        var file = _product.WriteOrders("big.csv", rows: BigFileRows);
        var storage = await azurite.OpenMeshStorageAsync();
        var environment = azurite.CliEnvironment(Path.Combine(_product.Root, ".datamesh"));
        using var up = Start(environment, out var log);
        try
        {
            await WaitUntilAsync(async () => await storage.Staging(_product.Domain).ExistsAsync(), up, log);
            await storage.Landing(_product.Domain).GetBlobClient("orders/big.csv").UploadAsync(file);
            await WaitUntilAsync(() => Task.FromResult(log.Any(l => l.Contains($"of {_product.Id} started", StringComparison.Ordinal))), up, log);
            var runId = log.Select(l => TriggeredRun().Match(l)).First(m => m.Success).Groups[1].Value;

            // Act
            var result = await CliRunner.RunAsync(_product.Root, environment, "runs", "cancel", runId);

            // Assert
            Assert.True(result.ExitCode == 0, $"exit {result.ExitCode}: {result.StdOut}{result.StdErr}");
            Assert.Contains($"Run {runId} cancelled", result.StdOut, StringComparison.Ordinal);
            var catalog = new CatalogReader(storage);
            await WaitUntilAsync(async () => (await catalog.GetRunsAsync(_product.Id)).Any(r => r.RunId == runId), up, log);
            var run = Assert.Single(await catalog.GetRunsAsync(_product.Id));
            Assert.Equal(CatalogRunStatus.Cancelled, run.Status);
            Assert.StartsWith("cancelled: by datamesh runs cancel", run.Error, StringComparison.Ordinal);
            Assert.Empty(await new ReleaseStore(storage.Products(_product.Domain)).ListReleasesAsync(_product.Name, "1.0.0"));
            Assert.True(await storage.Landing(_product.Domain).GetBlobClient("orders/big.csv").ExistsAsync(), "the landing input is gone");
        }
        finally
        {
            up.Kill(entireProcessTree: true);
            await up.WaitForExitAsync();
        }
    }

    [Fact]
    public async Task RunsCancel_UnknownRun_Exits2SayingSo()
    {
        // Act
        var result = await CliRunner.RunAsync(_product.Root, azurite.CliEnvironment(Path.Combine(_product.Root, ".datamesh")), "runs", "cancel", "no-such-run");

        // Assert
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("No run 'no-such-run'", result.StdOut, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"Trigger → run (\S+):")]
    private static partial Regex TriggeredRun();

    private Process Start(IDictionary<string, string> environment, out ConcurrentQueue<string> log) =>
        UpProcess.StartCli(_product.Root, UpProcess.UpArguments(), environment, out log);

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, Process host, IEnumerable<string> log, int seconds = 120)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!await condition())
        {
            Assert.False(host.HasExited, $"datamesh up exited early:\n{string.Join('\n', log)}");
            Assert.True(DateTime.UtcNow < deadline, $"Condition not met within {seconds} s:\n{string.Join('\n', log)}");
            await Task.Delay(100);
        }
    }
}
