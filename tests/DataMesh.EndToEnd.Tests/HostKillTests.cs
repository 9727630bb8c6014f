using System.Diagnostics;
using DataMesh.Local;
using DataMesh.Pipeline;
using DataMesh.Publishing;
using DataMesh.Storage;
using DataMesh.Testing;
using Xunit.Abstractions;

namespace DataMesh.EndToEnd.Tests;

/// <summary>
/// The host process killed (SIGKILL, no clean-up) at each stage of a run and a new host started on the same storage
/// and task hub: every run ends exactly once, none stays running, no release is ever visible without all of its files
/// nor published twice, and the landing input is never lost. The killed host is a real child process
/// (<c>DataMesh.FaultHost</c>, given each run and its kill point); the new host is a local mesh in
/// this process, which resumes the run once the dead host's leases and message visibility expire (10 s here).
/// </summary>
[Collection(HostKillCollection.Name)]
[Trait("Category", "Faults")]
public sealed class HostKillTests(AzuriteFixture azurite, ITestOutputHelper output)
{
    // Kills per stage: 5, as issue 15 asks (DATAMESH_KILL_CYCLES sets another count, e.g. a longer soak). The eight
    // stages run side by side, so the class's time is about one stage's cycles, not eight.
    private static readonly int Cycles =
        int.TryParse(Environment.GetEnvironmentVariable("DATAMESH_KILL_CYCLES"), out var cycles) && cycles > 0 ? cycles : 5;

    // The shortest take-over the engine allows (10 s, twice the activities' 5 s renewal): the tests wait it out once per kill.
    private static readonly TimeSpan TakeOverAfter = DataMesh.Local.Durable.LocalDurableEngine.MinimumTakeOverAfter;

    // The in-process hosts' warnings (an abandoned stop, a run not started), told in a failure's message.
    private readonly WarningLog _hostLog = new();

    [Fact]
    public async Task Run_HostKilledRepeatedlyAtEveryStageThenRestarted_EachRunEndsOnceNoneStaysRunningNothingPublishedTwice()
    {
        // Arrange: one product per stage, each with its own storage accounts and task hub on the one Azurite.
        var watch = Stopwatch.StartNew();
        var stages = new List<KillStage>();
        foreach (var point in PipelineFaults.RunStages)
        {
            var product = new TestProduct("kill" + Guid.NewGuid().ToString("N")[..6]);
            var (ns, state, storage) = await PrepareAsync(product);
            stages.Add(new KillStage(point, product, ns, state, storage));
        }

        // Act and assert, Cycles times: a run of each stage's product, all in one fault host that dies (SIGKILL) once
        // every run has reached its stage (each waits there), then each run resumed by a new host of its own, side by
        // side. A cycle mostly waits (the fault host's start, the killed activities' take-over time): the stages share
        // that wait and the fault host's start instead of taking it one after another.
        try
        {
            for (var cycle = 1; cycle <= Cycles; cycle++)
            {
                var live = stages.Where(s => s.Failure is null).ToList();
                await Task.WhenAll(live.Select(s => GuardAsync(s, cycle, () => s.NextRunAsync(cycle))));
                live = [.. live.Where(s => s.Failure is null)];
                var fault = Stopwatch.StartNew();
                var faultHost = await RunFaultHostAsync(live.Select(s => (s.Namespace, s.State, s.Product, s.Requests[^1], s.Point)).ToList());
                output.WriteLine($"cycle {cycle}: one fault host for {live.Count} stages, {fault.Elapsed.TotalSeconds:0.0} s to the last kill");
                await Task.WhenAll(live.Select(s => GuardAsync(s, cycle, () => ResumeAfterKillAsync(s, cycle, faultHost))));
            }

            await Task.WhenAll(stages.Where(s => s.Failure is null).Select(s => GuardAsync(s, Cycles, () => VerifyEveryRunEndedOnceAsync(s))));
            output.WriteLine($"{stages.Count} stages x {Cycles} kill cycles: {watch.Elapsed.TotalSeconds:0} s");

            // Assert: every stage's failure is told, each with its cycle and its own hosts' warnings.
            Assert.True(stages.All(s => s.Failure is null), string.Join(Environment.NewLine + Environment.NewLine, stages.Where(s => s.Failure is not null).Select(s => s.Failure)));
        }
        finally
        {
            foreach (var stage in stages)
            {
                stage.Product.Dispose();
            }
        }

        static async Task GuardAsync(KillStage stage, int cycle, Func<Task> step)
        {
            try
            {
                await step();
            }
            catch (Exception ex)
            {
                stage.Failure = $"{stage.Point}, cycle {cycle} of {Cycles}: {ex.GetType().Name}: {ex.Message}{Environment.NewLine}In-process hosts' warnings:{Environment.NewLine}{stage.Log}";
            }
        }
    }

