using Azure;
using Azure.Messaging.EventGrid;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using DataMesh.Catalog;
using DataMesh.Events;
using DataMesh.Governance;
using DataMesh.Local.Durable;
using DataMesh.Local.EventGrid;
using DataMesh.Pipeline;
using DataMesh.Specs;
using DataMesh.Storage;
using DataMesh.Triggers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DataMesh.Local;

/// <summary>
/// The whole mesh on one machine (DESIGN §7): storage (embedded Azurite or <c>DATAMESH_STORAGE</c>), the domains'
/// containers, the durable engine running the pipeline, product events published with <c>EventGridPublisherClient</c>
/// to a local Event Grid topic that fans them out to the catalog and trigger queues, the outbox relay, and the
/// catalog projection. The same core code as the Functions app.
/// </summary>
public sealed partial class LocalMesh : IAsyncDisposable
{
    /// <summary>The folder under the state directory holding one topic key file per domain, named by the domain (created once, owner-readable only).</summary>
    public const string EventTopicKeysFolder = "event-topic-keys";

    /// <summary>The folder under the state directory holding one masking key file per domain, named by the domain.</summary>
    public const string MaskingKeysFolder = "masking-keys";

    // How often `up` sweeps the outbox; a row is re-sent only once older than LocalMeshOptions.OutboxGracePeriod.
    private static readonly TimeSpan OutboxSweepInterval = TimeSpan.FromSeconds(30);

    private readonly LocalStorage _storage;
    private readonly LocalDurableEngine _engine;

    /// <summary>The mesh's durable engine (the host-kill tests make its stop hang).</summary>
    internal LocalDurableEngine Engine => _engine;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte> _triggeredRuns = new(StringComparer.Ordinal);

    // Every run this process scheduled (asked for or triggered) that it has not seen end: what a Ctrl+C cancels.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte> _startedRuns = new(StringComparer.Ordinal);

    // Runs cancelled whose publish had decided first (their release stands), with that release.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> _cancelledTooLate = new(StringComparer.Ordinal);
    // Made again when a reload of the specs adds a domain (its account is then a registered release location).
    private volatile CatalogProjection _projection;
    // One per domain: each drains that domain's outbox (its own account) with that domain's topic key only (a domain
    // added by a reload of the specs gets its own).
    private volatile IReadOnlyList<OutboxRelay> _relays;
    private readonly TimeSpan _outboxGracePeriod;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopDetector = new();
    private PipelineRuntime? _runtime;
    private ServiceProvider? _ownedMeters;
    private CancellationTokenRegistration _interruptRegistration;
    private CancellationToken _interrupt;
    private string _interruptedBy = "";
    private TimeSpan _cancelWithin;
    private Lazy<Task>? _interruption;
    private readonly Task _detector;

    // Sends OpenLineage events in the background; drained briefly when the mesh stops.
    private DataMesh.Lineage.OpenLineageTransport? _lineage;

    private LocalMesh(
        LocalStorage storage, ProductRegistry products, LocalDurableEngine engine, CatalogProjection projection, ILogger logger,
        IProductEventPublisher events, LocalDomainTopics topic, IReadOnlyList<OutboxRelay> relays, TimeSpan outboxGracePeriod, TimeSpan stuckRunAfter)
    {
        Events = events;
        EventTopic = topic;
        _relays = relays;
        _outboxGracePeriod = outboxGracePeriod;
        _storage = storage;
        Storage = storage.Storage;
        Products = products;
        _engine = engine;
        _projection = projection;
        ConnectionString = storage.ConnectionString;
        Catalog = new CatalogReader(storage.Storage);
        _logger = logger;

        // Whatever the host does (serve, run, drop), runs stuck past their bound are failed: at start, then periodically.
        StuckRuns = new StuckRunDetector(engine, products, stuckRunAfter, logger);
        _detector = StuckRuns.RunAsync(_stopDetector.Token);
    }

    public MeshStorage Storage { get; }

    /// <summary>
    /// Storage as <paramref name="domain"/>'s pipeline holds it: its own account's key and the read grants the current
    /// specs give it (<see cref="ProductReadGrants"/>), nothing for any other account (<see cref="LocalStorage.ForDomain"/>).
    /// </summary>
    public MeshStorage PipelineStorage(string domain) => _storage.ForDomain(domain, ProductReadGrants.UpstreamDomains(Products.All, domain));

    /// <summary>
    /// The announcement outbox of <paramref name="domain"/>: table <c>Outbox</c> in its own account, where its pipeline
    /// records each event before sending it (<see cref="PipelineRuntime.OutboxFor"/>) and its relay finds what was left.
    /// </summary>
    public AnnouncementOutbox Outbox(string domain) => new(_storage.ForDomain(domain, []));

    /// <summary>
    /// The runtime the durable worker runs every pipeline activity with: each domain's pipeline reaches storage only
    /// through <see cref="PipelineRuntime.StorageFor"/> (<see cref="PipelineStorage"/>: its account, its outbox, its
    /// grants); its host-wide <see cref="PipelineRuntime.Storage"/> holds no credential, the hub's included. The task hub
    /// is the engine's own (the hub's connection string, held by this host, never by an activity).
    /// </summary>
    public PipelineRuntime Runtime => _runtime ?? throw new InvalidOperationException("The mesh is not started.");

    public ProductRegistry Products { get; }

    /// <summary>The hub's storage account and every product domain's, as storage tools reach them (<see cref="LocalStorage.Accounts"/>).</summary>
    public IReadOnlyList<MeshStorageAccount> StorageAccounts => _storage.Accounts(Products.All.Select(p => p.Domain));

    /// <summary>Where this mesh announces product events: the local Event Grid topic, through <c>EventGridPublisherClient</c>.</summary>
    public IProductEventPublisher Events { get; }

    /// <summary>The mesh's local Event Grid topics, one per domain (their subscriptions deliver to the catalog and trigger queues).</summary>
    public LocalDomainTopics EventTopic { get; }

    public CatalogReader Catalog { get; }

    /// <summary>Fails runs stuck past <see cref="LocalMeshOptions.StuckRunAfter"/> (runs in the background; a pass on demand for tests).</summary>
    public StuckRunDetector StuckRuns { get; }

    public string ConnectionString { get; }

