using System.Diagnostics;
using System.Text.Json;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using DataMesh.Pipeline;
using DurableTask.AzureStorage;
using DurableTask.Core;
using DurableTask.Core.Exceptions;
using Microsoft.DurableTask.Worker;
using Microsoft.DurableTask.Worker.Shims;
using Microsoft.Extensions.Logging;

namespace DataMesh.Local.Durable;

/// <summary>
/// The local mesh's durable engine: the Durable Task Framework's Azure Storage backend (the backend Durable
/// Functions uses in Azure) on Azurite, hosting the same class-based pipeline tasks as the Functions app.
/// Runs survive a killed process: a restarted engine resumes them where their history stops.
/// </summary>
public sealed partial class LocalDurableEngine : IAsyncDisposable
{
    private static readonly JsonSerializerOptions ResultJson = new() { PropertyNameCaseInsensitive = true };
    // Every state: a run id that exists, however it ended, is never started again (the Functions trigger's rule too,
    // PipelineTrigger): a run id names one blob version, and a failed run is re-run on demand under a new id.
    private static readonly OrchestrationStatus[] DedupeStatuses =
    [
        OrchestrationStatus.Pending, OrchestrationStatus.Running, OrchestrationStatus.ContinuedAsNew, OrchestrationStatus.Completed,
        OrchestrationStatus.Failed, OrchestrationStatus.Terminated, OrchestrationStatus.Canceled,
    ];

    // Null for a client-only engine (ConnectAsync): another process's worker runs the task hub.
    private readonly TaskHubWorker? _worker;
    private readonly TaskHubClient _client;
    private readonly AzureStorageOrchestrationService _service;
    private readonly EpisodeSignal _episodes;
    private readonly ILogger _logger;
    private readonly WorkerCutOff _cutOff;
    private readonly HubLeases _leases;
    private readonly string _taskHub;
    private bool _stopped;
    private bool _stopWithoutWaiting;

    private LocalDurableEngine(TaskHubWorker? worker, TaskHubClient client, AzureStorageOrchestrationService service, EpisodeSignal episodes, ILoggerFactory loggerFactory, WorkerCutOff cutOff, HubLeases leases, TimeSpan takeOverAfter)
    {
        _logger = loggerFactory.CreateLogger<LocalDurableEngine>();
        _service = service;
        _worker = worker;
        _client = client;
        _episodes = episodes;
        _cutOff = cutOff;
        _leases = leases;
        _taskHub = leases.TaskHubName;
        // A killed host's start message shows again after the control queue's visibility timeout: warn only past that.
        NotStartedWarningAfter = TimeSpan.FromTicks(Math.Max((ControlVisibility(takeOverAfter) + takeOverAfter).Ticks, takeOverAfter.Ticks * 3));
    }

    /// <summary>The DTFx client of this engine's task hub (for <see cref="LocalDurableTaskClient"/>).</summary>
    internal TaskHubClient Client => _client;

    /// <summary>The task hub's name (its queues, tables and lease container are named after it, lower-cased).</summary>
    internal string TaskHub => _taskHub;

    /// <summary>The task hub's storage service (instance queries for <see cref="StuckRunDetector"/>).</summary>
    internal AzureStorageOrchestrationService Service => _service;

    /// <summary>How long a killed host's activity work waits by default before another host takes it over (message visibility).</summary>
    public static readonly TimeSpan DefaultTakeOverAfter = TimeSpan.FromSeconds(20);