    [Fact]
    public async Task Run_PreviousHostsStopHungAndAbandoned_ItTakesNoMoreTaskHubMessagesAndTheNextHostPublishesTheRun()
    {
        // Arrange: a host that ran a run, so it holds the task hub's partition, and whose stop then hangs as the Azure
        // Storage backend's can: its dispatchers stopped, its orchestration service (lease renewal, control-queue
        // reads) never stopping. Disposing it abandons it at the (shortened) bound.
        using var product = new TestProduct("aband" + Guid.NewGuid().ToString("N")[..6]);
        var (ns, state, storage) = await PrepareAsync(product);
        var requests = new List<PipelineRequest>();
        for (var i = 1; i <= 2; i++)
        {
            var blob = $"orders/orders-{i}.csv";
            await storage.Landing(product.Domain).GetBlobClient(blob).UploadAsync(product.WriteOrders($"orders-{i}.csv", rows: 60, idOffset: i * 1000));
            requests.Add(new PipelineRequest { RunId = $"aband-{i}-{Guid.NewGuid():N}", ProductId = product.Id, LandingBlobs = [blob], Trigger = "blob" });
        }

        var hung = new TaskCompletionSource();
        var first = await StartHostAsync(HostOptions(product, ns, state));
        var (hub, connectionString) = (first.Engine.TaskHub, first.ConnectionString);
        try
        {
            Assert.Equal(PipelineStatus.Published, (await first.RunAsync(requests[0], TimeSpan.FromMinutes(5))).Status);
            first.Engine.StopBound = TimeSpan.FromSeconds(2);
            first.Engine.StopWorker = async (worker, _) =>
            {
                await worker.TaskOrchestrationDispatcher.StopAsync(forced: true);
                await worker.TaskActivityDispatcher.StopAsync(forced: true);
                await hung.Task;
            };
        }
        finally
        {
            await first.DisposeAsync();
        }

        // Act: the second run scheduled on the task hub while no other host runs (as `runs` commands do), then the
        // next host started.
        await using (var client = await DataMesh.Local.Durable.LocalDurableEngine.ConnectAsync(connectionString, hub, _hostLog))
        {
            Assert.True(await client.ScheduleAsync(requests[1]));
        }

        // A message the abandoned worker took would be hidden for the control queue's visibility timeout: the peek
        // below would miss it (or, past the timeout, see it taken once).
        await Task.Delay(TakeOverAfter * 2);
        var control = new Azure.Storage.Queues.QueueClient(connectionString, hub.ToLowerInvariant() + "-control-00");
        var waiting = (await control.PeekMessagesAsync(maxMessages: 32)).Value;
        PipelineResult result;
        await using (var next = await StartHostAsync(HostOptions(product, ns, state)))
        {
            result = await next.RunAsync(requests[1], TimeSpan.FromMinutes(3));
        }

        // Assert: the abandoned worker left the run's start message alone; the next host ran it.
        Assert.Contains(_hostLog.Entries, e => e.Contains("[4120]", StringComparison.Ordinal));
        Assert.Equal([0L], waiting.Select(m => m.DequeueCount));
        Assert.Equal((PipelineStatus.Published, 2), (result.Status, result.Release));
        hung.SetResult();
    }