    /// <summary>Starts the mesh: storage, containers, catalog tables, product registrations and the durable worker.</summary>
    public static async Task<LocalMesh> StartAsync(LocalMeshOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var logger = options.LoggerFactory.CreateLogger<LocalMesh>();
        var folderPrint = SpecFolderPrint(options);
        var (products, policies) = LoadSpecs(options);
        var stateDirectory = options.ResolveStateDirectory();
        Directory.CreateDirectory(stateDirectory);
        var local = await LocalStorage.OpenAsync(options, cancellationToken).ConfigureAwait(false);
        LocalDomainTopics? topic = null;
        // Without a host's meter factory the mesh has its own, so its meters end with it.
        var ownedMeters = options.MeterFactory is null ? new ServiceCollection().AddMetrics().BuildServiceProvider() : null;
        try
        {
            var storage = local.Storage;
            foreach (var domain in products.All.Select(p => p.Domain).Distinct(StringComparer.Ordinal))
            {
                await storage.EnsureDomainAsync(domain, cancellationToken).ConfigureAwait(false);
            }

            await storage.Queue(MeshStorage.CatalogEventsQueue).CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            await storage.Queue(MeshStorage.PipelineTriggersQueue).CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            // Every domain's storage is this Azurite: an announced release is recorded only once its manifest is found.
            var projection = new CatalogProjection(
                storage, releases: new DataMesh.Publishing.AnnouncedReleaseCheck(storage), domains: LocalDomainRegistry.For(products, storage), logger: options.LoggerFactory.CreateLogger<CatalogProjection>());
            await projection.RegisterProductsAsync(ProductRegistration.FromSpecs(products.All, products.All), cancellationToken).ConfigureAwait(false);

            var pipelineOptions = options.Pipeline;
            // A masking key per domain (hash masking derives per-product keys from it): a domain's products never hash
            // with another domain's secret, even in one local mesh.
            var maskingKeys = Path.Combine(stateDirectory, MaskingKeysFolder);
            Directory.CreateDirectory(maskingKeys);
            foreach (var domain in products.All.Select(p => p.Domain).Distinct(StringComparer.Ordinal))
            {
                if (!pipelineOptions.MaskingKeys.ContainsKey(domain))
                {
                    pipelineOptions.MaskingKeys[domain] = StateSecret(maskingKeys, domain);
                }
            }

            if (pipelineOptions.WorkDirectory == new PipelineOptions().WorkDirectory)
            {
                pipelineOptions.WorkDirectory = Path.Combine(stateDirectory, "runs");
            }

            // Events go the way they go in Azure: EventGridPublisherClient -> the domain's own topic (its own key) ->
            // subscriptions -> queues; a domain's topic refuses events about another domain's products.
            var topicKeys = Path.Combine(stateDirectory, EventTopicKeysFolder);
            Directory.CreateDirectory(topicKeys);
            topic = await LocalDomainTopics.StartAsync(
                products.All.Select(p => p.Domain), domain => StateSecret(topicKeys, domain), MeshTopicSubscriptions.For(products, storage), options.LoggerFactory, cancellationToken).ConfigureAwait(false);
            var events = topic.PublisherPerDomain();
            // The runtime holds no key at all (not the hub's, not a domain's): each domain's pipeline gets its own below,
            // with its outbox in its own account. The task hub stays the host's (one engine runs every domain's runs).
            var runtime = new PipelineRuntime(local.PipelineHub(), products, events, pipelineOptions, options.LoggerFactory, policies: policies)
            {
                Metrics = new DataMesh.Telemetry.PipelineMetrics(options.MeterFactory ?? ownedMeters!.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>()),
                // Each domain's pipeline holds its own account's key and the read grants the specs give it now.
                DomainStorage = domain => local.ForDomain(domain, ProductReadGrants.UpstreamDomains(products.All, domain)),
                OpenLineage = options.OpenLineageEndpoint is { } endpoint
                    ? new DataMesh.Lineage.OpenLineageTransport(LineageHttp, endpoint, options.LoggerFactory.CreateLogger<DataMesh.Lineage.OpenLineageTransport>())
                    : null,
            };
            var relays = Relays(local, topic, events, options.LoggerFactory);

            // Announcements a previous process left unsent (every attempt failed, or it died in between) go out now.
            await RelayAsync(relays, options.OutboxGracePeriod, cancellationToken).ConfigureAwait(false);
            var engine = await LocalDurableEngine.StartAsync(local.ConnectionString, options.ResolveTaskHub(), runtime, options.TakeOverAfter, cancellationToken).ConfigureAwait(false);
            var mesh = new LocalMesh(local, products, engine, projection, logger, events, topic, relays, options.OutboxGracePeriod, options.StuckRunAfter)
            {
                _lineage = runtime.OpenLineage,
                _runtime = runtime,
                _ownedMeters = ownedMeters,
                _retentionGracePeriod = options.RetentionGracePeriod,
                _options = options,
                _stateDirectory = stateDirectory,
                _specPrints = SpecPrints(products, options),
                _loadedFolderPrint = folderPrint,
            };
            mesh.CancelRunsOn(options.Interrupt, options.InterruptedBy, options.CancelWithin);
            return mesh;
        }
        catch
        {
            if (topic is not null)
            {
                await topic.DisposeAsync().ConfigureAwait(false);
            }

            await local.DisposeAsync().ConfigureAwait(false);
            if (ownedMeters is not null)
            {
                await ownedMeters.DisposeAsync().ConfigureAwait(false);
            }

            throw;
        }
    }

    /// <summary>
    /// The mesh's specs as a start loads them, with the same checks: every product under <c>pipelines/</c> (and the extra
    /// product folders), the checks across products, and <c>pipelines/mesh.yaml</c> (the built-in baseline without one).
    /// Throws <see cref="SpecValidationException"/> with every problem found.
    /// </summary>
    private static (ProductRegistry Products, MeshPolicies? Policies) LoadSpecs(LocalMeshOptions options)
    {
        var products = options.LoadPipelinesFolder
            ? ProductRegistry.LoadFrom(Path.Combine(options.RootDirectory, "pipelines"))
            : new ProductRegistry();
        foreach (var directory in options.ExtraProductDirectories)
        {
            products.Add(ProductSpecLoader.Load(directory));
        }

        if (options.LoadPipelinesFolder && options.ExtraProductDirectories.Count > 0)
        {
            // A product folder given besides pipelines/ must not claim another product's landing files either.
            MeshSpecChecks.ThrowIfInvalid(products.All);
        }

        var meshFile = MeshFile(options);
        // A mesh without mesh.yaml is held to the built-in baseline, never to nothing.
        var policies = options.Policies is { } given ? given : !options.LoadPipelinesFolder ? null : File.Exists(meshFile) ? MeshPoliciesLoader.Load(meshFile) : MeshPolicies.Baseline;
        return (products, policies);
    }

