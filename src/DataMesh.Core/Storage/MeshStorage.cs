using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;

namespace DataMesh.Storage;

/// <summary>
/// The storage clients of a mesh and the names of its containers, queues and tables (DESIGN §5): the hub's account
/// (catalog tables, queues) and, through <see cref="Domain"/>, each domain's account as this holder reaches it.
/// </summary>
public sealed class MeshStorage
{
    /// <summary>Queue that receives Event Grid deliveries: blob arrivals and upstream product events.</summary>
    public const string PipelineTriggersQueue = "pipeline-triggers";

    /// <summary>Queue the catalog projection reads product events from.</summary>
    public const string CatalogEventsQueue = "catalog-events";

    private readonly MeshStorageOptions _options;
    private readonly Func<string, DomainStorage> _domains;

    /// <summary>Every domain's containers in the one account of <paramref name="blobs"/> (a Functions app: its own domain's account).</summary>
    public MeshStorage(BlobServiceClient blobs, QueueServiceClient queues, TableServiceClient tables, MeshStorageOptions options)
        : this(blobs, queues, tables, options, domains: null)
    {
    }

    /// <param name="blobs">The hub account's blob service.</param>
    /// <param name="queues">The hub account's queues.</param>
    /// <param name="tables">The hub account's tables (the catalog).</param>
    /// <param name="options">How containers, queues and tables are named.</param>
    /// <param name="domains">Each domain's containers as this holder reaches them; null: every domain in <paramref name="blobs"/>'s account.</param>
    public MeshStorage(BlobServiceClient blobs, QueueServiceClient queues, TableServiceClient tables, MeshStorageOptions options, Func<string, DomainStorage>? domains)
    {
        ArgumentNullException.ThrowIfNull(options);
        _domains = domains ?? (domain => new DomainStorage(domain, blobs, options));
        Blobs = blobs;
        Queues = queues;
        Tables = tables;
        _options = options;
        if (options.Namespace.Any(c => !char.IsAsciiLetterLower(c) && !char.IsAsciiDigit(c)))
        {
            throw new ArgumentException($"Storage namespace '{options.Namespace}' must be lowercase letters and digits only.", nameof(options));
        }
    }

    /// <summary>The hub account's blob service (never a domain's containers: those are <see cref="Domain"/>'s).</summary>
    public BlobServiceClient Blobs { get; }

    public QueueServiceClient Queues { get; }

    public TableServiceClient Tables { get; }

    /// <summary>Creates the clients for one connection string (Azurite or a real account with a key).</summary>
    public static MeshStorage FromConnectionString(string connectionString, MeshStorageOptions? options = null)
    {
        var queueOptions = new QueueClientOptions { MessageEncoding = QueueMessageEncoding.None };
        return new MeshStorage(
            new BlobServiceClient(connectionString),
            new QueueServiceClient(connectionString, queueOptions),
            new TableServiceClient(connectionString),
            options ?? new MeshStorageOptions());
    }

    /// <summary>A domain's containers, in the account that holds them, with this holder's credential for it (or none).</summary>
    public DomainStorage Domain(string domain) => _domains(domain);

    public BlobContainerClient Landing(string domain) => Domain(domain).Landing;

    public BlobContainerClient Products(string domain) => Domain(domain).Products;

    public BlobContainerClient Quarantine(string domain) => Domain(domain).Quarantine;

    /// <summary>Published runs' landing inputs, under their landing names, kept for replay and backfill (never run on their own).</summary>
    public BlobContainerClient Archive(string domain) => Domain(domain).Archive;

    /// <summary>Per-run staging: intermediate results that let each activity run on any instance.</summary>
    public BlobContainerClient Staging(string domain) => Domain(domain).Staging;

    public QueueClient Queue(string name) => Queues.GetQueueClient(_options.Namespace.Length == 0 ? name : $"{_options.Namespace}-{name}");

    /// <summary>A mesh-wide catalog table, e.g. <c>Products</c>, <c>Releases</c>.</summary>
    public TableClient Table(string name) => Tables.GetTableClient($"{_options.Namespace}{name}");

    /// <summary>Creates a domain's containers when missing (the local equivalent of what Bicep provisions).</summary>
    public Task EnsureDomainAsync(string domain, CancellationToken cancellationToken = default) => Domain(domain).EnsureAsync(cancellationToken);
}