    [Fact]
    public async Task Run_StartMessageHeldLongerThanTheTakeOverTime_ItReachesOneEpisodeAndTheRunPublishesOnce()
    {
        // Arrange: a host on which the run's start message is held past the take-over time (10 s) before its episode
        // ends, as on a loaded machine: its history load waits 6 s in the session manager's buffer (held from the
        // message's dequeue, before the backend renews anything), and the episode that takes it runs 6 s.
        using var product = new TestProduct("slowep" + Guid.NewGuid().ToString("N")[..6]);
        var (ns, state, storage) = await PrepareAsync(product);
        const string blob = "orders/orders-1.csv";
        await storage.Landing(product.Domain).GetBlobClient(blob).UploadAsync(product.WriteOrders("orders-1.csv", rows: 40));
        var request = new PipelineRequest { RunId = $"slowep-{Guid.NewGuid():N}", ProductId = product.Id, LandingBlobs = [blob], Trigger = "blob" };
        var held = TimeSpan.FromSeconds(6);
        var startDeliveries = 0;
        PipelineResult result;
        await using (var host = await StartHostAsync(HostOptions(product, ns, state)))
        {
            host.Engine.StorageLatency = r =>
                r.Method == Azure.Core.RequestMethod.Get && r.Uri.Path.Contains("History", StringComparison.Ordinal) &&
                r.Uri.ToString().Contains(request.RunId, StringComparison.Ordinal) ? held : TimeSpan.Zero;
            host.Engine.BeforeEpisode = async workItem =>
            {
                if (workItem.InstanceId == request.RunId && workItem.NewMessages.Any(m => m.Event is DurableTask.Core.History.ExecutionStartedEvent))
                {
                    Interlocked.Increment(ref startDeliveries);
                    await Task.Delay(held);
                }
            };

            // Act
            result = await host.RunAsync(request, TimeSpan.FromMinutes(4));
        }

        // Assert: the start message reached one episode (with the old visibility timeout, the take-over time, it came back while held and
        // reached another, and again), and the run published its one release.
        Assert.Equal(1, startDeliveries);
        Assert.Equal((PipelineStatus.Published, 1), (result.Status, result.Release));
    }

    [Fact]
    public async Task Run_ActivityRunsThreeVisibilityPeriodsWithLateRenewals_ItRunsOnceAndTheRunPublishesOnce()
    {
        // Arrange: a host whose transform runs three times the work-item visibility (the take-over time), and whose every
        // renewal of a work-item message reaches storage 3.5 s late, as on a loaded machine: renewals come every 5 s, so
        // each one lands 8.5 s after the previous, past an 8 s visibility and within 10 s.
        using var product = new TestProduct("longact" + Guid.NewGuid().ToString("N")[..6]);
        var (ns, state, storage) = await PrepareAsync(product);
        const string blob = "orders/orders-1.csv";
        await storage.Landing(product.Domain).GetBlobClient(blob).UploadAsync(product.WriteOrders("orders-1.csv", rows: 40));
        var request = new PipelineRequest { RunId = $"longact-{Guid.NewGuid():N}", ProductId = product.Id, LandingBlobs = [blob], Trigger = "blob" };
        var transforms = 0;
        var hold = TakeOverAfter * 3;
        var faults = new PipelineFaults(async (point, run) =>
        {
            if (point == PipelineFaults.AfterTransform && run == request.RunId && Interlocked.Increment(ref transforms) == 1)
            {
                await Task.Delay(hold);
            }
        });
        var late = TimeSpan.FromSeconds(3.5);
        PipelineResult result;
        await using (var host = await StartHostAsync(HostOptions(product, ns, state, o => o.Pipeline.Faults = faults)))
        {
            host.Engine.StorageLatency = r =>
                r.Method == Azure.Core.RequestMethod.Put && r.Uri.Path.Contains("-workitems/messages/", StringComparison.Ordinal) ? late : TimeSpan.Zero;

            // Act
            result = await host.RunAsync(request, TimeSpan.FromMinutes(4));
        }

        // Assert: the held transform's message never showed again (it would have been taken and the transform run a
        // second time, by this host's free activity slot), and the run published its one release.
        Assert.Equal(1, transforms);
        Assert.Equal((PipelineStatus.Published, 1), (result.Status, result.Release));
    }