    /// <summary>
    /// How often a running activity's work-item message is renewed: DTFx's <c>TaskActivityDispatcher.RenewUntil</c> wakes
    /// every 5 s (fixed, not a setting) and, for a visibility under 35 s, renews at each wake (it renews 30 s before the
    /// message would show, at the latest 30 s after the previous renewal); the Azure Storage backend's
    /// <c>RenewTaskActivityWorkItemLockAsync</c> then hides the message for <c>WorkItemQueueVisibilityTimeout</c> from
    /// that moment. A renewal that fails is not retried: the message shows again when its visibility lapses.
    /// </summary>
    public static readonly TimeSpan ActivityRenewalInterval = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The shortest take-over time (work-item visibility) allowed: twice <see cref="ActivityRenewalInterval"/>, 10 s, so a
    /// renewal may come up to a whole interval late (a loaded machine's thread pool, a slow storage answer) before a
    /// running activity's message shows again and a second copy of the activity starts. At 8 s the margin was 3 s.
    /// </summary>
    public static readonly TimeSpan MinimumTakeOverAfter = ActivityRenewalInterval * 2;

    /// <summary>
    /// How long a control-queue message (a run's start, an activity's result) stays hidden once a host took it: well
    /// above an orchestration episode on a loaded machine. The backend holds the message from its dequeue, through the
    /// session manager's buffer and history load, to the episode's end, and renews it only during the episode (DTFx's
    /// <c>TaskOrchestrationDispatcher.RenewUntil</c>: 30 s before it shows again, at the earliest 5 s into the episode).
    /// A timeout as short as the take-over time let a slow episode's own message come back while it ran, and under
    /// load it never got past it. The cost: an episode in flight on a killed host is taken over after up to this long.
    /// </summary>
    public static readonly TimeSpan ControlQueueVisibility = TimeSpan.FromSeconds(60);

    /// <summary>Creates the task hub if needed and starts the worker with every pipeline task registered.</summary>
    public static Task<LocalDurableEngine> StartAsync(string connectionString, string taskHubName, PipelineRuntime runtime, CancellationToken cancellationToken = default) =>
        StartAsync(connectionString, taskHubName, runtime, DefaultTakeOverAfter, cancellationToken);

