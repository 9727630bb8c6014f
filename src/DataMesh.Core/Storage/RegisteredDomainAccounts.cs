using System.Collections.Concurrent;
using Azure.Storage.Blobs;

namespace DataMesh.Storage;

/// <summary>
/// Where a Functions app finds each domain's containers in Azure: its own domain's in its own account, every other
/// registered domain's in that domain's account (<c>DataMesh__Domains__&lt;n&gt;__StorageEndpoint</c>), reached with the
/// app's own identity. Whether the identity may read there is the upstream's decision, not this class's: the upstream's
/// deployment grants <c>Storage Blob Data Reader</c> on its <c>products</c> container, narrowed to the products whose access
/// rules admit the consumer (infra/modules/product-readers.bicep), so a consumer not admitted gets storage's 403, which
/// the pipeline explains (DM1130). A domain that is not registered is looked for in the app's own account, as before
/// registries existed: its releases are then simply not found.
/// </summary>
public sealed class RegisteredDomainAccounts
{
    private readonly BlobServiceClient _own;
    private readonly IReadOnlyDictionary<string, Uri> _endpoints;
    private readonly Func<Uri, BlobServiceClient> _connect;
    private readonly MeshStorageOptions _options;
    private readonly ConcurrentDictionary<string, DomainStorage> _domains = new(StringComparer.Ordinal);

    /// <param name="own">The app's own account, with its identity.</param>
    /// <param name="ownDomain">The app's domain (null for the hub): always its own account, whatever the registry says.</param>
    /// <param name="endpoints">Registered domains' blob endpoints.</param>
    /// <param name="connect">A blob service client on an endpoint with the app's identity.</param>
    /// <param name="options">How containers are named.</param>
    public RegisteredDomainAccounts(BlobServiceClient own, string? ownDomain, IReadOnlyDictionary<string, Uri> endpoints, Func<Uri, BlobServiceClient> connect, MeshStorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(own);
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(connect);
        ArgumentNullException.ThrowIfNull(options);
        _own = own;
        OwnDomain = ownDomain;
        _endpoints = endpoints;
        _connect = connect;
        _options = options;
    }

    public string? OwnDomain { get; }

    /// <summary>The domain's containers as this app reaches them (one client per domain, made on first use).</summary>
    public DomainStorage For(string domain)
    {
        ArgumentException.ThrowIfNullOrEmpty(domain);
        return _domains.GetOrAdd(domain, d =>
            d != OwnDomain && _endpoints.TryGetValue(d, out var endpoint)
                ? new DomainStorage(d, _connect(endpoint), _options)
                : new DomainStorage(d, _own, _options));
    }
}