    [Fact]
    public async Task Run_NotStarted_Warning4121NamesThePartitionLeasesHolder()
    {
        // Arrange: a host that owns its task hub's partition (it ran a run), and a wait for a run nobody scheduled, with
        // the warning's interval (over a minute) shortened.
        using var product = new TestProduct("lease" + Guid.NewGuid().ToString("N")[..6]);
        var (ns, state, storage) = await PrepareAsync(product);
        const string blob = "orders/orders-1.csv";
        await storage.Landing(product.Domain).GetBlobClient(blob).UploadAsync(product.WriteOrders("orders-1.csv", rows: 20));
        var request = new PipelineRequest { RunId = $"lease-{Guid.NewGuid():N}", ProductId = product.Id, LandingBlobs = [blob], Trigger = "blob" };
        await using var host = await StartHostAsync(HostOptions(product, ns, state));
        Assert.Equal(PipelineStatus.Published, (await host.RunAsync(request, TimeSpan.FromMinutes(4))).Status);
        host.Engine.NotStartedWarningAfter = TimeSpan.FromSeconds(1);

        // Act
        var timeout = await Assert.ThrowsAsync<TimeoutException>(() => host.Engine.WaitAsync("never-scheduled-" + Guid.NewGuid().ToString("N"), TimeSpan.FromSeconds(4)));

        // Assert: the warning (and the time-out) name the task hub's control queue and its holder, this host's worker
        // (DTFx's worker id, the machine name), read from the backend's partition table.
        var owner = $"{host.Engine.TaskHub.ToLowerInvariant()}-control-00 owned by {Environment.MachineName} until ";
        Assert.Contains(_hostLog.Entries, e => e.Contains("[4121]", StringComparison.Ordinal) && e.Contains(owner, StringComparison.Ordinal));
        Assert.Contains(owner, timeout.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StuckRuns_ActivityLostWithTheKilledHost_RunTerminatedAndFailedOnceWithItsReasonWorkspaceCleanedInputKept()
    {
        // Arrange: a host killed mid-transform, and the transform's message lost with it (as when the storage loses
        // its last unsaved writes): the run can never resume.
        using var product = new TestProduct("stuck" + Guid.NewGuid().ToString("N")[..6]);
        var (ns, state, storage) = await PrepareAsync(product);
        const string blob = "orders/orders-1.csv";
        await storage.Landing(product.Domain).GetBlobClient(blob).UploadAsync(product.WriteOrders("orders-1.csv", rows: 60));
        var request = new PipelineRequest { RunId = $"stuck-{Guid.NewGuid():N}", ProductId = product.Id, LandingBlobs = [blob], Trigger = "blob" };
        await RunFaultHostAsync(ns, state, product, request, PipelineFaults.AfterTransform);
        // The task hub is in the hub's account (catalog, queues), as the local mesh keeps it.
        var workItems = new Azure.Storage.Queues.QueueClient(azurite.ConnectionString, $"datamesh{ns}-workitems");
        await workItems.ClearMessagesAsync();
        var workspace = Path.Combine(state, "runs", RunWorkspace.SafeName(request.RunId));
        Assert.True(Directory.Exists(workspace), "the killed run left no workspace to clean");

        // Act: a new host whose bound the run has passed.
        await using var mesh = await StartHostAsync(HostOptions(product, ns, state, o => o.StuckRunAfter = TimeSpan.FromSeconds(2)));
        var run = await EventuallyAsync(
            async () =>
            {
                await mesh.ProcessCatalogEventsAsync();
                return (await mesh.Catalog.GetRunsAsync(product.Id)).SingleOrDefault();
            },
            TimeSpan.FromMinutes(2));
        await mesh.StuckRuns.CheckAsync();
        await mesh.ProcessCatalogEventsAsync();

        // Assert
        Assert.Equal((request.RunId, DataMesh.Catalog.CatalogRunStatus.Failed, "transform"), (run.RunId, run.Status, run.Stage));
        Assert.Contains(StuckRunDetectorMarker, run.Error, StringComparison.Ordinal);
        Assert.Contains("landing input left in landing", run.Error, StringComparison.Ordinal);
        Assert.Single(await mesh.Catalog.GetRunsAsync(product.Id));
        var ended = await Assert.ThrowsAsync<InvalidOperationException>(() => mesh.RunAsync(request, TimeSpan.FromMinutes(1)));
        Assert.Contains("Terminated", ended.Message, StringComparison.Ordinal);
        Assert.True(await storage.Landing(product.Domain).GetBlobClient(blob).ExistsAsync(), "the stuck run's input left landing");
        Assert.Empty(await new ReleaseStore(storage.Products(product.Domain)).ListReleasesAsync(product.Name, "1.0.0"));
        await EventuallyAsync(() => Task.FromResult(Directory.Exists(workspace) ? null : "gone"), TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task Run_HostKilledDuringAMergePublishThenRestarted_OneNewReleasePreviousSnapshotIntact()
    {
        // Arrange: a merge product with release 1 published; the second run's host dies after its uploads, before its manifest.
        const string Sql = "SELECT order_id, customer, CAST(amount AS DECIMAL(18,2)) AS amount, status FROM orders";
        const string Contract = """
            apiVersion: v3.1.0
            kind: DataContract
            id: urn:test:merge-kill
            version: 1.0.0
            schema:
              - name: orders
                properties:
                  - { name: order_id, logicalType: integer, required: true }
                  - { name: customer, logicalType: string }
                  - { name: amount, physicalType: "decimal(18,2)" }
                  - { name: status, logicalType: string }
            """;
        using var product = new TestProduct("killm" + Guid.NewGuid().ToString("N")[..6], "orders-merge", Sql, Contract, output: "{ contract: contract.odcs.yaml, mode: merge, key: [order_id] }");
        var (ns, state, storage) = await PrepareAsync(product);
        var store = new ReleaseStore(storage.Products(product.Domain));
        await using (var first = await StartHostAsync(HostOptions(product, ns, state)))
        {
            var day1 = Path.Combine(product.Root, "day-1.csv");
            await File.WriteAllTextAsync(day1, "order_id,customer,amount,status\n1,a,1.00,open\n2,b,2.00,open\n3,c,3.00,open\n");
            Assert.Equal(PipelineStatus.Published, (await first.RunAsync(product.Id, [day1], TimeSpan.FromMinutes(5))).Status);
        }

        var manifestBlob = store.Container.GetBlobClient(ReleaseStore.Folder(product.Name, "1.0.0", 1) + ReleaseStore.ManifestName);
        var before = (await manifestBlob.DownloadContentAsync()).Value.Content.ToArray();
        const string blob = "orders/day-2.csv";
        await storage.Landing(product.Domain).GetBlobClient(blob).UploadAsync(BinaryData.FromString("order_id,customer,amount,status\n2,b,20.00,shipped\n4,d,4.00,open\n"));
        var request = new PipelineRequest { RunId = $"killm-{Guid.NewGuid():N}", ProductId = product.Id, LandingBlobs = [blob], Trigger = "blob" };

        // Act
        await RunFaultHostAsync(ns, state, product, request, PipelineFaults.BeforeManifest);
        Assert.Equal(PipelineFaults.BeforeManifest, await File.ReadAllTextAsync(Path.Combine(state, "killed-at")));
        Assert.Equal([1], await store.ListReleasesAsync(product.Name, "1.0.0"));
        PipelineResult result;
        await using (var mesh = await StartHostAsync(HostOptions(product, ns, state)))
        {
            result = await mesh.RunAsync(request, TimeSpan.FromMinutes(5));
        }

        // Assert: one new release, the upsert applied; release 1 byte-identical and still reading as it was.
        Assert.Equal((PipelineStatus.Published, 2), (result.Status, result.Release));
        Assert.Equal([1, 2], await store.ListReleasesAsync(product.Name, "1.0.0"));
        Assert.Equal(before, (await manifestBlob.DownloadContentAsync()).Value.Content.ToArray());
        const string Columns = "order_id, customer, amount, status";
        Assert.Equal(["1|a|1.00|open", "2|b|2.00|open", "3|c|3.00|open"], await SnapshotRows.ReadAsync(store, product.Name, "1.0.0", 1, Columns));
        Assert.Equal(["1|a|1.00|open", "2|b|20.00|shipped", "3|c|3.00|open", "4|d|4.00|open"], await SnapshotRows.ReadAsync(store, product.Name, "1.0.0", 2, Columns));
        Assert.Equal(request.RunId, (await store.ReadManifestAsync(ReleaseStore.Folder(product.Name, "1.0.0", 2)))!.RunId);
    }

    private const string StuckRunDetectorMarker = DataMesh.Local.Durable.StuckRunDetector.Marker;

    /// <summary>One stage's product killed and restarted cycle after cycle: its runs so far and its first failure.</summary>
    private sealed class KillStage(string point, TestProduct product, string ns, string state, MeshStorage storage)
    {
        public string Point { get; } = point;

        public TestProduct Product { get; } = product;

        public string Namespace { get; } = ns;

        public string State { get; } = state;

        public MeshStorage Storage { get; } = storage;

        public ReleaseStore Store { get; } = new(storage.Products(product.Domain));

        public List<PipelineRequest> Requests { get; } = [];

        public WarningLog Log { get; } = new();

        public string? Failure { get; set; }

        /// <summary>Lands the cycle's file and adds its run (the fault host runs it).</summary>
        public async Task NextRunAsync(int cycle)
        {
            var blob = $"orders/orders-{cycle}.csv";
            await Storage.Landing(Product.Domain).GetBlobClient(blob).UploadAsync(Product.WriteOrders($"orders-{cycle}.csv", rows: 60, idOffset: cycle * 1000));
            Requests.Add(new PipelineRequest { RunId = $"kill-{cycle}-{Guid.NewGuid():N}", ProductId = Product.Id, LandingBlobs = [blob], Trigger = "blob" });
            File.Delete(Path.Combine(State, "killed-at"));
        }
    }

    /// <summary>
    /// The cycle's run of <paramref name="stage"/>, killed at its point by the fault host, resumed by a new host: it
    /// publishes its own release once and nothing partial is ever visible, neither after the kill nor while it resumes.
    /// </summary>
    private async Task ResumeAfterKillAsync(KillStage stage, int cycle, string faultHost)
    {
        var (point, product, store, request) = (stage.Point, stage.Product, stage.Store, stage.Requests[^1]);
        var killedAt = Path.Combine(stage.State, "killed-at");
        Assert.True(File.Exists(killedAt), $"the fault host did not reach {point}: {faultHost}");
        Assert.Equal(point, await File.ReadAllTextAsync(killedAt));

        // What the dead host left is never a partial release, nor a lost input.
        Assert.Empty(await IncompleteReleasesAsync(store, product));
        if (point is PipelineFaults.AfterResolve or PipelineFaults.AfterIngest or PipelineFaults.AfterTransform or PipelineFaults.AfterQuality)
        {
            Assert.True(await stage.Storage.Landing(product.Domain).GetBlobClient(request.LandingBlobs[0]).ExistsAsync(), "the landing input was lost by the kill");
        }

        var published = point is PipelineFaults.AfterManifest or PipelineFaults.AfterAnnounce ? cycle : cycle - 1;
        Assert.Equal(Enumerable.Range(1, published), await store.ListReleasesAsync(product.Name, "1.0.0"));

        // A new host resumes it (the redelivered trigger collapses into the run), a reader polling releases meanwhile.
        var violations = new List<string>();
        var watch = Stopwatch.StartNew();
        TimeSpan startTime, resumeTime;
        await using (var mesh = await StartHostAsync(HostOptions(product, stage.Namespace, stage.State, log: stage.Log)))
        {
            startTime = watch.Elapsed;
            using var stop = new CancellationTokenSource();
            var reader = ReadReleasesUntilAsync(store, product, violations, stop.Token);
            PipelineResult result;
            try
            {
                result = await mesh.RunAsync(request, TimeSpan.FromMinutes(5));
            }
            finally
            {
                await stop.CancelAsync();
                await reader;
            }

            Assert.Equal((PipelineStatus.Published, cycle, (long)TestProduct.ExpectedRows(60)), (result.Status, result.Release, result.Rows));
            resumeTime = watch.Elapsed - startTime;
        }

        output.WriteLine($"{point} cycle {cycle}: host start {startTime.TotalSeconds:0.0} s, resume {resumeTime.TotalSeconds:0.0} s, stop {(watch.Elapsed - startTime - resumeTime).TotalSeconds:0.0} s");
        Assert.Empty(violations);
    }

    /// <summary>After the last cycle: each run of <paramref name="stage"/> ended once, none is running, none published twice.</summary>
    private async Task VerifyEveryRunEndedOnceAsync(KillStage stage)
    {
        var (product, store, requests) = (stage.Product, stage.Store, stage.Requests);

        // Asked again, each run answers with its one release at once (none is running, none re-runs).
        await using (var mesh = await StartHostAsync(HostOptions(product, stage.Namespace, stage.State, log: stage.Log)))
        {
            for (var i = 0; i < requests.Count; i++)
            {
                var again = await mesh.RunAsync(requests[i], TimeSpan.FromSeconds(30));
                Assert.Equal((PipelineStatus.Published, i + 1), (again.Status, again.Release));
            }

            var releases = await mesh.Catalog.GetReleasesAsync(product.Id);
            Assert.Equal(requests.Select((r, i) => (i + 1, r.RunId)), releases.Select(r => (r.Release, r.RunId)).Order());
            var runs = await mesh.Catalog.GetRunsAsync(product.Id);
            Assert.Equal(requests.Select(r => r.RunId).Order(StringComparer.Ordinal), runs.Select(r => r.RunId).Order(StringComparer.Ordinal));
            Assert.All(runs, r => Assert.Equal(DataMesh.Catalog.CatalogRunStatus.Published, r.Status));
        }

        // Nothing published twice: one release folder per run, each manifest naming its run.
        Assert.Equal(Enumerable.Range(1, requests.Count), await store.ListReleasesAsync(product.Name, "1.0.0"));
        Assert.Equal(Enumerable.Range(1, requests.Count).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).Order(StringComparer.Ordinal), await FaultTests.ReleaseFoldersAsync(store, product));
        for (var i = 0; i < requests.Count; i++)
        {
            var manifest = (await store.ReadManifestAsync(ReleaseStore.Folder(product.Name, "1.0.0", i + 1)))!;
            Assert.Equal(requests[i].RunId, manifest.RunId);
            Assert.Equal(TestProduct.ExpectedRows(60), await ReleaseReader.CountRowsAsync(store.Container, product.Name, "1.0.0", i + 1));
        }

        Assert.Empty(await IncompleteReleasesAsync(store, product));
    }

    private async Task<(string Namespace, string State, MeshStorage Storage)> PrepareAsync(TestProduct product)
    {
        var ns = AzuriteFixture.CreateNamespace();
        var state = Path.Combine(product.Root, ".datamesh");
        Directory.CreateDirectory(state);
        // The mesh's topology: the domain's containers in its own account (the fault host attaches to the same Azurite).
        var storage = await azurite.OpenMeshStorageAsync(ns);
        await storage.EnsureDomainAsync(product.Domain);
        return (ns, state, storage);
    }

    /// <summary>
    /// Starts an in-process host with a bound: a start that cannot reach storage fails the test instead of hanging the
    /// class (xUnit has no default timeout; one of 36 kill cycles once hung here).
    /// </summary>
    private static async Task<LocalMesh> StartHostAsync(LocalMeshOptions options)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        return await LocalMesh.StartAsync(options, timeout.Token);
    }

    private LocalMeshOptions HostOptions(TestProduct product, string ns, string state, Action<LocalMeshOptions>? configure = null, WarningLog? log = null)
    {
        var options = new LocalMeshOptions
        {
            // The run\'s Azurite: each domain in its own account (one account only when DATAMESH_STORAGE chose it).
            Azurite = azurite.Server,
            ConnectionString = azurite.ConnectionString,
            Namespace = ns,
            StateDirectory = state,
            LoadPipelinesFolder = false,
            TakeOverAfter = TakeOverAfter,
            LoggerFactory = log ?? _hostLog,
        };
        options.ExtraProductDirectories.Add(product.Directory);
        configure?.Invoke(options);
        return options;
    }

    /// <summary>Polls <paramref name="read"/> until it gives a value (a timeout fails the test).</summary>
    private static async Task<T> EventuallyAsync<T>(Func<Task<T?>> read, TimeSpan timeout)
        where T : class
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (await read() is { } value)
            {
                return value;
            }

            Assert.True(DateTime.UtcNow < deadline, $"nothing within {timeout.TotalSeconds:0} s");
            await Task.Delay(200);
        }
    }

