using DataMesh.Catalog;
using DataMesh.Local;
using DataMesh.Pipeline;
using DataMesh.Publishing;
using DataMesh.Storage;
using DataMesh.Testing;

namespace DataMesh.EndToEnd.Tests;

/// <summary>
/// Ctrl+C in <c>datamesh run</c> during a large run: SIGINT to the CLI alone, and to its whole process group as a
/// terminal sends it (the embedded Azurite included). The CLI exits 130 within 10 s; nothing is published; the landing
/// input stays; the run is recorded as cancelled in the catalog.
/// </summary>
[Collection(AzuriteCollection.Name)]
[Trait("Category", "Faults")]
public sealed class CancelTests(AzuriteFixture azurite) : IDisposable
{
    // Large enough that the run is surely mid-way when the signal comes (the signal waits for the first stage line).
    private const int BigFileRows = 3_000_000;
    private static readonly TimeSpan ExitWithin = SignalledCli.ExitWithin;

    private readonly TestProduct _product = new("cancel" + Guid.NewGuid().ToString("N")[..6]);

    public void Dispose() => _product.Dispose();

    [Fact]
    public async Task Run_SigIntToTheCliDuringALargeRun_Exits130AndTheRunIsRecordedCancelled()
    {
        // Arrange: a mesh on the shared Azurite (reachable after the CLI is gone), a large input.
        var file = _product.WriteOrders("big.csv", rows: BigFileRows);
        var environment = azurite.CliEnvironment(Path.Combine(_product.Root, ".datamesh"));

        // Act
        var (exitCode, exited, stderr) = await InterruptRunAsync(file, environment, wholeGroup: false);

        // Assert
        Assert.True(exited, $"the CLI was still running {ExitWithin.TotalSeconds} s after SIGINT; stderr:\n{stderr}");
        Assert.True(exitCode == 130, $"exit code {exitCode}; stderr:\n{stderr}");
        await AssertCancelledAsync(await azurite.OpenMeshStorageAsync(), stderr);
    }

    [Fact]
    public async Task Run_SigIntToTheProcessGroupWithEmbeddedAzurite_Exits130AndTheRunIsRecordedCancelled()
    {
        // Arrange: the CLI's own Azurite (no DATAMESH_STORAGE), which a terminal's Ctrl+C signals too unless it is kept apart.
        var file = _product.WriteOrders("big.csv", rows: BigFileRows);
        var state = Path.Combine(_product.Root, ".datamesh");
        var environment = new Dictionary<string, string> { ["DATAMESH_HOME"] = state };

        // Act
        var (exitCode, exited, stderr) = await InterruptRunAsync(file, environment, wholeGroup: true);

        // Assert: read the mesh's state again through its own (restarted) Azurite.
        Assert.True(exited, $"the CLI was still running {ExitWithin.TotalSeconds} s after SIGINT to its process group; stderr:\n{stderr}");
        Assert.True(exitCode == 130, $"exit code {exitCode}; stderr:\n{stderr}");
        await using var local = await LocalStorage.OpenAsync(new LocalMeshOptions { RootDirectory = _product.Root, StateDirectory = state });
        await AssertCancelledAsync(local.Storage, stderr);
    }

    [Fact]
    public async Task CancelStartedRuns_TwoRunsUnderWay_BothTerminatedAnnouncedAndRecordedCancelledInputsKept()
    {
        // Arrange: one mesh running two large files of the product at once (as demo and bench start several runs), both
        // past their start.
        await using var mesh = await _product.StartMeshAsync(azurite, o => o.Namespace = AzuriteFixture.CreateNamespace());
        var files = new[] { _product.WriteOrders("big-1.csv", rows: BigFileRows / 2), _product.WriteOrders("big-2.csv", rows: BigFileRows / 2, idOffset: BigFileRows) };
        var started = files.Select(_ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).ToArray();
        var runs = files.Select((file, i) => mesh.RunAsync(_product.Id, [file], progress: new Progress<RunProgress>(p =>
        {
            if (p.Stage is not "resolve")
            {
                started[i].TrySetResult();
            }
        }))).ToArray();
        await Task.WhenAll(started.Select(s => s.Task)).WaitAsync(TimeSpan.FromMinutes(4));

        // Act
        var cancelled = await mesh.CancelStartedRunsAsync("a test");

        // Assert: both cancelled, each recorded as such with who cancelled it; nothing published; both inputs in landing.
        Assert.Equal(2, cancelled.Count);
        foreach (var run in runs)
        {
            // The waiting RunAsync either ends in the engine's "terminated" error or, once the cancellation's failure
            // has run, returns that failure; never a published result.
            PipelineResult? result = null;
            var error = await Record.ExceptionAsync(async () => result = await run);
            Assert.True(error is not null || result is { Status: not PipelineStatus.Published }, $"a cancelled run returned {result?.Status}");
        }

        var recorded = await mesh.Catalog.GetRunsAsync(_product.Id);
        Assert.Equal(cancelled.Order(StringComparer.Ordinal), recorded.Select(r => r.RunId).Order(StringComparer.Ordinal));
        Assert.All(recorded, r => Assert.True(r.Status == CatalogRunStatus.Cancelled, $"{r.RunId} recorded {r.Status}: {r.Error}"));
        Assert.All(recorded, r => Assert.StartsWith("cancelled: by a test", r.Error, StringComparison.Ordinal));
        Assert.Empty(await new ReleaseStore(mesh.Storage.Products(_product.Domain)).ListReleasesAsync(_product.Name, "1.0.0"));
        foreach (var file in files)
        {
            Assert.True(await mesh.Storage.Landing(_product.Domain).GetBlobClient("orders/" + Path.GetFileName(file)).ExistsAsync(), $"{file} is gone from landing");
        }
    }

    private async Task AssertCancelledAsync(MeshStorage storage, string stderr)
    {
        // No release.
        Assert.Empty(await new ReleaseStore(storage.Products(_product.Domain)).ListReleasesAsync(_product.Name, "1.0.0"));

        // The landing input is kept (neither archived nor quarantined).
        Assert.True(await storage.Landing(_product.Domain).GetBlobClient("orders/big.csv").ExistsAsync(), "the landing input is gone");

        // The run is recorded as cancelled, with who cancelled it.
        var runs = await new CatalogReader(storage).GetRunsAsync(_product.Id);
        Assert.True(runs.Count == 1, $"{runs.Count} run(s) recorded; stderr:\n{stderr}");
        var run = runs[0];
        Assert.True(run.Status == CatalogRunStatus.Cancelled, $"run recorded {run.Status}: {run.Error}; stderr:\n{stderr}");
        Assert.StartsWith("cancelled: by Ctrl+C in datamesh run", run.Error, StringComparison.Ordinal);
        Assert.Empty(run.Quarantined);
    }

    /// <summary><c>datamesh run</c> of the big file, interrupted once its run has started (see <see cref="SignalledCli"/>).</summary>
    private Task<(int ExitCode, bool Exited, string StdErr)> InterruptRunAsync(string file, IDictionary<string, string> environment, bool wholeGroup) =>
        SignalledCli.InterruptAsync(_product.Root, environment, ["run", _product.Directory, "--input", file], $"running {_product.Id}: ", wholeGroup);
}
