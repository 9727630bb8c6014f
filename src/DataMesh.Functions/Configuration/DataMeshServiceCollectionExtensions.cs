using Azure.Core;
using Azure.Data.Tables;
using Azure.Messaging.EventGrid;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using DataMesh.Catalog;
using DataMesh.Events;
using DataMesh.Governance;
using DataMesh.Pipeline;
using DataMesh.Publishing;
using DataMesh.Storage;
using DataMesh.Triggers;
using Microsoft.Extensions.Azure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DataMesh.Functions.Configuration;

/// <summary>Composes the app: validated settings, Azure clients (registered once), storage, products, pipeline and catalog.</summary>
internal static class DataMeshServiceCollectionExtensions
{
    /// <summary>Environment variable that names the user-assigned managed identity in Azure.</summary>
    public const string ClientIdSetting = "AZURE_CLIENT_ID";

    /// <summary>Environment variable in which App Service gives the app its default host name.</summary>
    public const string HostNameSetting = "WEBSITE_HOSTNAME";

    public static IServiceCollection AddDataMesh(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);

        // The worker host registers its configuration already; a container composed elsewhere (tests, tools) gets the one given.
        services.TryAddSingleton(configuration);
        services.AddOptions<DataMeshAppOptions>()
            .Bind(configuration.GetSection(DataMeshAppOptions.Section))
            .PostConfigure(o =>
            {
                o.ManagedIdentityClientId ??= configuration[ClientIdSetting];
                if (!o.IsHub && string.IsNullOrWhiteSpace(o.DataEndpoint))
                {
                    o.DataEndpoint = ReleaseDataEndpoint.FromHostName(configuration[HostNameSetting])?.AbsoluteUri;
                }
            })
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<DataMeshAppOptions>, DataMeshAppOptionsValidator>();
        // One credential for every Azure client of the app (AppCredential: the managed identity in Azure).
        services.AddSingleton(sp => AppCredential.For(Options(sp).ManagedIdentityClientId));

        services.AddAzureClients(clients =>
        {
            clients.UseCredential(Credential);
            clients.AddClient<BlobServiceClient, BlobClientOptions>((options, credential, sp) =>
                Options(sp).Storage is { UsesConnectionString: true } local
                    ? new BlobServiceClient(local.ConnectionString, options)
                    : new BlobServiceClient(Options(sp).Storage.BlobServiceUri, credential, options));
            clients.AddClient<QueueServiceClient, QueueClientOptions>((options, credential, sp) =>
            {
                // Bodies go out as written; readers accept raw and Base64 alike (CloudEventDelivery).
                options.MessageEncoding = QueueMessageEncoding.None;
                return Options(sp).Storage is { UsesConnectionString: true } local
                    ? new QueueServiceClient(local.ConnectionString, options)
                    : new QueueServiceClient(Options(sp).Storage.QueueServiceUri, credential, options);
            });
            clients.AddClient<TableServiceClient, TableClientOptions>((options, credential, sp) =>
                Options(sp).Storage is { UsesConnectionString: true } local
                    ? new TableServiceClient(local.ConnectionString, options)
                    : new TableServiceClient(Options(sp).Storage.TableServiceUri, credential, options));
            clients.AddClient<EventGridPublisherClient, EventGridPublisherClientOptions>((options, credential, sp) =>
                new EventGridPublisherClient(
                    Options(sp).Events.TopicEndpoint ?? throw new InvalidOperationException("DataMesh__Events__TopicEndpoint is not set."),
                    credential,
                    options));
        });

        services.AddSingleton(sp =>
        {
            var options = Options(sp);
            var storageOptions = new MeshStorageOptions { DomainPrefixedContainers = options.Storage.DomainPrefixedContainers };
            var blobs = sp.GetRequiredService<BlobServiceClient>();
            // In Azure each domain has its own account: an upstream of another registered domain is read there, with
            // this app's identity and the read grant the upstream's deployment gives it (RegisteredDomainAccounts).
            var accounts = options.Storage.UsesConnectionString || options.Domains.Count == 0
                ? null
                : new RegisteredDomainAccounts(
                    blobs,
                    options.IsHub ? null : options.Domain,
                    options.Domains.ToDictionary(d => d.Name, d => new Uri(d.StorageEndpoint), StringComparer.Ordinal),
                    endpoint => new BlobServiceClient(endpoint, Credential(sp)),
                    storageOptions);
            return new MeshStorage(
                blobs,
                sp.GetRequiredService<QueueServiceClient>(),
                sp.GetRequiredService<TableServiceClient>(),
                storageOptions,
                accounts is null ? null : accounts.For);
        });
        services.AddSingleton<IProductEventPublisher>(sp =>
            DataMeshAppOptionsValidator.IsMissing(Options(sp).Events.TopicEndpoint)
                ? new QueueProductEventPublisher(sp.GetRequiredService<MeshStorage>())
                : new EventGridProductEventPublisher(
                    sp.GetRequiredService<EventGridPublisherClient>(),
                    Options(sp).IsHub ? null : ReleaseDataEndpoint.Parse(Options(sp).DataEndpoint)));
        services.AddSingleton(sp => LoadProducts(Options(sp)));
        services.AddSingleton<IProductRegistry>(sp => sp.GetRequiredService<ProductRegistry>());
        // The pipeline's meter comes from the host's meter factory (AddMetrics is a no-op when the host added it).
        services.AddMetrics();
        services.AddSingleton(sp => new DataMesh.Telemetry.PipelineMetrics(sp.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>()));

