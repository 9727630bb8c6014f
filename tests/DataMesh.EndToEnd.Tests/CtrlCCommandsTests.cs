using DataMesh.Catalog;
using DataMesh.Local.Azurite;
using DataMesh.Publishing;
using DataMesh.Storage;
using DataMesh.Testing;

namespace DataMesh.EndToEnd.Tests;

/// <summary>
/// Ctrl+C in the other commands that start runs (<c>drop</c>, <c>demo</c>, <c>bench</c>) terminates the runs they started
/// and exits 130; a second Ctrl+C while the first one's cancellation waits exits at once (see <see cref="CancelTests"/>
/// for <c>run</c>).
/// </summary>
[Collection(AzuriteCollection.Name)]
[Trait("Category", "Faults")]
public sealed class CtrlCCommandsTests(AzuriteFixture azurite) : IDisposable
{
    // Large enough that the run is surely mid-way when the signal comes (the signal waits for a stage line).
    private const int BigFileRows = 3_000_000;
    private static readonly TimeSpan ExitWithin = SignalledCli.ExitWithin;

    private readonly TestProduct _product = new("ctrlc" + Guid.NewGuid().ToString("N")[..6]);

    public void Dispose() => _product.Dispose();

    // Was skipped as a finding, seen only in the full suite: exit 130, no run recorded, and no cancellation logged, which
    // the cancellation does only when the run had already ended when it looked, with no failure announced. That is what a
    // run taken by a worker not serving its product leaves (the work fails there, unannounced), and every CLI test's mesh
    // then shared the task hub "DataMesh" with other tests' work (in-process meshes without a namespace, runs left behind).
    // Each CLI test's mesh now has its own hub (AzuriteFixture.CliEnvironment sets DATAMESH_TASKHUB).
    [Fact]
    public async Task Drop_SigIntDuringALargeRun_Exits130AndTheRunIsRecordedCancelled()
    {
        // Arrange: the product under pipelines/ (drop loads the mesh of its folder), a large file.
        MoveProductUnderPipelines();
        var file = _product.WriteOrders("big.csv", rows: BigFileRows);
        var environment = azurite.CliEnvironment(Path.Combine(_product.Root, ".datamesh"));

        // Act
        var outcome = await InterruptAsync(environment, ["drop", _product.Id, file], "runs triggered by the drop: ");

        // Assert
        AssertExited130(outcome);
        await AssertCancelledAsync("Ctrl+C in datamesh drop", outcome.StdErr);
    }

    // Was skipped as flaky in the full suite: see SignalledCli (the bound is measured on threads of its own) and the
    // task hub of each CLI test's mesh (AzuriteFixture.CliEnvironment).
    [Fact]
    public async Task Demo_SigIntDuringALargeSampleRun_Exits130AndTheRunIsRecordedCancelled()
    {
        // Arrange: a mesh whose one product has a large sample file (the demo drops every product's samples/).
        var directory = MoveProductUnderPipelines();
        Directory.CreateDirectory(Path.Combine(directory, "samples"));
        File.Move(_product.WriteOrders("big.csv", rows: BigFileRows), Path.Combine(directory, "samples", "big.csv"));
        var environment = azurite.CliEnvironment(Path.Combine(_product.Root, ".datamesh"));

        // Act
        var outcome = await InterruptAsync(environment, ["demo"], $"{_product.Id} ← big.csv: ");

        // Assert
        AssertExited130(outcome);
        await AssertCancelledAsync("Ctrl+C in datamesh demo", outcome.StdErr);
    }

    [Fact]
    public async Task Bench_SigIntDuringThePipelineRun_Exits130AndItsRunIsCancelled()
    {
        // Arrange: bench keeps its mesh in a temporary folder (deleted on the way out); what it cancelled is in its log.
        var environment = new Dictionary<string, string> { ["DATAMESH_HOME"] = Path.Combine(_product.Root, ".datamesh") };

        // Act
        var outcome = await InterruptAsync(environment, ["bench", "--rows", BigFileRows.ToString(System.Globalization.CultureInfo.InvariantCulture), "--rounds", "1"], "warm-up, pipeline: ");

        // Assert
        AssertExited130(outcome);
        Assert.Contains("cancelled (Ctrl+C in datamesh bench): nothing published", outcome.StdErr, StringComparison.Ordinal);
    }