    private static string MeshFile(LocalMeshOptions options) => Path.Combine(options.RootDirectory, "pipelines", MeshPoliciesLoader.MeshFileName);

    /// <summary>
    /// As each domain app's timer in Azure: a relay per domain, holding that domain's account key and topic key only, so an
    /// event left in a domain's outbox goes out on that domain's topic or not at all. One account for the whole mesh
    /// (DATAMESH_STORAGE) has one outbox, sent with the key of the domain each event names.
    /// </summary>
    private static IReadOnlyList<OutboxRelay> Relays(LocalStorage local, LocalDomainTopics topic, IProductEventPublisher events, ILoggerFactory loggerFactory) =>
        local.AccountPerDomain
            ? [.. topic.Domains.Order(StringComparer.Ordinal).Select(d => new OutboxRelay(new AnnouncementOutbox(local.ForDomain(d, [])), topic.PublisherFor(d), loggerFactory.CreateLogger<OutboxRelay>()))]
            : [new OutboxRelay(new AnnouncementOutbox(local.Storage), events, loggerFactory.CreateLogger<OutboxRelay>())];

    /// <summary>
    /// Uploads <paramref name="files"/> into the product's landing path, runs its pipeline, waits for the outcome and
    /// for the catalog to record it.
    /// </summary>
    public async Task<PipelineResult> RunAsync(string productId, IReadOnlyList<string> files, TimeSpan? timeout = null, CancellationToken cancellationToken = default, IProgress<RunProgress>? progress = null)
    {
        var spec = Products.Get(productId);
        var blobs = new List<string>();
        foreach (var file in files)
        {
            blobs.Add(await UploadToLandingAsync(spec, file, cancellationToken).ConfigureAwait(false));
        }

        var request = new PipelineRequest { RunId = NewRunId(spec), ProductId = spec.Id, LandingBlobs = blobs, Trigger = "cli" };
        return await RunAsync(request, timeout, cancellationToken, progress).ConfigureAwait(false);
    }

    /// <summary>
    /// Backfills <paramref name="productId"/>: one run over its archived inputs in <paramref name="range"/>
    /// (<see cref="BackfillPlanner"/>), into one new release; the plan's problem, and no run, when nothing is in range.
    /// </summary>
    public async Task<(BackfillPlan Plan, PipelineResult? Result)> BackfillAsync(string productId, BackfillRange range, TimeSpan? timeout = null, CancellationToken cancellationToken = default, IProgress<RunProgress>? progress = null)
    {
        var plan = await BackfillPlanner.PlanAsync(Storage, Products.Get(productId), range, cancellationToken: cancellationToken).ConfigureAwait(false);
        return plan.Request is { } request ? (plan, await RunAsync(request, timeout, cancellationToken, progress).ConfigureAwait(false)) : (plan, null);
    }

    /// <summary>Runs one pipeline request (duplicates of a run id collapse into the first) and waits for its outcome.</summary>
    public async Task<PipelineResult> RunAsync(PipelineRequest request, TimeSpan? timeout = null, CancellationToken cancellationToken = default, IProgress<RunProgress>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        _startedRuns.TryAdd(request.RunId, 0);
        await _engine.ScheduleAsync(request, cancellationToken).ConfigureAwait(false);
        PipelineResult result;
        try
        {
            result = await _engine.WaitAsync(request.RunId, timeout ?? TimeSpan.FromMinutes(10), cancellationToken, progress).ConfigureAwait(false);
        }
        catch (InvalidOperationException)
        {
            // Cancelled by someone else (`datamesh runs cancel` from another process): this mesh's worker is the one that
            // runs the cancellation's announcement and clean-up, so it finishes them before it stops.
            var cancelled = await FinishCancelledElsewhereAsync(request.RunId, cancellationToken).ConfigureAwait(false);
            if (cancelled is null)
            {
                throw;
            }

            result = cancelled;
        }

        _startedRuns.TryRemove(request.RunId, out _);
        await ProcessCatalogEventsAsync(cancellationToken).ConfigureAwait(false);
        await ProcessTriggersAsync(cancellationToken).ConfigureAwait(false);
        return result;
    }

    /// <summary>
    /// Handles the queued pipeline triggers (the local stand-in for the queue-triggered function): upstream product
    /// events start the runs of their consumers, blob arrivals start the runs of their products. Returns the runs started.
    /// </summary>
    public async Task<IReadOnlyList<string>> ProcessTriggersAsync(CancellationToken cancellationToken = default)
    {
        var queue = Storage.Queue(MeshStorage.PipelineTriggersQueue);
        var router = new PipelineTriggerRouter(Products, Storage);
        var started = new List<string>();
        while (true)
        {
            var messages = (await queue.ReceiveMessagesAsync(32, TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false)).Value;
            if (messages.Length == 0)
            {
                return started;
            }

            foreach (var message in messages)
            {
                try
                {
                    await HandleTriggerAsync(queue, router, message, started, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    // One trigger that fails (storage unreachable, a container gone) must not hold up the others nor
                    // stop the host: it stays queued, hidden for a back-off that doubles with each attempt, and after
                    // MaxCatalogEventAttempts it is poisoned with the reason, as the Functions host does.
                    await BackOffTriggerAsync(queue, message, ex, cancellationToken).ConfigureAwait(false);
                }
            }
        }
    }

    private async Task BackOffTriggerAsync(QueueClient queue, QueueMessage message, Exception failure, CancellationToken cancellationToken)
    {
        try
        {
            if (message.DequeueCount < MaxCatalogEventAttempts)
            {
                var backOff = TimeSpan.FromSeconds(Math.Min(300, 5 << (int)Math.Min(message.DequeueCount - 1, 6)));
                LogTriggerRetried(_logger, message.MessageId, message.DequeueCount, backOff.TotalSeconds, failure.Message);
                await queue.UpdateMessageAsync(message.MessageId, message.PopReceipt, visibilityTimeout: backOff, cancellationToken: cancellationToken).ConfigureAwait(false);
                return;
            }

            var reason = $"Failed {message.DequeueCount} times; last error: {failure.GetType().Name}: {failure.Message}";
            var poison = Storage.Queue(MeshStorage.PipelineTriggersQueue + "-poison");
            await poison.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            await poison.SendMessageAsync(message.Body, cancellationToken: cancellationToken).ConfigureAwait(false);
            await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, cancellationToken).ConfigureAwait(false);
            LogEventRejected(_logger, message.MessageId, reason);
        }
        catch (Azure.RequestFailedException ex)
        {
            // Storage still failing: the message comes back after its receive's visibility timeout anyway.
            LogServeProblem(_logger, ex.Message);
        }
    }

