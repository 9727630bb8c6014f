using DataMesh.Events;
using DataMesh.Governance;
using DataMesh.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace DataMesh.Pipeline;

/// <summary>What the pipeline activities need from their host: storage, products, engine options, events.</summary>
public sealed class PipelineRuntime(
    MeshStorage storage,
    IProductRegistry products,
    IProductEventPublisher events,
    PipelineOptions? options = null,
    ILoggerFactory? loggerFactory = null,
    TimeProvider? timeProvider = null,
    MeshPolicies? policies = null)
{
    /// <summary>
    /// The mesh-wide policies (<c>pipelines/mesh.yaml</c>) enforced again at publish; null when the mesh has none. Replaced
    /// when <c>datamesh up</c> reloads an edited <c>mesh.yaml</c>.
    /// </summary>
    public MeshPolicies? Policies { get; set; } = policies;

    /// <summary>
    /// The host's storage: a Functions app's own account (queues, outbox) and every domain as it reaches them; the local
    /// mesh's runtime holds no credential here (each domain's pipeline works through <see cref="StorageFor"/>).
    /// </summary>
    public MeshStorage Storage { get; } = storage;

    /// <summary>
    /// Storage as one domain's pipeline holds it (its own account's credential, read grants on the <c>products</c> of
    /// upstream domains that admit it, nothing else); null: <see cref="Storage"/> (a Functions app holds only its own
    /// domain's account anyway). Called at each use, so grants follow the specs as they are then.
    /// </summary>
    public Func<string, MeshStorage>? DomainStorage { get; init; }

    /// <summary>The storage a pipeline of <paramref name="domain"/> works with: <see cref="DomainStorage"/>'s view, else <see cref="Storage"/>.</summary>
    public MeshStorage StorageFor(string domain) => DomainStorage?.Invoke(domain) ?? Storage;

    public IProductRegistry Products { get; } = products;

    /// <summary>
    /// The specs run <paramref name="runId"/> works with: <see cref="Products"/> as they were when its first stage ran
    /// here, kept for its later stages, so a run in progress never mixes the specs it started with and those of a reload
    /// (<c>datamesh up</c> watching <c>pipelines/</c>, <see cref="ProductRegistry.ReplaceWith"/>). Read grants are not
    /// pinned: they follow the specs as they are at each use of storage, as a role assignment in Azure does.
    /// </summary>
    public IProductRegistry ProductsOf(string runId)
    {
        if (Products is not ProductRegistry registry)
        {
            return Products;
        }

        if (_pinned.Count > MaxPinnedRuns)
        {
            // Runs end without telling the runtime: forget the pins of runs long over (none runs for days).
            var before = Time.GetUtcNow() - TimeSpan.FromDays(2);
            foreach (var (run, pin) in _pinned)
            {
                if (pin.PinnedAt < before)
                {
                    _pinned.TryRemove(run, out _);
                }
            }
        }

        return _pinned.GetOrAdd(runId, _ => (registry.Snapshot(), Time.GetUtcNow())).Specs;
    }

    private const int MaxPinnedRuns = 1024;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, (IProductRegistry Specs, DateTimeOffset PinnedAt)> _pinned = new(StringComparer.Ordinal);

    public IProductEventPublisher Events { get; } = events;

    /// <summary>
    /// Announcements recorded before they are sent, until the topic accepted them (table <c>Outbox</c> of
    /// <see cref="Storage"/>): a Functions app's, in its own domain's account. A pipeline announces through
    /// <see cref="OutboxFor"/>.
    /// </summary>
    public AnnouncementOutbox Outbox { get; } = new(storage, timeProvider);

    /// <summary>
    /// The outbox of <paramref name="domain"/>'s announcements: table <c>Outbox</c> in the storage its pipeline holds
    /// (<see cref="StorageFor"/>), i.e. in the domain's own account, as each domain app's outbox is in Azure. Without
    /// <see cref="DomainStorage"/> it is <see cref="Outbox"/>.
    /// </summary>
    public AnnouncementOutbox OutboxFor(string domain) =>
        DomainStorage is null ? Outbox : _outboxes.GetOrAdd(domain, d => new AnnouncementOutbox(StorageFor(d), timeProvider));

    // One per domain: an outbox remembers its table once created; the domain's own account never changes.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, AnnouncementOutbox> _outboxes = new(StringComparer.Ordinal);

    public PipelineOptions Options { get; } = options ?? new PipelineOptions();

    public ILoggerFactory LoggerFactory { get; } = loggerFactory ?? NullLoggerFactory.Instance;

    public TimeProvider Time { get; } = timeProvider ?? TimeProvider.System;

    /// <summary>The pipeline's metrics, made by the host's meter factory; default: none recorded.</summary>
    public Telemetry.PipelineMetrics Metrics { get; init; } = Telemetry.PipelineMetrics.None;

    /// <summary>Where the run's OpenLineage events are posted as they happen (<c>OPENLINEAGE_URL</c>); null: catalog only.</summary>
    public Lineage.OpenLineageTransport? OpenLineage { get; init; }

    /// <summary>
    /// The mesh hub's catalog, which the publish gate asks for the consumers this host does not hold (a domain app holds
    /// its own domain's specs only); null where every spec is held (the local mesh).
    /// </summary>
    public Catalog.HubCatalogClient? Hub { get; init; }

    /// <summary>The OpenLineage namespace of jobs and product datasets.</summary>
    public string LineageNamespace { get; init; } = "datamesh";

    /// <summary>
    /// The local folder of one run (created on demand). The folder of all runs (<see cref="PipelineOptions.WorkDirectory"/>)
    /// is made private first: a run's scratch holds its inputs' rows in clear, restricted ones too, and run folder names
    /// are predictable, so no other OS user may read there or plant an entry a run would take for its own.
    /// </summary>
    public RunWorkspace Workspace(string runId)
    {
        PrivateDirectory.Ensure(Options.WorkDirectory);
        return new(Path.Combine(Options.WorkDirectory, RunWorkspace.SafeName(runId)));
    }

    /// <summary>Where finished run folders go to be deleted in the background.</summary>
    /// <summary>
    /// Fires when this host cancels run <paramref name="runId"/> (<see cref="CancelInProcess"/>): its stages running in
    /// this process stop (a terminated orchestration does not stop an activity already running). Announce and clean-up
    /// do not listen: they end a cancelled run's story.
    /// </summary>
    public CancellationToken CancellationOf(string runId) => _runCancellations.GetOrAdd(runId, _ => new CancellationTokenSource()).Token;

    /// <summary>Stops the stages of run <paramref name="runId"/> running in this process (after its orchestration was terminated).</summary>
    public void CancelInProcess(string runId) => _runCancellations.GetOrAdd(runId, _ => new CancellationTokenSource()).Cancel();

    /// <summary>Forgets a run's cancellation source once the run's clean-up ran (its last step).</summary>
    internal void ForgetRun(string runId)
    {
        if (_runCancellations.TryRemove(runId, out var source))
        {
            source.Dispose();
        }
    }

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, CancellationTokenSource> _runCancellations = new(StringComparer.Ordinal);

    public WorkspaceTrash Trash => LazyInitializer.EnsureInitialized(ref _trash, () => new WorkspaceTrash(Options.WorkDirectory, LoggerFactory.CreateLogger<WorkspaceTrash>()));

    private WorkspaceTrash? _trash;

    /// <summary>
    /// The DuckDB limits of this host's run sessions (<see cref="Pipeline.EngineLimits"/>): derived once, from the options
    /// as they are at the first stage, and logged.
    /// </summary>
    public EngineLimits EngineLimits => LazyInitializer.EnsureInitialized(ref _engineLimits, () =>
    {
        var limits = Options.EngineLimits();
        LoggerFactory.CreateLogger<EngineLimits>().LogInformation(
            "DuckDB limits of the runs: memory_limit {MemoryLimit}, threads {Threads}, spill cap {MaxSpillSize} ({Source})",
            limits.MemoryLimit, limits.Threads, limits.MaxSpillSize, limits.Source);
        return limits;
    });

    private EngineLimits? _engineLimits;
}