    /// <summary>Releases a reader would see (listed, i.e. with a manifest) whose files are missing or differ from the manifest.</summary>
    private static async Task<List<string>> IncompleteReleasesAsync(ReleaseStore store, TestProduct product)
    {
        var incomplete = new List<string>();
        foreach (var release in await store.ListReleasesAsync(product.Name, "1.0.0"))
        {
            var folder = ReleaseStore.Folder(product.Name, "1.0.0", release);
            var manifest = await store.ReadManifestAsync(folder);
            if (manifest is null || manifest.Files.Count == 0)
            {
                incomplete.Add($"{folder}: listed without a readable manifest or files");
                continue;
            }

            foreach (var file in manifest.Files)
            {
                var data = store.Container.GetBlobClient(folder + file.Path);
                if (!await data.ExistsAsync() || (await data.GetPropertiesAsync()).Value.ContentLength != file.Size)
                {
                    incomplete.Add($"{folder}{file.Path}: listed in the manifest, missing or of another size");
                }
            }
        }

        return incomplete;
    }

    private static async Task ReadReleasesUntilAsync(ReleaseStore store, TestProduct product, List<string> violations, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            violations.AddRange(await IncompleteReleasesAsync(store, product));
            try
            {
                await Task.Delay(100, stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>One fault host for one run, killed at <paramref name="point"/> (it must get there).</summary>
    private async Task RunFaultHostAsync(string ns, string state, TestProduct product, PipelineRequest request, string point)
    {
        var said = await RunFaultHostAsync([(ns, state, product, request, point)]);
        Assert.True(File.Exists(Path.Combine(state, "killed-at")), $"the fault host did not reach {point}: {said}");
    }

    /// <summary>
    /// One fault host process for several runs, each in its own mesh (namespace, state folder): it kills itself once every
    /// run reached its point (each state folder's killed-at names it) or ended. Returns what it printed, for a failure.
    /// </summary>
    private async Task<string> RunFaultHostAsync(IReadOnlyList<(string Namespace, string State, TestProduct Product, PipelineRequest Request, string Point)> runs)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(FaultHostPath());
        start.Environment.Remove(DataMesh.Local.Azurite.AzuriteServer.StorageVariable);
        foreach (var (ns, state, product, request, point) in runs)
        {
            foreach (var arg in new[] { ns, state, product.Directory, product.Id, request.RunId, request.LandingBlobs[0], point })
            {
                start.ArgumentList.Add(arg);
            }

            // The fault host attaches to this run's Azurite through each state folder, as the CLI does: the hub account
            // and each domain's own, never one shared connection string (only DATAMESH_STORAGE's one-account choice).
            foreach (var (name, value) in azurite.CliEnvironment(state))
            {
                start.Environment[name] = value;
            }
        }

        // The fault host and the in-process hosts that resume its runs share one task hub per mesh, named by the namespace
        // alone: the CLI tests' per-state-folder hub would put the killed host's runs where no other host looks.
        start.Environment.Remove(LocalMeshOptions.TaskHubVariable);
        start.Environment.Remove("DATAMESH_FAULT_POINT");
        start.Environment["DATAMESH_TAKE_OVER_AFTER"] = TakeOverAfter.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            // The runs that reached their point die there all the same; the others fail their test.
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            return $"not every run reached its point within 5 minutes: {await stdout} {await stderr}";
        }

        return $"the fault host exited {process.ExitCode}: {await stdout} {await stderr}";
    }

    /// <summary>The fault host's build output beside this assembly's: <c>tests/DataMesh.FaultHost/bin/&lt;config&gt;/&lt;tfm&gt;/</c>.</summary>
    private static string FaultHostPath()
    {
        var here = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var (tfm, configuration, tests) = (here.Name, here.Parent!.Name, here.Parent.Parent!.Parent!.Parent!.FullName);
        var path = Path.Combine(tests, "DataMesh.FaultHost", "bin", configuration, tfm, "DataMesh.FaultHost.dll");
        return File.Exists(path) ? path : throw new FileNotFoundException("Build tests/DataMesh.FaultHost first (the end-to-end project references it).", path);
    }
}
