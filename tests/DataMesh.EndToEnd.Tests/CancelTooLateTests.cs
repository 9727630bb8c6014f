using DataMesh.Catalog;
using DataMesh.Local;
using DataMesh.Local.Durable;
using DataMesh.Pipeline;
using DataMesh.Publishing;
using DataMesh.Testing;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging.Abstractions;

namespace DataMesh.EndToEnd.Tests;

/// <summary>
/// <c>datamesh runs cancel</c>'s path (<see cref="LocalMesh.CancelRunAsync"/>, a second client on the mesh's task hub) on
/// a run of a serving mesh held between its publish's decision and its manifest: the cancellation is too late. The
/// release stands, the run's story announces it (the serving mesh records it Published with its release), the canceller
/// is told which release was committed, and the input is archived rather than left in landing for a re-drop.
/// </summary>
[Collection(AzuriteCollection.Name)]
[Trait("Category", "Faults")]
public sealed class CancelTooLateTests(AzuriteFixture azurite) : IDisposable
{
    private static readonly TimeSpan Within = TimeSpan.FromMinutes(2);

    private readonly TestProduct _product = new("late" + Guid.NewGuid().ToString("N")[..6]);
    private readonly string _namespace = AzuriteFixture.CreateNamespace();

    public void Dispose() => _product.Dispose();

    [Fact]
    public async Task CancelRun_RunHeldAfterItsPublishDecided_TooLateTheReleaseStandsAnnouncedAndRecordedPublished()
    {
        // Arrange: the product under pipelines/ (what the canceller loads); a mesh serving it whose run is held once its
        // publish has decided, until the test saw the termination take effect.
        var folder = Path.Combine(_product.Root, "pipelines", _product.Domain, _product.Name);
        Directory.CreateDirectory(Path.GetDirectoryName(folder)!);
        Directory.Move(_product.Directory, folder);
        var held = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var released = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var options = Options();
        options.Pipeline.Faults = new PipelineFaults(async (point, runId) =>
        {
            if (point == PipelineFaults.AfterDecision)
            {
                held.TrySetResult(runId);
                await released.Task.WaitAsync(Within);
            }
        });
        await using var mesh = await LocalMesh.StartAsync(options);
        var file = _product.WriteOrders("orders-1.csv", rows: 50);
        var running = mesh.RunAsync(_product.Id, [file], Within);
        var runId = await held.Task.WaitAsync(Within);

        // Act: cancelled from "another process"; the publish goes on once the termination took effect.
        var cancelling = LocalMesh.CancelRunAsync(Options(), runId, "datamesh runs cancel", Within);
        await TerminatedAsync(runId);
        released.SetResult();
        var (outcome, announced, committed) = await cancelling;
        var result = await running;

        // Assert: too late, said to the canceller and in the run's result; the release whole and recorded.
        Assert.Equal((RunCancellationOutcome.Terminated, true, (int?)1), (outcome, announced, committed));
        Assert.True(result.Status == PipelineStatus.Published, result.Error);
        Assert.Equal((1, (long)TestProduct.ExpectedRows(50)), (result.Release, result.Rows));
        Assert.StartsWith("cancelled: by datamesh runs cancel at stage publish; too late: its publish had already committed release 1, which stands", result.Error, StringComparison.Ordinal);
        Assert.Equal([1], await new ReleaseStore(mesh.Storage.Products(_product.Domain)).ListReleasesAsync(_product.Name, "1.0.0"));
        Assert.Equal(TestProduct.ExpectedRows(50), await ReleaseReader.CountRowsAsync(mesh.Storage.Products(_product.Domain), _product.Name, "1.0.0", 1));
        var run = Assert.Single(await mesh.Catalog.GetRunsAsync(_product.Id));
        Assert.Equal((runId, CatalogRunStatus.Published, (int?)1, result.Error), (run.RunId, run.Status, run.Release, run.Error));
        Assert.Equal(runId, Assert.Single(await mesh.Catalog.GetReleasesAsync(_product.Id)).RunId);
        Assert.False((await mesh.Storage.Landing(_product.Domain).GetBlobClient("orders/orders-1.csv").ExistsAsync()).Value, "the published input was left in landing");
        Assert.True((await mesh.Storage.Archive(_product.Domain).GetBlobClient("orders/orders-1.csv").ExistsAsync()).Value, "the published input was not archived");
    }

    /// <summary>One mesh's options: the run's Azurite, the product's folder as root (its pipelines/ and .datamesh/).</summary>
    private LocalMeshOptions Options() => new()
    {
        Azurite = azurite.Server,
        ConnectionString = azurite.ConnectionString,
        Namespace = _namespace,
        RootDirectory = _product.Root,
        StateDirectory = Path.Combine(_product.Root, ".datamesh"),
    };

    /// <summary>Waits until the run's instance is terminated, read through a client of its own on the mesh's task hub.</summary>
    private async Task TerminatedAsync(string runId)
    {
        await using var engine = await LocalDurableEngine.ConnectAsync(azurite.ConnectionString, Options().ResolveTaskHub(), NullLoggerFactory.Instance);
        await using var client = new LocalDurableTaskClient(engine);
        var deadline = DateTime.UtcNow + Within;
        while ((await client.GetInstanceAsync(runId))?.RuntimeStatus != OrchestrationRuntimeStatus.Terminated)
        {
            Assert.True(DateTime.UtcNow < deadline, $"run {runId} was not terminated");
            await Task.Delay(200);
        }
    }
}