    /// <summary>
    /// Creates the task hub if needed and starts the worker with every pipeline task registered; a killed host's
    /// running activities and partition are taken over by another host after about <paramref name="takeOverAfter"/>
    /// (at least <see cref="MinimumTakeOverAfter"/>, 10 s: running activities renew their messages every 5 s), an orchestration episode it was running after
    /// up to <see cref="ControlQueueVisibility"/> (or <paramref name="takeOverAfter"/> if longer).
    /// </summary>
    public static async Task<LocalDurableEngine> StartAsync(string connectionString, string taskHubName, PipelineRuntime runtime, TimeSpan takeOverAfter, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(takeOverAfter, MinimumTakeOverAfter);
        ArgumentNullException.ThrowIfNull(runtime);
        var loggerFactory = runtime.LoggerFactory;
        // The worker's storage clients and log, cut off if its stop is ever abandoned (see DisposeAsync).
        var cutOff = new WorkerCutOff();
        var workerLog = cutOff.Wrap(loggerFactory);
        var settings = new AzureStorageOrchestrationServiceSettings
        {
            StorageAccountClientProvider = new StorageAccountClientProvider(
                StorageServiceClientProvider.ForBlob(connectionString, cutOff.Apply(new BlobClientOptions())),
                StorageServiceClientProvider.ForQueue(connectionString, cutOff.Apply(new QueueClientOptions())),
                StorageServiceClientProvider.ForTable(connectionString, cutOff.Apply(new TableClientOptions()))),
            TaskHubName = taskHubName,
            PartitionCount = 1,
            MaxQueuePollingInterval = TimeSpan.FromMilliseconds(100),
            // A duplicate start must say so (ScheduleAsync returns false), not be dropped silently.
            ThrowExceptionOnInvalidDedupeStatus = true,
            // Short enough that a killed host's activity is picked up again in seconds; running activities renew it every
            // ActivityRenewalInterval (5 s), and takeOverAfter is at least twice that (MinimumTakeOverAfter): a renewal may
            // be late by up to a whole interval before the message shows again and the activity would run a second time.
            WorkItemQueueVisibilityTimeout = takeOverAfter,
            // Not the take-over time: a control message is held from its dequeue to its episode's end (see
            // ControlQueueVisibility); the partition lease decides which host reads the queue.
            ControlQueueVisibilityTimeout = ControlVisibility(takeOverAfter),
            // One process per hub locally: skip the app lease, and take partition leases fast. The partition leases are
            // rows of the task hub's partition table (DTFx's table partition manager, the backend's default since 2.x),
            // said explicitly because HubLeases reads them there for warning 4121.
            UseAppLease = false,
            UseTablePartitionManagement = true,
            LeaseAcquireInterval = TimeSpan.FromSeconds(1),
            LeaseRenewInterval = takeOverAfter / 4,
            LeaseInterval = takeOverAfter * 3 / 4,
            MaxConcurrentTaskActivityWorkItems = Math.Max(2, Environment.ProcessorCount),
            MaxConcurrentTaskOrchestrationWorkItems = 16,
            LoggerFactory = workerLog,
        };
        var service = new AzureStorageOrchestrationService(settings);
        await service.CreateIfNotExistsAsync().WaitAsync(cancellationToken).ConfigureAwait(false);

        var shims = new DurableTaskShimFactory(new DurableTaskWorkerOptions(), loggerFactory);
        var worker = new TaskHubWorker(service, workerLog)
        {
            ErrorPropagationMode = ErrorPropagationMode.UseFailureDetails,
        };

        // Waiters in this process learn that an orchestration episode ran (a stage started, the run ended) at once,
        // instead of on their next poll.
        var episodes = new EpisodeSignal();
        LocalDurableEngine? engine = null;
        worker.AddOrchestrationDispatcherMiddleware(async (context, next) =>
        {
            if (engine?.BeforeEpisode is { } beforeEpisode)
            {
                await beforeEpisode(context.GetProperty<TaskOrchestrationWorkItem>()).ConfigureAwait(false);
            }

            await next().ConfigureAwait(false);
            episodes.Pulse();
        });
        worker.AddTaskOrchestrations(
            new ShimOrchestrationCreator(nameof(DataProductPipeline), () => new DataProductPipeline(), shims),
            new ShimOrchestrationCreator(nameof(StuckRunFailure), () => new StuckRunFailure(), shims));
        worker.AddTaskActivities(
            new ShimActivityCreator(nameof(ResolveInputsActivity), () => new ResolveInputsActivity(runtime), shims),
            new ShimActivityCreator(nameof(IngestActivity), () => new IngestActivity(runtime), shims),
            new ShimActivityCreator(nameof(TransformActivity), () => new TransformActivity(runtime), shims),
            new ShimActivityCreator(nameof(QualityCheckActivity), () => new QualityCheckActivity(runtime), shims),
            new ShimActivityCreator(nameof(PublishActivity), () => new PublishActivity(runtime), shims),
            new ShimActivityCreator(nameof(QuarantineActivity), () => new QuarantineActivity(runtime), shims),
            new ShimActivityCreator(nameof(ArchiveActivity), () => new ArchiveActivity(runtime), shims),
            new ShimActivityCreator(nameof(AnnounceActivity), () => new AnnounceActivity(runtime), shims),
            new ShimActivityCreator(nameof(CleanUpActivity), () => new CleanUpActivity(runtime), shims),
            new ShimActivityCreator(nameof(SettleRunActivity), () => new SettleRunActivity(runtime), shims));
        await worker.StartAsync().WaitAsync(cancellationToken).ConfigureAwait(false);

        var client = new TaskHubClient(service, new SystemTextJsonDataConverter(), loggerFactory);
        engine = new LocalDurableEngine(worker, client, service, episodes, loggerFactory, cutOff, new HubLeases(connectionString, taskHubName), takeOverAfter);
        return engine;
    }