    /// <remarks>
    /// The first Ctrl+C's cancellation waits on storage (bounded by <c>LocalMeshOptions.CancelWithin</c>); the storage here
    /// is frozen (SIGSTOP to its Azurite, which the CLI attached to and does not own), so that wait cannot end early. The
    /// second Ctrl+C must end the process before it does: the wait's own end (its warning) is never reached.
    /// </remarks>
    [Fact]
    public async Task Run_SecondSigIntWhileTheCancellationWaitsOnStorage_ExitsAtOnceWith130()
    {
        // Arrange: a private Azurite the test can freeze, recorded in the mesh's state folder for the CLI to attach to.
        var state = Path.Combine(_product.Root, ".datamesh");
        await using var server = await AzuriteServer.StartAsync(new AzuriteOptions
        {
            AccountKeys = new AzuriteAccountKeys(Path.Combine(state, AzuriteAccountKeys.FolderName)),
            StartTimeout = TimeSpan.FromSeconds(90),
        });
        server.RecordIn(state);
        var file = _product.WriteOrders("big.csv", rows: BigFileRows);
        var environment = new Dictionary<string, string> { ["DATAMESH_HOME"] = state };
        try
        {
            // Act: Ctrl+C with storage frozen, then Ctrl+C again once the first one is acknowledged.
            var outcome = await InterruptAsync(
                environment,
                ["run", _product.Directory, "--input", file],
                $"running {_product.Id}: ",
                beforeSignal: () => Assert.Equal(0, SignalledCli.Signal(server.ProcessId, SignalledCli.SigStop)),
                secondSignalAfter: "Ctrl+C again to exit at once");

            // Assert
            AssertExited130(outcome);
            Assert.DoesNotContain("Cancelling the runs did not finish within", outcome.StdErr, StringComparison.Ordinal);
        }
        finally
        {
            _ = SignalledCli.Signal(server.ProcessId, SignalledCli.SigCont);
        }
    }

    private static void AssertExited130((int ExitCode, bool Exited, string StdErr) outcome)
    {
        Assert.True(outcome.Exited, $"the CLI was still running {ExitWithin.TotalSeconds} s after SIGINT; stderr:\n{outcome.StdErr}");
        Assert.True(outcome.ExitCode == 130, $"exit code {outcome.ExitCode}; stderr:\n{outcome.StdErr}");
    }

    private async Task AssertCancelledAsync(string by, string stderr)
    {
        var storage = await azurite.OpenMeshStorageAsync();

        // No release; the landing input kept (neither archived nor quarantined).
        Assert.Empty(await new ReleaseStore(storage.Products(_product.Domain)).ListReleasesAsync(_product.Name, "1.0.0"));
        Assert.True(await storage.Landing(_product.Domain).GetBlobClient("orders/big.csv").ExistsAsync(), "the landing input is gone");

        // The run is recorded as cancelled, with who cancelled it.
        var runs = await new CatalogReader(storage).GetRunsAsync(_product.Id);
        Assert.True(runs.Count == 1, $"{runs.Count} run(s) recorded; stderr:\n{stderr}");
        Assert.True(runs[0].Status == CatalogRunStatus.Cancelled, $"run recorded {runs[0].Status}: {runs[0].Error}; stderr:\n{stderr}");
        Assert.StartsWith($"cancelled: by {by}", runs[0].Error, StringComparison.Ordinal);
    }

    /// <summary>Moves the product to <c>pipelines/&lt;domain&gt;/&lt;name&gt;</c> of its root, where drop and demo load it from.</summary>
    private string MoveProductUnderPipelines()
    {
        var target = Path.Combine(_product.Root, "pipelines", _product.Domain, _product.Name);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        Directory.Move(_product.Directory, target);
        return target;
    }

    /// <summary>The CLI in the product's root, interrupted once <paramref name="ready"/> shows (see <see cref="SignalledCli"/>).</summary>
    private Task<(int ExitCode, bool Exited, string StdErr)> InterruptAsync(
        IDictionary<string, string> environment, string[] args, string ready, Action? beforeSignal = null, string? secondSignalAfter = null) =>
        SignalledCli.InterruptAsync(_product.Root, environment, args, ready, beforeSignal: beforeSignal, secondSignalAfter: secondSignalAfter);
}
