using System.Collections.Concurrent;
using System.Diagnostics;
using DataMesh.Catalog;
using DataMesh.Local;
using DataMesh.Pipeline;
using DataMesh.Publishing;
using DataMesh.Storage;
using DataMesh.Testing;

namespace DataMesh.EndToEnd.Tests;

/// <summary>
/// Cancelling <c>datamesh backfill</c> while its fan-out runs (one transform activity per partition, more parts than are
/// scheduled at once and than a host runs at once), by Ctrl+C and by <c>datamesh runs cancel</c> from another process:
/// the run recorded cancelled at the transform, nothing published (the previous snapshot stays current and
/// byte-identical), the archive untouched, the run's scratch (staged blobs, work folder) gone, and still gone once the
/// next host on the task hub has run what the terminated fan-out left queued.
/// </summary>
[Collection(AzuriteCollection.Name)]
[Trait("Category", "Faults")]
public sealed class BackfillCancelTests(AzuriteFixture azurite) : IDisposable
{
    // More partitions than DataProductPipeline.MaxPartsInFlight (the rest are never scheduled) and rows enough that each
    // part (which reads the whole input and keeps its partition) takes a while: the cancel lands mid fan-out.
    private const int Partitions = 48;
    private const int Rows = 600_000;

    private readonly TestProduct _product = new("bfcancel" + Guid.NewGuid().ToString("N")[..6], "orders-by-customer", output: "{ contract: contract.odcs.yaml, mode: partitions, partitionBy: [customer] }");

    public void Dispose() => _product.Dispose();

    [Fact]
    public async Task Backfill_SigIntDuringTheFanOut_Exits130CancelledAtTransformNothingPublishedScratchGone()
    {
        // Arrange
        var (storage, state, environment, blobs) = await PublishEveryPartitionAsync();

        // Act: Ctrl+C once the fan-out's transform has started.
        var (exitCode, exited, stderr) = await SignalledCli.InterruptAsync(_product.Root, environment, ["backfill", _product.Id], $"backfilling {_product.Id}: transform");

        // Assert: exit 130; the backfill recorded cancelled at its transform (the fan-out), who cancelled it named.
        Assert.True(exited, $"the CLI was still running {SignalledCli.ExitWithin.TotalSeconds} s after SIGINT; stderr:\n{stderr}");
        Assert.True(exitCode == 130, $"exit code {exitCode}; stderr:\n{stderr}");
        var run = await CancelledRunAsync(storage, "Ctrl+C in datamesh backfill", stderr);
        await AssertNothingPublishedAndNoScratchAsync(storage, state, run.RunId, blobs);
    }

    /// <remarks>
    /// <c>runs cancel</c> terminates the instance from another process: the worker running the parts (the backfill's
    /// CLI) never hears of it in-process, as an Azure instance other than the one serving <c>api/runs/{runId}/cancel</c>
    /// does not. Its parts already scheduled must still stop short of staging anything after the run's clean-up.
    /// </remarks>
    [Fact]
    public async Task Backfill_RunsCancelFromAnotherProcessDuringTheFanOut_CancelledAtTransformNothingPublishedScratchGone()
    {
        // Arrange
        var (storage, state, environment, blobs) = await PublishEveryPartitionAsync();
        using var backfill = Start(environment, ["backfill", _product.Id], out var log);
        try
        {
            await WaitUntilAsync(() => log.Any(l => l.Contains($"backfilling {_product.Id}: transform", StringComparison.Ordinal)), backfill, log);
            var runs = Path.Combine(state, "runs");
            var runId = Directory.EnumerateDirectories(runs).Select(Path.GetFileName).Single(d => d!.Contains("-backfill-", StringComparison.Ordinal))!;

            // Act
            var cancel = await CliRunner.RunAsync(_product.Root, environment, "runs", "cancel", runId);

            // Assert
            Assert.True(cancel.ExitCode == 0, $"exit {cancel.ExitCode}: {cancel.StdOut}{cancel.StdErr}");
            await WaitUntilAsync(() => backfill.HasExited, backfill: null, log);
            Assert.True(backfill.ExitCode == 1, $"datamesh backfill exited {backfill.ExitCode}:\n{string.Join('\n', log)}");
            var run = await CancelledRunAsync(storage, "datamesh runs cancel", string.Join('\n', log));
            Assert.Equal(runId, RunWorkspace.SafeName(run.RunId));
            await AssertNothingPublishedAndNoScratchAsync(storage, state, run.RunId, blobs);
        }
        finally
        {
            if (!backfill.HasExited)
            {
                backfill.Kill(entireProcessTree: true);
                await backfill.WaitForExitAsync();
            }
        }
    }

    /// <summary>The product under <c>pipelines/</c> (the CLI loads the mesh of its folder), published once from one input that writes every partition.</summary>
    private async Task<(MeshStorage Storage, string State, Dictionary<string, string> Environment, List<string> Blobs)> PublishEveryPartitionAsync()
    {
        var directory = Path.Combine(_product.Root, "pipelines", _product.Domain, _product.Name);
        Directory.CreateDirectory(Path.GetDirectoryName(directory)!);
        Directory.Move(_product.Directory, directory);
        var file = Path.Combine(_product.Root, "orders.csv");
        await using (var writer = new StreamWriter(file))
        {
            await writer.WriteLineAsync("order_id,customer,amount,status");
            for (var i = 1; i <= Rows; i++)
            {
                await writer.WriteLineAsync($"{i},c{i % Partitions:D2},{i % 500}.{i % 100:D2},open");
            }
        }

        var state = Path.Combine(_product.Root, ".datamesh");
        var environment = azurite.CliEnvironment(state);
        var published = await CliRunner.RunAsync(_product.Root, environment, "run", directory, "--input", file);
        Assert.True(published.ExitCode == 0, $"exit {published.ExitCode}: {published.StdOut}{published.StdErr}");
        var storage = await azurite.OpenMeshStorageAsync();
        return (storage, state, environment, await ProductBlobsAsync(storage));
    }

