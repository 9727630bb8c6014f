using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;

namespace DataMesh.Storage;

/// <summary>The storage clients of a mesh and the names of its containers, queues and tables (DESIGN §5).</summary>
public sealed class MeshStorage
{
    /// <summary>Queue that receives Event Grid deliveries: blob arrivals and upstream product events.</summary>
    public const string PipelineTriggersQueue = "pipeline-triggers";

    /// <summary>Queue the catalog projection reads product events from.</summary>
    public const string CatalogEventsQueue = "catalog-events";

    private readonly MeshStorageOptions _options;

    public MeshStorage(BlobServiceClient blobs, QueueServiceClient queues, TableServiceClient tables, MeshStorageOptions options)
    {
        Blobs = blobs;
        Queues = queues;
        Tables = tables;
        _options = options;
        if (options.Namespace.Any(c => !char.IsAsciiLetterLower(c) && !char.IsAsciiDigit(c)))
        {
            throw new ArgumentException($"Storage namespace '{options.Namespace}' must be lowercase letters and digits only.", nameof(options));
        }
    }

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

    public BlobContainerClient Landing(string domain) => Blobs.GetBlobContainerClient(ContainerName(domain, "landing"));

    public BlobContainerClient Products(string domain) => Blobs.GetBlobContainerClient(ContainerName(domain, "products"));

    public BlobContainerClient Quarantine(string domain) => Blobs.GetBlobContainerClient(ContainerName(domain, "quarantine"));

    /// <summary>Published runs' landing inputs, under their landing names, kept for replay and backfill (never run on their own).</summary>
    public BlobContainerClient Archive(string domain) => Blobs.GetBlobContainerClient(ContainerName(domain, "archive"));

    /// <summary>Per-run staging: intermediate results that let each activity run on any instance.</summary>
    public BlobContainerClient Staging(string domain) => Blobs.GetBlobContainerClient(ContainerName(domain, "staging"));

    public QueueClient Queue(string name) => Queues.GetQueueClient(_options.Namespace.Length == 0 ? name : $"{_options.Namespace}-{name}");

    /// <summary>A mesh-wide catalog table, e.g. <c>Products</c>, <c>Releases</c>.</summary>
    public TableClient Table(string name) => Tables.GetTableClient($"{_options.Namespace}{name}");

    /// <summary>Creates a domain's containers when missing (the local equivalent of what Bicep provisions).</summary>
    public async Task EnsureDomainAsync(string domain, CancellationToken cancellationToken = default)
    {
        await Landing(domain).CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        await Products(domain).CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        await Quarantine(domain).CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        await Archive(domain).CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        await Staging(domain).CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    private string ContainerName(string domain, string kind)
    {
        var name = _options.DomainPrefixedContainers ? $"{domain}-{kind}" : kind;
        return _options.Namespace.Length == 0 ? name : $"{_options.Namespace}-{name}";
    }
}