    private async Task HandleTriggerAsync(QueueClient queue, PipelineTriggerRouter router, QueueMessage message, List<string> started, CancellationToken cancellationToken)
    {
        var body = message.Body.ToString();
        IReadOnlyList<TriggerRoute> routes;
        try
        {
            routes = await router.RouteAsync(body, cancellationToken).ConfigureAwait(false);
        }
        catch (FormatException ex)
        {
            // As the Functions host would after its retries: keep the message, out of the way, with the reason logged.
            LogEventRejected(_logger, message.MessageId, ex.Message);
            var poison = Storage.Queue(MeshStorage.PipelineTriggersQueue + "-poison");
            await poison.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            await poison.SendMessageAsync(message.Body, cancellationToken: cancellationToken).ConfigureAwait(false);
            routes = [];
        }

        foreach (var route in routes)
        {
            if (route.Request is not { } request)
            {
                LogTriggerDropped(_logger, route.Reason);
            }
            else if (await _engine.ScheduleAsync(request, cancellationToken).ConfigureAwait(false))
            {
                _startedRuns.TryAdd(request.RunId, 0);
                _triggeredRuns.TryAdd(request.RunId, 0);
                started.Add(request.RunId);
                LogTrigger(_logger, request.RunId, route.Reason);
            }
            else
            {
                LogTriggerDuplicate(_logger, request.RunId);
            }
        }

        await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Waits until every run started by triggers (downstream rebuilds included, however deep) has ended, and returns
    /// their results.
    /// </summary>
    public async Task<IReadOnlyList<PipelineResult>> SettleAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default, IProgress<RunProgress>? progress = null)
    {
        var results = new List<PipelineResult>();
        await ProcessTriggersAsync(cancellationToken).ConfigureAwait(false);
        while (!_triggeredRuns.IsEmpty)
        {
            foreach (var runId in _triggeredRuns.Keys.Order(StringComparer.Ordinal).ToList())
            {
                var followed = progress is null ? null : new RunProgressForRun(progress, runId);
                results.Add(await _engine.WaitAsync(runId, timeout ?? TimeSpan.FromMinutes(10), cancellationToken, followed).ConfigureAwait(false));
                Ended(runId);
            }

            await ProcessCatalogEventsAsync(cancellationToken).ConfigureAwait(false);
            await ProcessTriggersAsync(cancellationToken).ConfigureAwait(false);
        }

        return results;
    }

    /// <summary>
    /// Cancels every run this mesh started that has not ended (<see cref="RunCancellation"/>): terminates each, waits
    /// for the termination to take effect, runs its announced failure (<c>PipelineRunFailed</c>, reason <c>cancelled</c>;
    /// workspace cleaned, landing input kept) and records it in the catalog. The worker is then stopped without waiting
    /// for the work it was doing (a stage of a terminated run whose result nobody reads). Returns the runs cancelled.
    /// </summary>
    /// <param name="by">Who cancelled (kept in each run's error, e.g. "Ctrl+C in datamesh run").</param>
    /// <param name="cancellationToken">Bounds the whole cancellation: what is not done by then is finished by the next host's detector.</param>
    public Task<IReadOnlyList<string>> CancelStartedRunsAsync(string by, CancellationToken cancellationToken = default) =>
        CancelRunsAsync(_startedRuns.Keys.ToList(), by, cancellationToken);

    /// <summary>The runs this mesh scheduled and has not yet seen end: what <see cref="CancelStartedRunsAsync"/> cancels.</summary>
    public IReadOnlyCollection<string> UnfinishedRuns => _startedRuns.Keys.ToList();

    /// <summary>The runs cancelled on <see cref="LocalMeshOptions.Interrupt"/> (empty until it fired and the cancellation ended).</summary>
    public IReadOnlyList<string> InterruptedRuns { get; private set; } = [];

    private void CancelRunsOn(CancellationToken interrupt, string by, TimeSpan within)
    {
        (_interrupt, _interruptedBy, _cancelWithin) = (interrupt, by, within);
        _interruptRegistration = interrupt.Register(() => Interruption());
    }

    /// <summary>The cancellation started by the interrupt: started once, by whichever comes first (the interrupt's callback or the disposal).</summary>
    private Task Interruption()
    {
        var started = new Lazy<Task>(() => Task.Run(CancelOnInterruptAsync));
        return (Interlocked.CompareExchange(ref _interruption, started, null) ?? started).Value;
    }