    /// <summary>The backfill's run in the catalog: cancelled at its transform (the fan-out), by <paramref name="by"/>, nothing quarantined.</summary>
    private async Task<CatalogRun> CancelledRunAsync(MeshStorage storage, string by, string log)
    {
        var runs = await new CatalogReader(storage).GetRunsAsync(_product.Id);
        Assert.True(runs.Count == 2, $"{runs.Count} run(s) recorded; log:\n{log}");
        var run = runs.Single(r => r.Status != CatalogRunStatus.Published);
        Assert.True(run.Status == CatalogRunStatus.Cancelled, $"run recorded {run.Status}: {run.Error}; log:\n{log}");
        Assert.StartsWith($"cancelled: by {by} at stage transform", run.Error, StringComparison.Ordinal);
        Assert.Empty(run.Quarantined);
        return run;
    }

    /// <remarks>
    /// Release 1 is still the newest and every blob of the product is as it was; the archive is kept. The scratch is gone,
    /// and stays gone once the next host on the task hub has run every activity the terminated fan-out left queued (its
    /// parts scheduled but not started): they must neither stage nor leave a work folder.
    /// </remarks>
    private async Task AssertNothingPublishedAndNoScratchAsync(MeshStorage storage, string state, string runId, List<string> blobs)
    {
        var store = new ReleaseStore(storage.Products(_product.Domain));
        Assert.Equal([1], await store.ListReleasesAsync(_product.Name, "1.0.0"));
        Assert.Equal(blobs, await ProductBlobsAsync(storage));
        Assert.True(await storage.Archive(_product.Domain).GetBlobClient("orders/orders.csv").ExistsAsync(), "the archived input is gone");
        await AssertNoScratchAsync(storage, state, runId, "after the CLI exited");

        await using (var next = await LocalMesh.StartAsync(new LocalMeshOptions
        {
            RootDirectory = _product.Root,
            StateDirectory = state,
            Azurite = azurite.Server,
            ConnectionString = azurite.ConnectionString,
            TaskHub = AzuriteFixture.TaskHubFor(state),
        }))
        {
            // Counted with the messages a stopped worker had taken (invisible until its take-over time passes).
            var workItems = new Azure.Storage.Queues.QueueClient(azurite.ConnectionString, AzuriteFixture.TaskHubFor(state).ToLowerInvariant() + "-workitems");
            var deadline = DateTime.UtcNow.AddMinutes(5);
            while ((await workItems.GetPropertiesAsync()).Value.ApproximateMessagesCount > 0)
            {
                Assert.True(DateTime.UtcNow < deadline, "the next host did not run the queued work items within 5 minutes");
                await Task.Delay(250);
            }
        }

        await AssertNoScratchAsync(storage, state, runId, "after the next host ran the queued parts");
        Assert.Equal(blobs, await ProductBlobsAsync(storage));
    }

    private async Task AssertNoScratchAsync(MeshStorage storage, string state, string runId, string when)
    {
        var staged = new List<string>();
        await foreach (var blob in storage.Staging(_product.Domain).GetBlobsAsync(new Azure.Storage.Blobs.Models.GetBlobsOptions { Prefix = $"{_product.Name}/{RunWorkspace.SafeName(runId)}/" }))
        {
            staged.Add(blob.Name);
        }

        Assert.True(staged.Count == 0, $"{when}: {staged.Count} staged blob(s) of the cancelled run left, e.g. {string.Join(", ", staged.Take(3))}");
        var workspace = Path.Combine(state, "runs", RunWorkspace.SafeName(runId));
        Assert.False(Directory.Exists(workspace), $"{when}: the cancelled run's work folder is left: {string.Join(", ", Directory.Exists(workspace) ? Directory.EnumerateFileSystemEntries(workspace, "*", SearchOption.AllDirectories).Take(5) : [])}");
    }

    /// <summary>Every blob of the product's releases with its content hash: equal lists, byte-identical releases.</summary>
    private async Task<List<string>> ProductBlobsAsync(MeshStorage storage)
    {
        var blobs = new List<string>();
        await foreach (var blob in storage.Products(_product.Domain).GetBlobsAsync(new Azure.Storage.Blobs.Models.GetBlobsOptions { Prefix = _product.Name + "/" }))
        {
            blobs.Add($"{blob.Name} {blob.Properties.ETag} {Convert.ToHexString(blob.Properties.ContentHash ?? [])} {blob.Properties.ContentLength}");
        }

        return blobs;
    }

    private Process Start(IDictionary<string, string> environment, string[] args, out ConcurrentQueue<string> log) =>
        UpProcess.StartCli(_product.Root, args, environment, out log);

    private static async Task WaitUntilAsync(Func<bool> condition, Process? backfill, IEnumerable<string> log)
    {
        var deadline = DateTime.UtcNow.AddMinutes(4);
        while (!condition())
        {
            Assert.False(backfill?.HasExited == true, $"datamesh backfill exited early:\n{string.Join('\n', log)}");
            Assert.True(DateTime.UtcNow < deadline, $"not within 4 minutes:\n{string.Join('\n', log)}");
            await Task.Delay(100);
        }
    }
}