        // Shared by every call to the hub: one connection pool, a bounded wait (a publish waits on it).
        services.AddKeyedSingleton(HubHttpClientKey, (sp, _) => new HttpClient { Timeout = Options(sp).Hub.Timeout });
        services.AddSingleton(sp => new PipelineRuntime(
            sp.GetRequiredService<MeshStorage>(),
            sp.GetRequiredService<IProductRegistry>(),
            sp.GetRequiredService<IProductEventPublisher>(),
            Options(sp).Pipeline,
            sp.GetRequiredService<ILoggerFactory>(),
            TimeProvider.System,
            LoadPolicies(Options(sp)))
        {
            Metrics = sp.GetRequiredService<DataMesh.Telemetry.PipelineMetrics>(),
            // OpenLineage clients' own settings (OPENLINEAGE_URL, OPENLINEAGE_ENDPOINT): the run's events are posted there too.
            OpenLineage = DataMesh.Lineage.OpenLineageTransport.ResolveEndpoint(
                key => sp.GetService<Microsoft.Extensions.Configuration.IConfiguration>()?[key] ?? Environment.GetEnvironmentVariable(key)) is { } endpoint
                ? new DataMesh.Lineage.OpenLineageTransport(new HttpClient { Timeout = TimeSpan.FromSeconds(10) }, endpoint, sp.GetRequiredService<ILoggerFactory>().CreateLogger<DataMesh.Lineage.OpenLineageTransport>())
                : null,
            Hub = HubCatalogFor(Options(sp), configuration, Credential(sp), sp.GetRequiredKeyedService<HttpClient>(HubHttpClientKey)),
        });
        services.AddSingleton(sp => new BlobCreatedRouter(sp.GetRequiredService<IProductRegistry>(), sp.GetRequiredService<MeshStorage>(), Options(sp).Domain));
        services.AddSingleton(sp => new PipelineTriggerRouter(sp.GetRequiredService<IProductRegistry>(), sp.GetRequiredService<MeshStorage>(), Options(sp).Domain));
        // A release event is recorded once its manifest is found in the storage this app has. The hub has no role on
        // any domain's storage (least privilege), so it records what the mesh topic delivers (docs/design-notes/catalog.md).
        // With domains registered (DataMesh__Domains__<n>__*), a release is recorded only where its domain's registration
        // says its data lives and is served: an event cannot point the hub at another account or host.
        services.AddSingleton(sp => new CatalogProjection(
            sp.GetRequiredService<MeshStorage>(),
            releases: ReleaseCheckFor(Options(sp), sp.GetRequiredService<MeshStorage>()),
            domains: Options(sp).Domains.Count == 0
                ? null
                : new DomainRegistry(Options(sp).Domains.Select(d => new RegisteredDomain(d.Name, new Uri(d.StorageEndpoint), ReleaseDataEndpoint.Parse(d.DataEndpoint)))),
            logger: sp.GetService<ILogger<CatalogProjection>>()));
        services.AddSingleton(sp => new CatalogReader(sp.GetRequiredService<MeshStorage>()));
        // The hub records the registrations domain apps send at start-up (RegistrationFunction); they send them (HubRegistrationService).
        services.AddSingleton(sp => new ProductRegistrationIntake(sp.GetRequiredService<CatalogProjection>()));
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(AppServiceAuthentication.FromConfiguration(configuration));
        services.AddSingleton(sp => new DataMeshAppMode(Options(sp).IsHub, Options(sp).IsHub ? null : Options(sp).Domain));
        services.AddSingleton(sp => new FreshnessMonitor(
            sp.GetRequiredService<IProductRegistry>(), sp.GetRequiredService<MeshStorage>(), sp.GetRequiredService<IProductEventPublisher>(), TimeProvider.System, sp.GetRequiredService<DataMesh.Telemetry.PipelineMetrics>()));
        // Retention and compaction (ReleaseMaintenanceTimer, domain app). The catalog is the hub's, which this app cannot
        // write: an expired release is refused to readers here and announced (ReleaseExpired), on which the hub drops it.
        services.AddSingleton(sp => new ReleaseRetention(
            sp.GetRequiredService<MeshStorage>(),
            new ReleaseRetentionOptions
            {
                GracePeriod = Options(sp).RetentionGracePeriod,
                OnExpired = sp.GetRequiredService<MaintenanceAnnouncer>().OnExpiredAsync,
            },
            TimeProvider.System));
        services.AddSingleton(sp => new ReleaseCompactor(sp.GetRequiredService<MeshStorage>(), new ReleaseCompactionOptions
        {
            WorkDirectory = Options(sp).Pipeline.WorkDirectory,
            BeforeManifest = sp.GetRequiredService<MaintenanceAnnouncer>().RecordCompaction(sp.GetRequiredService<IProductRegistry>(), sp.GetRequiredService<MeshStorage>()),
        }));
        // Maintenance events go through the runs' outbox (OutboxRelayTimer relays what a dead instance left).
        services.AddSingleton(sp => new MaintenanceAnnouncer(
            sp.GetRequiredService<PipelineRuntime>().Outbox, sp.GetRequiredService<PipelineRuntime>().Events, sp.GetRequiredService<ILogger<MaintenanceAnnouncer>>()));
        services.AddHostedService<StartupProductCheck>();
        services.AddHostedService<HubRegistrationService>();
        return services;
    }

    /// <summary>The mesh policies deployed with the app (<c>pipelines/mesh.yaml</c>, else the built-in baseline), enforced again at publish.</summary>
    private static MeshPolicies LoadPolicies(DataMeshAppOptions options)
    {
        var path = Path.Combine(options.PipelinesPath, MeshPoliciesLoader.MeshFileName);
        return File.Exists(path) ? MeshPoliciesLoader.Load(path) : MeshPolicies.Baseline;
    }

    private static DataMeshAppOptions Options(IServiceProvider services) =>
        services.GetRequiredService<IOptions<DataMeshAppOptions>>().Value;

    /// <summary>
    /// Whether the projection checks that an announced release's manifest exists before recording it: a domain app in its
    /// own account; the hub once domains are registered, reading each domain's account with its identity, which each
    /// domain grants the reading of <c>_manifest.json</c> blobs and nothing else (infra/modules/product-readers.bicep).
    /// A hub without registered domains reads no domain storage and records announcements as sent.
    /// </summary>
    internal static AnnouncedReleaseCheck? ReleaseCheckFor(DataMeshAppOptions options, MeshStorage storage) =>
        !options.IsHub ? new AnnouncedReleaseCheck(storage)
        : options.Domains.Count > 0 && !options.Storage.UsesConnectionString ? new AnnouncedReleaseCheck(storage) { AcceptWhenForbidden = true }
        : null;

    /// <summary>Service key of the <see cref="HttpClient"/> the app asks the hub's catalog with.</summary>
    internal const string HubHttpClientKey = "hub";

    /// <summary>
    /// The hub's catalog as a domain app's publish gate asks it, with the app's identity: a token for the mesh API
    /// (<c>DataMesh__Hub__Scope</c>, else <c>&lt;DataMesh__Authentication__Audience&gt;/.default</c>) from its managed identity.
    /// Null on the hub itself, and where no hub endpoint is set.
    /// </summary>
    internal static HubCatalogClient? HubCatalogFor(DataMeshAppOptions options, IConfiguration configuration, TokenCredential credential, HttpClient http)
    {
        if (options.IsHub || options.Hub.CatalogEndpoint is not { } endpoint)
        {
            return null;
        }

        var scope = !string.IsNullOrWhiteSpace(options.Hub.Scope) ? options.Hub.Scope
            : configuration["DataMesh:Authentication:Audience"] is { Length: > 0 } audience ? audience.TrimEnd('/') + "/.default"
            : null;
        return new HubCatalogClient(http, endpoint, scope is null
            ? null
            : async cancellationToken => (await credential.GetTokenAsync(new TokenRequestContext([scope]), cancellationToken).ConfigureAwait(false)).Token);
    }

    private static TokenCredential Credential(IServiceProvider services) => services.GetRequiredService<TokenCredential>();

    private static ProductRegistry LoadProducts(DataMeshAppOptions options)
    {
        var registry = ProductRegistry.LoadFrom(options.PipelinesPath);
        if (!options.IsHub && !registry.All.Any(p => p.Domain == options.Domain))
        {
            var found = registry.All.Select(p => p.Domain).Distinct(StringComparer.Ordinal).ToList();
            throw new InvalidOperationException(
                $"No product of domain '{options.Domain}' (DataMesh__Domain) under '{options.PipelinesPath}' "
                + $"(domains found: {(found.Count == 0 ? "none" : string.Join(", ", found))}): deploy the domain's pipelines/<domain>/ folder with the app.");
        }

        return registry;
    }
}