    private async Task CancelOnInterruptAsync()
    {
        using var bound = new CancellationTokenSource(_cancelWithin);
        try
        {
            InterruptedRuns = await CancelStartedRunsAsync(_interruptedBy, bound.Token).ConfigureAwait(false);
            foreach (var runId in InterruptedRuns.Where(r => !_cancelledTooLate.ContainsKey(r)))
            {
                LogRunCancelled(_logger, runId, _interruptedBy);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or Azure.RequestFailedException or IOException or TimeoutException or HttpRequestException or InvalidOperationException or AggregateException)
        {
            // Storage gone or too slow: the process must still exit; a run terminated but not yet announced is
            // announced by the next host's stuck-run detector.
            LogCancelIncomplete(_logger, _cancelWithin.TotalSeconds, ex.Message);
        }
    }

    /// <summary>Cancels the given runs of this mesh's task hub (see <see cref="CancelStartedRunsAsync"/>); returns those cancelled now.</summary>
    public async Task<IReadOnlyList<string>> CancelRunsAsync(IReadOnlyList<string> runIds, string by, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runIds);
        _engine.StopWithoutWaiting();
        var client = new LocalDurableTaskClient(_engine);

        // Every run at once (demo and bench start several): the time to cancel them all is that of the slowest, not the sum.
        var terminated = await Task.WhenAll(runIds.Distinct(StringComparer.Ordinal).Select(async runId =>
        {
            if (await RunCancellation.CancelAsync(client, runId, by, cancellationToken).ConfigureAwait(false) != RunCancellationOutcome.Terminated)
            {
                return null;
            }

            // The stage running now would go on for as long as it takes (its result discarded): stop it, freeing the
            // machine for the announcement and clean-up. After the termination, never before: a stage stopped first ends
            // in an error the orchestration could act on (retry, fail, quarantine) before it reads the termination.
            _runtime?.CancelInProcess(runId);
            return runId;
        })).ConfigureAwait(false);
        var cancelled = terminated.OfType<string>().ToList();

        var sweep = new StuckRunSweep(client, Products, TimeSpan.FromDays(1), _logger);
        await Task.WhenAll(cancelled.Select(async runId =>
        {
            // A termination takes effect when the run's control queue is next read: wait for it, then announce at once.
            var ended = await client.WaitForInstanceCompletionAsync(runId, getInputsAndOutputs: false, cancellationToken).ConfigureAwait(false);
            if (ended.RuntimeStatus == Microsoft.DurableTask.Client.OrchestrationRuntimeStatus.Terminated
                && await sweep.FinishTerminatedAsync(runId, cancellationToken).ConfigureAwait(false) is { } failure
                && (await client.WaitForInstanceCompletionAsync(failure, getInputsAndOutputs: true, cancellationToken).ConfigureAwait(false)).ReadOutputAs<PipelineResult>() is { Status: PipelineStatus.Published } late)
            {
                // Its publish had decided before the termination: the release stands and was announced (StuckRunFailure).
                _cancelledTooLate[runId] = late.Release ?? 0;
                LogCancelledTooLate(_logger, runId, late.Release ?? 0);
            }
        })).ConfigureAwait(false);

        await ProcessCatalogEventsAsync(cancellationToken).ConfigureAwait(false);
        foreach (var runId in cancelled)
        {
            Ended(runId);
        }

        return cancelled;
    }

    /// <summary>
    /// A run this mesh started that another process cancelled (its instance terminated with a cancellation reason): stops
    /// its stages running here, runs its announced failure (<see cref="StuckRunFailure"/>: announcement and clean-up,
    /// scheduled by the canceller or now) on this mesh's worker, and returns that failure; null for any other end.
    /// </summary>
    private async Task<PipelineResult?> FinishCancelledElsewhereAsync(string runId, CancellationToken cancellationToken)
    {
        var client = new LocalDurableTaskClient(_engine);
        var run = await client.GetInstanceAsync(runId, getInputsAndOutputs: true, cancellationToken).ConfigureAwait(false);
        if (run is not { RuntimeStatus: Microsoft.DurableTask.Client.OrchestrationRuntimeStatus.Terminated, SerializedOutput: { } output } || !RunCancellation.IsCancellation(output))
        {
            return null;
        }

        _runtime?.CancelInProcess(runId);
        var sweep = new StuckRunSweep(client, Products, StuckRunSweep.DefaultBound, _logger);
        if (await sweep.FinishTerminatedAsync(runId, cancellationToken).ConfigureAwait(false) is not { } failure)
        {
            return null;
        }

        var ended = await client.WaitForInstanceCompletionAsync(failure, getInputsAndOutputs: true, cancellationToken).ConfigureAwait(false);
        return ended.ReadOutputAs<PipelineResult>();
    }

    /// <summary>Forgets a run this mesh saw end: a long-running <c>up</c> keeps only the runs still going.</summary>
    private void Ended(string runId)
    {
        _triggeredRuns.TryRemove(runId, out _);
        _startedRuns.TryRemove(runId, out _);
    }