    /// <summary>The control queue's visibility timeout for a take-over time: <see cref="ControlQueueVisibility"/> or longer.</summary>
    internal static TimeSpan ControlVisibility(TimeSpan takeOverAfter) => takeOverAfter > ControlQueueVisibility ? takeOverAfter : ControlQueueVisibility;

    /// <summary>
    /// How long a wait for a run that has not started goes before warning 4121 names the partition's lease holder, and
    /// again at each such interval: <c>max(control-queue visibility + take-over time, 3 × take-over time)</c> (a test shortens it).
    /// </summary>
    internal TimeSpan NotStartedWarningAfter { get; set; }

    /// <summary>Runs before each orchestration episode of this engine's worker (the host-kill tests make an episode slow).</summary>
    internal Func<TaskOrchestrationWorkItem, Task>? BeforeEpisode { get; set; }

    /// <summary>How long the worker's storage requests wait before they are sent (the host-kill tests slow some).</summary>
    internal Func<Azure.Core.Request, TimeSpan>? StorageLatency
    {
        get => _cutOff.Latency;
        set => _cutOff.Latency = value;
    }

    /// <summary>
    /// A client-only engine on an existing task hub, with no worker: for a process that acts on runs another process's
    /// worker executes (<c>datamesh runs cancel</c> while <c>datamesh up</c> serves the mesh).
    /// </summary>
    public static async Task<LocalDurableEngine> ConnectAsync(string connectionString, string taskHubName, ILoggerFactory loggerFactory, CancellationToken cancellationToken = default)
    {
        var service = new AzureStorageOrchestrationService(new AzureStorageOrchestrationServiceSettings
        {
            StorageAccountClientProvider = new StorageAccountClientProvider(connectionString),
            TaskHubName = taskHubName,
            PartitionCount = 1,
            UseTablePartitionManagement = true,
            LoggerFactory = loggerFactory,
        });
        await service.CreateIfNotExistsAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        return new LocalDurableEngine(
            worker: null, new TaskHubClient(service, new SystemTextJsonDataConverter(), loggerFactory), service, new EpisodeSignal(), loggerFactory,
            new WorkerCutOff(), new HubLeases(connectionString, taskHubName), DefaultTakeOverAfter);
    }

    /// <summary>
    /// Schedules a pipeline run whose instance id is the run id. A run id that already exists, in any state, is not
    /// scheduled twice (duplicate triggers collapse); returns false then.
    /// </summary>
    public async Task<bool> ScheduleAsync(PipelineRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        try
        {
            await _client.CreateOrchestrationInstanceAsync(nameof(DataProductPipeline), string.Empty, request.RunId, request, tags: null, DedupeStatuses)
                .WaitAsync(cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (OrchestrationAlreadyExistsException)
        {
            return false;
        }
    }

    /// <summary>
    /// Waits for a run to end and returns its result (see <see cref="PollAsync"/> for how it waits).
    /// </summary>
    /// <param name="runId">The run (orchestration instance) to wait for.</param>
    /// <param name="timeout">How long to wait before giving up.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <param name="progress">Told the run's stage each time it changes (the orchestration's custom status).</param>
    public async Task<PipelineResult> WaitAsync(string runId, TimeSpan timeout, CancellationToken cancellationToken = default, IProgress<RunProgress>? progress = null)
    {
        RunProgress? reported = null;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        OrchestrationState? last = null;
        OrchestrationState state;
        using var started = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token);
        var watchdog = WarnWhileNotStartedAsync(runId, () => Volatile.Read(ref last), started.Token);
        try
        {
            state = (await PollAsync(runId, s =>
            {
                Volatile.Write(ref last, s);
                return IsEnded(s);
            }, deadline.Token).ConfigureAwait(false))!;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"Run {runId} did not finish within {timeout.TotalSeconds:0} s (status {last?.OrchestrationStatus.ToString() ?? "not started"}; task hub partition: {await _leases.DescribeAsync().ConfigureAwait(false)}).");
        }
        finally
        {
            await started.CancelAsync().ConfigureAwait(false);
            await watchdog.ConfigureAwait(false);
        }

        return state.OrchestrationStatus == OrchestrationStatus.Completed
            ? JsonSerializer.Deserialize<PipelineResult>(state.Output, ResultJson) ?? throw new InvalidOperationException($"Run {runId} completed without a result.")
            : throw new InvalidOperationException($"Run {runId} ended {state.OrchestrationStatus}: {state.FailureDetails?.ErrorMessage ?? state.Output}");

        bool IsEnded(OrchestrationState? current)
        {
            if (progress is not null && current?.Status is { Length: > 0 } status
                && JsonSerializer.Deserialize<RunProgress>(status, ResultJson) is { } stage && stage != reported)
            {
                reported = stage;
                progress.Report(stage);
            }

            return current?.OrchestrationStatus is OrchestrationStatus.Completed or OrchestrationStatus.Failed
                or OrchestrationStatus.Terminated or OrchestrationStatus.Canceled;
        }
    }

