using DataMesh.Pipeline;

namespace DataMesh.Functions.Configuration;

/// <summary>Settings of the Functions app: configuration section <c>DataMesh</c>, i.e. app settings <c>DataMesh__*</c>.</summary>
internal sealed class DataMeshAppOptions
{
    public const string Section = "DataMesh";

    /// <summary>
    /// <c>domain</c> (default: runs one domain's pipelines) or <c>hub</c> (the mesh's catalog app: no pipelines, no
    /// domain) — <c>DataMesh__Mode</c>, set by the Bicep of each deployment.
    /// </summary>
    public string Mode { get; set; } = "domain";

    /// <summary>True for the mesh hub's catalog app.</summary>
    public bool IsHub => string.Equals(Mode, "hub", StringComparison.OrdinalIgnoreCase);

    /// <summary>The domain this app serves (<c>DataMesh__Domain</c>): one domain, one storage account, one app.</summary>
    public string Domain { get; set; } = "";

    /// <summary>The Durable Task hub (<c>DataMesh__TaskHub</c>); <c>host.json</c> reads the same setting.</summary>
    public string TaskHub { get; set; } = "";

    /// <summary>The product specs folder; by default the <c>pipelines/</c> folder deployed beside the app.</summary>
    public string PipelinesPath { get; set; } = Path.Combine(AppContext.BaseDirectory, "pipelines");

    public StorageAccountOptions Storage { get; set; } = new();

    public EventTopicOptions Events { get; set; } = new();

    /// <summary>The mesh hub's catalog, which a domain app's publish gate asks for readers in other domains (<c>DataMesh__Hub__*</c>).</summary>
    public HubCatalogOptions Hub { get; set; } = new();

    /// <summary>Engine settings of the pipeline stages (<c>DataMesh__Pipeline__InstanceMemoryMB</c>, <c>DataMesh__Pipeline__MemoryLimit</c>, ...).</summary>
    public PipelineOptions Pipeline { get; set; } = new();

    /// <summary>
    /// A domain app's own base URL (<c>DataMesh__DataEndpoint</c>; in Azure by default <c>https://&lt;WEBSITE_HOSTNAME&gt;/</c>),
    /// announced with every event so the hub's catalog can redirect data requests for the domain's releases to it.
    /// Set it when callers must reach the app through another host name (a gateway, a custom domain). Unused by the hub.
    /// </summary>
    public string? DataEndpoint { get; set; }

    /// <summary>
    /// How long an expired release's files stay after it left the listings (<c>DataMesh__RetentionGracePeriod</c>, e.g.
    /// <c>1.00:00:00</c>); default <see cref="DataMesh.Publishing.ReleaseRetentionOptions.DefaultGracePeriod"/> (24 h).
    /// </summary>
    public TimeSpan RetentionGracePeriod { get; set; } = DataMesh.Publishing.ReleaseRetentionOptions.DefaultGracePeriod;

    /// <summary>
    /// The domains registered with the catalog (<c>DataMesh__Domains__&lt;n&gt;__Name</c>, <c>__StorageEndpoint</c>,
    /// <c>__DataEndpoint</c>): set on the hub, a release event is recorded only when its location is in its domain's
    /// registered storage account and its <c>dataendpoint</c> is the domain's registered one. Empty: recorded as announced.
    /// </summary>
    public List<DomainRegistrationOptions> Domains { get; set; } = [];

    /// <summary>Client id of the user-assigned managed identity (<c>AZURE_CLIENT_ID</c>, outside the section).</summary>
    public string? ManagedIdentityClientId { get; set; }
}