    /// <summary>
    /// <c>datamesh runs cancel</c>: cancels run <paramref name="runId"/> of the local mesh <paramref name="options"/>
    /// names, which another process (<c>datamesh up</c>) executes. Terminates it through a client on the mesh's task hub
    /// (no second worker); once the serving worker applied the termination (within <paramref name="announceWithin"/>),
    /// starts its announced failure (reason <c>cancelled</c>), which that worker runs and records in the catalog. Returns
    /// what was found, whether the failure was started and finished (else the serving host's stuck-run detector starts
    /// it), and the release the run committed when its publish had decided before the termination (its release stands).
    /// </summary>
    public static async Task<(RunCancellationOutcome Outcome, bool Announced, int? CommittedRelease)> CancelRunAsync(
        LocalMeshOptions options, string runId, string by, TimeSpan announceWithin, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var products = options.LoadPipelinesFolder ? ProductRegistry.LoadFrom(Path.Combine(options.RootDirectory, "pipelines")) : new ProductRegistry();
        await using var storage = await LocalStorage.OpenAsync(options, cancellationToken).ConfigureAwait(false);
        await using var engine = await LocalDurableEngine.ConnectAsync(storage.ConnectionString, options.ResolveTaskHub(), options.LoggerFactory, cancellationToken).ConfigureAwait(false);
        var client = new LocalDurableTaskClient(engine);
        var outcome = await RunCancellation.CancelAsync(client, runId, by, cancellationToken).ConfigureAwait(false);
        if (outcome != RunCancellationOutcome.Terminated)
        {
            return (outcome, false, null);
        }

        var sweep = new StuckRunSweep(client, products, StuckRunSweep.DefaultBound, options.LoggerFactory.CreateLogger<StuckRunSweep>());
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        wait.CancelAfter(announceWithin);
        try
        {
            var ended = await client.WaitForInstanceCompletionAsync(runId, getInputsAndOutputs: false, wait.Token).ConfigureAwait(false);
            if (ended.RuntimeStatus == Microsoft.DurableTask.Client.OrchestrationRuntimeStatus.Terminated
                && await sweep.FinishTerminatedAsync(runId, wait.Token).ConfigureAwait(false) is { } failure)
            {
                var settled = (await client.WaitForInstanceCompletionAsync(failure, getInputsAndOutputs: true, wait.Token).ConfigureAwait(false)).ReadOutputAs<PipelineResult>();
                return (outcome, true, settled is { Status: PipelineStatus.Published } ? settled.Release : null);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // No worker applied it in time (no `up` serving the mesh): the next host's detector announces it.
        }

        return (outcome, false, null);
    }

    /// <summary>Uploads a local file to the product's landing path (the name is the file's name) and returns the blob name.</summary>
    public async Task<string> UploadToLandingAsync(ProductSpec spec, string file, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var landing = spec.Inputs.FirstOrDefault(i => i.IsLanding)?.Landing
            ?? throw new InvalidOperationException($"{spec.Id} has no landing input to drop files into.");
        var blobName = landing.Path + Path.GetFileName(file);
        await using var stream = File.OpenRead(file);
        // In bounded blocks: a large landing file must not leave the process holding memory in proportion to it.
        await Storage.Landing(spec.Domain).GetBlobClient(blobName).UploadAsync(stream, BlobUploads.Overwrite(), cancellationToken).ConfigureAwait(false);
        return blobName;
    }

    /// <summary>
    /// Drops files into the product's landing path the way any storage client would, and announces each arrival on
    /// <c>pipeline-triggers</c> as Event Grid would; <see cref="SettleAsync"/> then runs everything they trigger.
    /// </summary>
    public async Task<IReadOnlyList<string>> DropAsync(string productId, IReadOnlyList<string> files, CancellationToken cancellationToken = default)
    {
        var spec = Products.Get(productId);
        var blobs = new List<string>();
        foreach (var file in files)
        {
            var blobName = await UploadToLandingAsync(spec, file, cancellationToken).ConfigureAwait(false);
            await LandingNotifier.NotifyAsync(Storage, Storage.Landing(spec.Domain).GetBlobClient(blobName), cancellationToken).ConfigureAwait(false);
            blobs.Add(blobName);
        }

        return blobs;
    }

    /// <summary>
    /// Serves the mesh until <paramref name="cancellationToken"/> fires (<c>datamesh up</c>): watches every landing
    /// container (any tool may drop files there; Azurite emits no events, so arrivals are announced as Event Grid
    /// would), routes triggers, projects catalog events, checks freshness every minute, and applies retention and compaction every 5 minutes. Arrivals seen before a
    /// restart are announced again and collapse into their earlier runs (run ids come from the blob's account, container,
    /// name and ETag, never its URL, whose port is new at each start).
    /// </summary>
    /// <param name="cancellationToken">Stops serving.</param>
    /// <param name="specsReloaded">
    /// When given (<c>datamesh up</c>), <c>pipelines/</c> is watched: once an edit has settled (the folder unchanged over
    /// one pass of the loop, at least a second: an editor writes a file in several steps), the specs are reloaded
    /// (<see cref="ReloadSpecsAsync"/>) and what the reload did is reported here.
    /// </param>
    public async Task ServeAsync(CancellationToken cancellationToken, Action<SpecReload>? specsReloaded = null)
    {
        // From the folder as the start loaded it: an edit made while the mesh was starting is reloaded too.
        var watched = _loadedFolderPrint;
        string? settling = null;
        var seen = new HashSet<(string, string)>();
        var unlistable = new HashSet<string>(StringComparer.Ordinal);
        var nextFreshness = DateTimeOffset.MinValue;
        var nextOutboxSweep = DateTimeOffset.MinValue;
        var nextReleaseMaintenance = DateTimeOffset.UtcNow + ReleaseMaintenanceInterval;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                if (specsReloaded is not null && SpecFolderPrint(_options) is var now && now != watched)
                {
                    // Polled rather than watched (FileSystemWatcher): inotify's per-user limits, network and container
                    // mounts, and the several events of one save make polling a few small files the sturdier choice.
                    if (now == settling)
                    {
                        var reload = await ReloadSpecsAsync(cancellationToken).ConfigureAwait(false);
                        (watched, settling) = (now, null);
                        specsReloaded(reload);
                    }
                    else
                    {
                        settling = now;
                    }
                }

                foreach (var (domain, path) in LandingPaths())
                {
                    await WatchLandingAsync(Storage.Landing(domain), path, seen, unlistable, cancellationToken).ConfigureAwait(false);
                }

                await ProcessTriggersAsync(cancellationToken).ConfigureAwait(false);
                await ProcessCatalogEventsAsync(cancellationToken).ConfigureAwait(false);
                foreach (var runId in _triggeredRuns.Keys.ToList())
                {
                    try
                    {
                        if (await _engine.TryGetResultAsync(runId).ConfigureAwait(false) is { } result)
                        {
                            Ended(runId);
                            LogRunEnded(_logger, result.Product, result.RunId, result.Status, result.Error ?? $"release {result.Release}, {result.Rows} rows");
                        }
                    }
                    catch (InvalidOperationException ex)
                    {
                        Ended(runId);
                        LogServeProblem(_logger, ex.Message);
                    }
                }

                if (DateTimeOffset.UtcNow >= nextFreshness)
                {
                    await new FreshnessMonitor(Products, Storage, Events, metrics: _runtime?.Metrics).CheckAsync(cancellationToken).ConfigureAwait(false);
                    nextFreshness = DateTimeOffset.UtcNow.AddMinutes(1);
                }

                if (DateTimeOffset.UtcNow >= nextOutboxSweep)
                {
                    await RelayAsync(_relays, _outboxGracePeriod, cancellationToken).ConfigureAwait(false);
                    nextOutboxSweep = DateTimeOffset.UtcNow + OutboxSweepInterval;
                }

                if (DateTimeOffset.UtcNow >= nextReleaseMaintenance)
                {
                    await MaintainReleasesAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
                    nextReleaseMaintenance = DateTimeOffset.UtcNow + ReleaseMaintenanceInterval;
                }

                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is Azure.RequestFailedException or IOException or TimeoutException or HttpRequestException or AggregateException)
            {
                // Storage hiccup (the SDK's own retries spent, or the connection refused): a server keeps serving; the
                // next pass retries what this one could not do.
                LogServeProblem(_logger, ex.Message);
                await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Every landing path of the mesh's products, per domain (a nested path is listed with the path holding it too).</summary>
    private IEnumerable<(string Domain, string Path)> LandingPaths() =>
        Products.All
            .SelectMany(p => p.Inputs.Where(i => i.IsLanding).Select(i => (p.Domain, i.Landing!.Path)))
            .Distinct()
            .OrderBy(l => l.Domain, StringComparer.Ordinal)
            .ThenBy(l => l.Path, StringComparer.Ordinal);

    /// <summary>
    /// Announces the blobs under one landing path not announced before (by name and ETag), page by page. A page the
    /// storage cannot list (Azurite answers 500 for a page holding a name with a control character, and its empty error
    /// body then fails the SDK's XML reader) is listed again one blob at a time, so every blob before the unlistable one
    /// is announced; the rest of the path is reported once and skipped, and the host keeps serving every other path.
    /// </summary>
    private async Task WatchLandingAsync(
        Azure.Storage.Blobs.BlobContainerClient landing, string path, HashSet<(string, string)> seen, HashSet<string> unlistable, CancellationToken cancellationToken)
    {
        string? after = null;
        string? continuation = null;
        try
        {
            try
            {
                await ListAsync(pageSize: 500).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is Azure.RequestFailedException or System.Xml.XmlException && !cancellationToken.IsCancellationRequested)
            {
                // One blob at a time from the last good page: every blob before the one that cannot be listed is seen.
                await ListAsync(pageSize: 1).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is Azure.RequestFailedException or System.Xml.XmlException && !cancellationToken.IsCancellationRequested)
        {
            var where = $"{landing.Name}/{path}";
            if (unlistable.Add(where + "\n" + after))
            {
                LogLandingUnlistable(_logger, where, after is null ? "its first blob" : $"'{LandingBlobNames.Printable(after)}'", ex.Message.Split('\n')[0]);
            }
        }

        async Task ListAsync(int pageSize)
        {
            var pages = landing.GetBlobsAsync(Azure.Storage.Blobs.Models.BlobTraits.None, Azure.Storage.Blobs.Models.BlobStates.None, path, cancellationToken)
                .AsPages(continuation, pageSize);
            await foreach (var page in pages.ConfigureAwait(false))
            {
                foreach (var blob in page.Values)
                {
                    after = blob.Name;
                    if (seen.Add((landing.Name + "/" + blob.Name, blob.Properties.ETag?.ToString() ?? "")))
                    {
                        await LandingNotifier.NotifyAsync(Storage, landing.GetBlobClient(blob.Name), cancellationToken).ConfigureAwait(false);
                    }
                }

                continuation = page.ContinuationToken;
            }
        }
    }

    /// <summary>Runs the freshness check once (a timer in Azure) and records what it announced in the catalog.</summary>
    public async Task<IReadOnlyList<FreshnessBreachedData>> CheckFreshnessAsync(TimeProvider? time = null, CancellationToken cancellationToken = default)
    {
        var breaches = await new FreshnessMonitor(Products, Storage, Events, time, _runtime?.Metrics).CheckAsync(cancellationToken).ConfigureAwait(false);
        await ProcessCatalogEventsAsync(cancellationToken).ConfigureAwait(false);
        await ProcessTriggersAsync(cancellationToken).ConfigureAwait(false);
        return breaches;
    }

    /// <summary>
    /// Sends the announcements still pending in each domain's outbox (older than <paramref name="gracePeriod"/>, default
    /// <see cref="LocalMeshOptions.OutboxGracePeriod"/>; a timer in each domain app in Azure) on that domain's topic, then
    /// records and routes what they delivered. Returns the sums over the domains.
    /// </summary>
    public async Task<OutboxRelayResult> RelayOutboxAsync(TimeSpan? gracePeriod = null, CancellationToken cancellationToken = default)
    {
        var result = await RelayAsync(_relays, gracePeriod ?? _outboxGracePeriod, cancellationToken).ConfigureAwait(false);
        await ProcessCatalogEventsAsync(cancellationToken).ConfigureAwait(false);
        await ProcessTriggersAsync(cancellationToken).ConfigureAwait(false);
        return result;
    }

    private static async Task<OutboxRelayResult> RelayAsync(IReadOnlyList<OutboxRelay> relays, TimeSpan gracePeriod, CancellationToken cancellationToken)
    {
        var (sent, failed) = (0, 0);
        foreach (var relay in relays)
        {
            var result = await relay.RelayAsync(gracePeriod, cancellationToken).ConfigureAwait(false);
            (sent, failed) = (sent + result.Sent, failed + result.Failed);
        }

        return new OutboxRelayResult(sent, failed);
    }

    /// <summary>Applies every queued product event to the catalog (the local stand-in for the queue-triggered projection).</summary>
    public async Task<int> ProcessCatalogEventsAsync(CancellationToken cancellationToken = default)
    {
        var queue = Storage.Queue(MeshStorage.CatalogEventsQueue);
        var consumer = new CatalogEventConsumer(_projection, Storage.Queue(MeshStorage.CatalogEventsQueue + CatalogEventConsumer.PoisonSuffix));
        var processed = 0;
        while (true)
        {
            var messages = (await queue.ReceiveMessagesAsync(32, TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false)).Value;
            if (messages.Length == 0)
            {
                return processed;
            }

            foreach (var message in messages)
            {
                try
                {
                    if (await consumer.ConsumeAsync(message.Body.ToString(), message.MessageId, cancellationToken).ConfigureAwait(false) is { } reason)
                    {
                        LogEventRejected(_logger, message.MessageId, reason);
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // One event that fails must not hold up the others: it stays queued and comes back once its
                    // visibility timeout ends, and after MaxCatalogEventAttempts it is poisoned with the reason, as the
                    // Functions host does after its dequeue count.
                    if (message.DequeueCount < MaxCatalogEventAttempts)
                    {
                        LogEventRetried(_logger, message.MessageId, message.DequeueCount, ex.Message);
                        continue;
                    }

                    var reason = $"Failed {message.DequeueCount} times; last error: {ex.GetType().Name}: {ex.Message}";
                    await consumer.PoisonAsync(message.Body.ToString(), message.MessageId, reason, cancellationToken).ConfigureAwait(false);
                    LogEventRejected(_logger, message.MessageId, reason);
                }

                await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, cancellationToken).ConfigureAwait(false);
                processed++;
            }
        }
    }

    /// <summary>Files under a product's sample folder: those expected to publish, and those expected to be rejected.</summary>
    public static (IReadOnlyList<string> Publish, IReadOnlyList<string> Rejected) SampleFiles(ProductSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var samples = Path.Combine(spec.Directory, "samples");
        static IReadOnlyList<string> Files(string dir) =>
            Directory.Exists(dir) ? Directory.GetFiles(dir).Order(StringComparer.Ordinal).ToList() : [];
        return (Files(samples), Files(Path.Combine(samples, "rejected")));
    }

    /// <summary>
    /// The files of a product's next day (<c>samples/day-2/</c>): dropped by the demo once every first release is in,
    /// so it shows releases building on the ones before them and their consumers rebuilding.
    /// </summary>
    public static IReadOnlyList<string> NextDaySampleFiles(ProductSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var folder = Path.Combine(spec.Directory, "samples", "day-2");
        return Directory.Exists(folder) ? Directory.GetFiles(folder).Order(StringComparer.Ordinal).ToList() : [];
    }

    public async ValueTask DisposeAsync()
    {
        if (_interrupt.IsCancellationRequested)
        {
            // The runs are terminated, announced and recorded before the engine and storage they need go away.
            await Interruption().ConfigureAwait(false);
        }

        _interruptRegistration.Dispose();
        await _stopDetector.CancelAsync().ConfigureAwait(false);
        await _detector.ConfigureAwait(false);
        _stopDetector.Dispose();
        _reloading.Dispose();
        await _engine.DisposeAsync().ConfigureAwait(false);
        if (_lineage is not null)
        {
            await _lineage.DisposeAsync().ConfigureAwait(false);
        }

        await EventTopic.DisposeAsync().ConfigureAwait(false);
        await _storage.DisposeAsync().ConfigureAwait(false);
        if (_ownedMeters is not null)
        {
            await _ownedMeters.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>A secret of the mesh (masking salt, topic key): created once (random, owner-readable only) and kept with the mesh state.</summary>
    private static string StateSecret(string stateDirectory, string fileName)
    {
        var path = Path.Combine(stateDirectory, fileName);
        if (!File.Exists(path))
        {
            var salt = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
            var temp = path + "." + Environment.ProcessId;
            File.WriteAllText(temp, salt);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(temp, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }

            try
            {
                File.Move(temp, path, overwrite: false);
            }
            catch (IOException)
            {
                // Another process created it first: use theirs.
                File.Delete(temp);
            }
        }

        return File.ReadAllText(path).Trim();
    }

    private static string NewRunId(ProductSpec spec) =>
        $"{spec.Id}-{DateTime.UtcNow:yyyyMMddTHHmmssfff}-{Guid.NewGuid().ToString("N")[..8]}";

    // One client for the process's OpenLineage posts (HttpClient is meant to be shared).
    private static readonly HttpClient LineageHttp = new() { Timeout = TimeSpan.FromSeconds(10) };

    [LoggerMessage(EventId = 2006, Level = LogLevel.Warning, Message = "Landing {Where} cannot be listed past {After} (a blob name the storage cannot list, e.g. one holding a control character; blobs listed after it are not seen until it is removed): {Problem}")]
    private static partial void LogLandingUnlistable(ILogger logger, string where, string after, string problem);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Information, Message = "Trigger dropped: {Reason}")]
    private static partial void LogTriggerDropped(ILogger logger, string reason);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Debug, Message = "Trigger for run {RunId} collapsed into the existing run (duplicate delivery)")]
    private static partial void LogTriggerDuplicate(ILogger logger, string runId);

    [LoggerMessage(EventId = 2011, Level = LogLevel.Warning, Message = "Run {RunId} cancelled ({By}): nothing published, its landing input kept; recorded as Cancelled")]
    private static partial void LogRunCancelled(ILogger logger, string runId, string by);

    [LoggerMessage(EventId = 2013, Level = LogLevel.Warning, Message = "Run {RunId} was cancelled too late: its publish had already committed release {Release}, which stands; announced and recorded as Published")]
    private static partial void LogCancelledTooLate(ILogger logger, string runId, int release);

    [LoggerMessage(EventId = 2012, Level = LogLevel.Warning, Message = "Cancelling the runs did not finish within {Seconds} s ({Problem}); a run terminated but not yet announced is announced by the next host's stuck-run detector")]
    private static partial void LogCancelIncomplete(ILogger logger, double seconds, string problem);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Warning, Message = "Mesh: {Problem}")]
    private static partial void LogServeProblem(ILogger logger, string problem);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Information, Message = "Run {RunId} of {ProductId} ended {Status}: {Detail}")]
    private static partial void LogRunEnded(ILogger logger, string productId, string runId, PipelineStatus status, string detail);

    [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "Trigger → run {RunId}: {Reason}")]
    private static partial void LogTrigger(ILogger logger, string runId, string reason);

    /// <summary>Attempts at one catalog event before it is poisoned (the Functions host's default <c>maxDequeueCount</c>).</summary>
    private const int MaxCatalogEventAttempts = 5;

    [LoggerMessage(EventId = 2010, Level = LogLevel.Warning, Message = "Pipeline trigger {MessageId} failed (attempt {Attempt}); retried in {BackOffSeconds} s: {Reason}")]
    private static partial void LogTriggerRetried(ILogger logger, string messageId, long attempt, double backOffSeconds, string reason);

    [LoggerMessage(EventId = 2009, Level = LogLevel.Warning, Message = "Catalog event {MessageId} failed (attempt {Attempt}); it is retried after its visibility timeout: {Reason}")]
    private static partial void LogEventRetried(ILogger logger, string messageId, long attempt, string reason);

    [LoggerMessage(EventId = 2000, Level = LogLevel.Warning, Message = "Queue message {MessageId} moved to the poison queue: {Reason}")]
    private static partial void LogEventRejected(ILogger logger, string messageId, string reason);

    /// <summary>Tags a run's progress with its run id, for a client following several runs.</summary>
    private sealed class RunProgressForRun(IProgress<RunProgress> inner, string runId) : IProgress<RunProgress>
    {
        public void Report(RunProgress value) => inner.Report(value with { RunId = runId });
    }
}
