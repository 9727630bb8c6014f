using Azure.Storage.Blobs;

namespace DataMesh.Storage;

/// <summary>
/// The containers of one domain, in the storage account that holds them (DESIGN §5): in Azure the domain's own
/// account; on the local mesh the Azurite account the mesh gives that domain. Which credential reaches them is the
/// holder's: its own account key or identity, a read grant on another domain's <c>products</c>, or nothing.
/// </summary>
public sealed class DomainStorage
{
    private readonly MeshStorageOptions _options;
    private readonly BlobContainerClient? _products;

    /// <param name="domain">The domain whose containers these are.</param>
    /// <param name="blobs">The blob service of the domain's account, with the holder's credential (or none).</param>
    /// <param name="options">How containers are named.</param>
    /// <param name="products">A client for the <c>products</c> container carrying its own credential (a read grant), used instead of <paramref name="blobs"/>'s.</param>
    public DomainStorage(string domain, BlobServiceClient blobs, MeshStorageOptions options, BlobContainerClient? products = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(domain);
        ArgumentNullException.ThrowIfNull(blobs);
        ArgumentNullException.ThrowIfNull(options);
        Domain = domain;
        Blobs = blobs;
        _options = options;
        _products = products;
    }

    public string Domain { get; }

    /// <summary>The blob service of the domain's account, as this holder reaches it.</summary>
    public BlobServiceClient Blobs { get; }

    /// <summary>The storage account that holds the domain's containers.</summary>
    public string AccountName => Blobs.AccountName;

    public BlobContainerClient Landing => Container("landing");

    public BlobContainerClient Products => _products ?? Container("products");

    public BlobContainerClient Quarantine => Container("quarantine");

    /// <summary>Published runs' landing inputs, under their landing names, kept for replay and backfill (never run on their own).</summary>
    public BlobContainerClient Archive => Container("archive");

    /// <summary>Per-run staging: intermediate results that let each activity run on any instance.</summary>
    public BlobContainerClient Staging => Container("staging");

    /// <summary>One of this domain's containers by its full name (e.g. the container a landing file was read from).</summary>
    public BlobContainerClient ContainerNamed(string name) =>
        _products is not null && string.Equals(name, _products.Name, StringComparison.Ordinal) ? _products : Blobs.GetBlobContainerClient(name);

    /// <summary>Creates the domain's containers when missing (the local equivalent of what Bicep provisions).</summary>
    public async Task EnsureAsync(CancellationToken cancellationToken = default)
    {
        await Landing.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        await Products.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        await Quarantine.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        await Archive.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        await Staging.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The name of one of the domain's containers (<c>landing</c>, <c>products</c>, ...), with the options' prefixes.</summary>
    public string ContainerName(string kind)
    {
        var name = _options.DomainPrefixedContainers ? $"{Domain}-{kind}" : kind;
        return _options.Namespace.Length == 0 ? name : $"{_options.Namespace}-{name}";
    }

    private BlobContainerClient Container(string kind) => Blobs.GetBlobContainerClient(ContainerName(kind));
}