    /// <summary>
    /// Says, every <see cref="NotStartedWarningAfter"/> while the run has not started, who holds the task hub's partition:
    /// a run is started only by the worker that owns the control queue's lease, and a host that cannot get it (another
    /// host, live or abandoned, renews it) would otherwise wait in silence until its caller's time-out.
    /// </summary>
    private async Task WarnWhileNotStartedAsync(string runId, Func<OrchestrationState?> last, CancellationToken started)
    {
        var waited = TimeSpan.Zero;
        try
        {
            while (true)
            {
                await Task.Delay(NotStartedWarningAfter, started).ConfigureAwait(false);
                waited += NotStartedWarningAfter;
                if (last() is { OrchestrationStatus: not OrchestrationStatus.Pending })
                {
                    return;
                }

                var partition = await _leases.DescribeAsync(started).ConfigureAwait(false);
                started.ThrowIfCancellationRequested();
                LogRunNotStarted(_logger, runId, waited.TotalSeconds, partition);
            }
        }
        catch (OperationCanceledException)
        {
            // The run started or ended, or the wait ended.
        }
    }

    /// <summary>
    /// Reads an instance's state until <paramref name="done"/> accepts it (null: not created yet) and returns that state.
    /// DTFx's own wait polls every ~2 s; this polls with a delay that grows to 100 ms and drops back to a few ms each
    /// time an orchestration episode runs in this process: the episode's outcome is saved just after it, so the next
    /// polls see it.
    /// </summary>
    internal async Task<OrchestrationState?> PollAsync(string instanceId, Func<OrchestrationState?, bool> done, CancellationToken cancellationToken)
    {
        var delay = TimeSpan.FromMilliseconds(50);
        while (true)
        {
            var episode = _episodes.Next;
            var state = await _client.GetOrchestrationStateAsync(instanceId).WaitAsync(cancellationToken).ConfigureAwait(false);
            if (done(state))
            {
                return state;
            }

            var waited = await Task.WhenAny(Task.Delay(delay, cancellationToken), episode).ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            delay = waited == episode ? TimeSpan.FromMilliseconds(5) : TimeSpan.FromMilliseconds(Math.Min(100, delay.TotalMilliseconds * 1.5));
        }
    }

    /// <summary>A pulse each time an orchestration episode has run; <see cref="Next"/> completes at the next one.</summary>
    private sealed class EpisodeSignal
    {
        private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Next => Volatile.Read(ref _next).Task;

        public void Pulse() =>
            Interlocked.Exchange(ref _next, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }

    /// <summary>The result of a run that has ended; null while it is pending or running.</summary>
    public async Task<PipelineResult?> TryGetResultAsync(string runId)
    {
        var state = await _client.GetOrchestrationStateAsync(runId).ConfigureAwait(false);
        return state?.OrchestrationStatus switch
        {
            OrchestrationStatus.Completed => JsonSerializer.Deserialize<PipelineResult>(state.Output, ResultJson),
            OrchestrationStatus.Failed or OrchestrationStatus.Terminated or OrchestrationStatus.Canceled => throw new InvalidOperationException(
                $"Run {runId} ended {state.OrchestrationStatus}: {state.FailureDetails?.ErrorMessage ?? state.Output}"),
            _ => null,
        };
    }

    /// <summary>
    /// Makes <see cref="DisposeAsync"/> stop the worker without waiting for in-flight work items (after a cancellation:
    /// a stage of a terminated run may run for minutes more, and its result is discarded anyway).
    /// </summary>
    public void StopWithoutWaiting() => _stopWithoutWaiting = true;

    /// <summary>How long <see cref="DisposeAsync"/> waits for the worker to stop before abandoning it.</summary>
    public static readonly TimeSpan StopLimit = TimeSpan.FromSeconds(60);

    /// <summary>How the worker is stopped (a test makes it hang as the backend's stop can).</summary>
    internal Func<TaskHubWorker, bool, Task> StopWorker { get; set; } = static (worker, isForced) => worker.StopAsync(isForced);

    /// <summary>How long <see cref="DisposeAsync"/> waits for the stop (<see cref="StopLimit"/>; a test shortens it).</summary>
    internal TimeSpan StopBound { get; set; } = StopLimit;

    /// <summary>
    /// Stops the worker, letting in-flight work items finish (unless <see cref="StopWithoutWaiting"/> was called), for at
    /// most <see cref="StopLimit"/>; past it the worker is abandoned, cut off from the task hub's storage.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (!_stopped)
        {
            _stopped = true;
            if (_worker is not null)
            {
                // Bounded: the Azure Storage backend's stop can hang in its partition manager (Azure/durabletask#848,
                // #860), and a host that never finishes stopping hangs the command (or test) that owns it for ever.
                var watch = Stopwatch.StartNew();
                var stop = StopWorker(_worker, _stopWithoutWaiting);
                if (await Task.WhenAny(stop, Task.Delay(StopBound)).ConfigureAwait(false) == stop)
                {
                    await stop.ConfigureAwait(false);
                    _worker.Dispose();
                    LogStopped(_logger, watch.Elapsed.TotalSeconds);
                }
                else
                {
                    // Abandoning alone is not enough: the hung stop leaves the backend's lease renewer running in this
                    // process, so the abandoned worker would keep the task hub's partition (and with it every run) from
                    // the next host for as long as the process lives. Cut off from storage, it renews nothing: its leases
                    // lapse, its queue messages become visible again, and the next host resumes the runs from their
                    // history (at most once: publish is idempotent per run).
                    _cutOff.Engage();
                    _ = stop.ContinueWith(static t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
                    LogStopAbandoned(_logger, StopBound.TotalSeconds);
                }
            }
        }
    }

    [LoggerMessage(EventId = 4120, Level = LogLevel.Warning, Message = "The durable worker did not stop within {Seconds} s; abandoning it, cut off from the task hub's storage (its partition lease lapses; its in-flight work resumes on the next host start).")]
    private static partial void LogStopAbandoned(ILogger logger, double seconds);

    [LoggerMessage(EventId = 4121, Level = LogLevel.Warning, Message = "Run {RunId} has not started after {Seconds} s. Only the holder of the task hub's partition lease starts runs; the lease: {Partition}. A live host holding it runs it; a host that is gone or abandoned holds it until the lease lapses.")]
    private static partial void LogRunNotStarted(ILogger logger, string runId, double seconds, string partition);

    [LoggerMessage(EventId = 4122, Level = LogLevel.Debug, Message = "The durable worker stopped in {Seconds:0.0} s.")]
    private static partial void LogStopped(ILogger logger, double seconds);
}
