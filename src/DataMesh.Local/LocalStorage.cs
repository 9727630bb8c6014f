using System.Collections.Concurrent;
using System.Security.Cryptography;
using Azure.Data.Tables;
using Azure.Storage;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Azure.Storage.Sas;
using DataMesh.Local.Azurite;
using DataMesh.Storage;
using Microsoft.Extensions.Logging;

namespace DataMesh.Local;

/// <summary>
/// The storage of a local mesh, shaped like Azure (DESIGN §5, §7): the mesh's embedded Azurite serves the hub's account
/// (catalog tables, queues, task hub) and one account per domain, each with its own key kept in the state folder; a
/// domain's pipeline gets only its own account's key (its containers, its outbox) plus read grants (<see cref="ForDomain"/>). <c>DATAMESH_STORAGE</c>
/// (or an explicit connection string) instead puts everything in that one account, the user's explicit choice.
/// </summary>
public sealed class LocalStorage : IAsyncDisposable
{
    /// <summary>How long a read grant (a container SAS on an upstream's <c>products</c>) is valid: a run's resolve or download.</summary>
    public static readonly TimeSpan GrantLifetime = TimeSpan.FromMinutes(15);

    private readonly AzuriteServer? _azurite;
    private readonly AzuriteServer? _owned;
    private readonly MeshStorageOptions _options;
    private readonly ConcurrentDictionary<string, BlobServiceClient> _domainBlobs = new(StringComparer.Ordinal);

    private LocalStorage(AzuriteServer? azurite, bool ownsAzurite, string connectionString, MeshStorageOptions options)
    {
        // An Azurite serving only the development account (a test's own) holds the whole mesh in that one account.
        _azurite = azurite?.AccountKeys is null ? null : azurite;
        _owned = ownsAzurite ? azurite : null;
        _options = options;
        ConnectionString = connectionString;
        Storage = _azurite is null
            ? MeshStorage.FromConnectionString(connectionString, options)
            : Routed(connectionString, domain => new DomainStorage(domain, DomainBlobs(domain), options));
    }

    /// <summary>The hub account's connection string (catalog, queues, task hub), or the one account's.</summary>
    public string ConnectionString { get; }

    /// <summary>True when every domain has its own account; false when one connection string holds the whole mesh.</summary>
    public bool AccountPerDomain => _azurite is not null;

    /// <summary>The mesh operator's view: the hub, and every domain's account with its own key (provisioning, drop, query).</summary>
    public MeshStorage Storage { get; }

    public static async Task<LocalStorage> OpenAsync(LocalMeshOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var storageOptions = new MeshStorageOptions { Namespace = options.Namespace };
        if (options.Azurite is { } given)
        {
            return new LocalStorage(given, ownsAzurite: false, given.ConnectionString, storageOptions);
        }

        var connectionString = options.ConnectionString ?? AzuriteServer.ConnectionStringFromEnvironment();
        if (connectionString is not null)
        {
            return new LocalStorage(null, ownsAzurite: false, connectionString, storageOptions);
        }

        var stateDirectory = options.ResolveStateDirectory();
        Directory.CreateDirectory(stateDirectory);
        var azurite = await AzuriteServer.AttachOrStartAsync(
            stateDirectory,
            new AzuriteOptions { Logger = options.LoggerFactory.CreateLogger<AzuriteServer>() },
            cancellationToken).ConfigureAwait(false);
        return new LocalStorage(azurite, ownsAzurite: true, azurite.ConnectionString, storageOptions);
    }

    /// <summary>The connection string of a domain's account (its own key), or the one account's.</summary>
    public string DomainConnectionString(string domain) =>
        _azurite is null ? ConnectionString : _azurite.ConnectionStringFor(StorageAccountName.ForDomain(domain));

    /// <summary>
    /// Storage as <paramref name="domain"/>'s pipeline holds it, as a managed identity would: its own account's key, for
    /// its containers and for its account's queues and tables (its announcement outbox), as a domain app's account in
    /// Azure; for each domain in <paramref name="grantedUpstreams"/>, a read-only SAS on that domain's <c>products</c>
    /// container (read and list, valid <see cref="GrantLifetime"/>), signed with that account's key; for every other
    /// domain's account and the hub's, no credential at all, so storage refuses it. With one shared account it is
    /// <see cref="Storage"/>.
    /// </summary>
    public MeshStorage ForDomain(string domain, IReadOnlyCollection<string> grantedUpstreams)
    {
        ArgumentException.ThrowIfNullOrEmpty(domain);
        ArgumentNullException.ThrowIfNull(grantedUpstreams);
        if (_azurite is null)
        {
            return Storage;
        }

        var own = new DomainStorage(domain, DomainBlobs(domain), _options);
        return Routed(DomainConnectionString(domain), other =>
        {
            if (other == domain)
            {
                return own;
            }

            var account = StorageAccountName.ForDomain(other);
            var anonymous = new BlobServiceClient(_azurite.BlobEndpoint(account));
            return grantedUpstreams.Contains(other)
                ? new DomainStorage(other, anonymous, _options, ReadGrant(other, account))
                : new DomainStorage(other, anonymous, _options);
        });
    }

    /// <summary>
    /// The host-wide storage a pipeline runtime holds besides each domain's view (<see cref="ForDomain"/>): no credential
    /// for any account, the hub's included, so a pipeline reaches storage only through its own domain's view (its
    /// account, its outbox, its grants). The task hub is the durable engine's, opened with the hub's connection string
    /// by the host itself, not by any activity. With one shared account it is <see cref="Storage"/>.
    /// </summary>
    public MeshStorage PipelineHub()
    {
        if (_azurite is null)
        {
            return Storage;
        }

        var hub = StorageAccountName.Hub;
        return new MeshStorage(
            new BlobServiceClient(_azurite.BlobEndpoint(hub)),
            new QueueServiceClient(_azurite.QueueEndpoint(hub), new QueueClientOptions { MessageEncoding = QueueMessageEncoding.None }),
            // The Tables SDK has no anonymous client: a key nobody holds is refused (403) the same way.
            new TableServiceClient(_azurite.TableEndpoint(hub), new TableSharedKeyCredential(hub, Convert.ToBase64String(RandomNumberGenerator.GetBytes(64)))),
            _options,
            domain => new DomainStorage(domain, new BlobServiceClient(_azurite.BlobEndpoint(StorageAccountName.ForDomain(domain))), _options));
    }

    /// <summary>
    /// The accounts a storage tool can open: the hub's and those of <paramref name="domains"/>, each with its endpoints,
    /// key file and connection string (one entry when one connection string holds the whole mesh).
    /// </summary>
    public IReadOnlyList<MeshStorageAccount> Accounts(IEnumerable<string> domains)
    {
        ArgumentNullException.ThrowIfNull(domains);
        if (_azurite is null)
        {
            var blobs = new BlobServiceClient(ConnectionString);
            return
            [
                new MeshStorageAccount(
                    blobs.AccountName, null, blobs.Uri, new QueueServiceClient(ConnectionString).Uri, new TableServiceClient(ConnectionString).Uri, KeyFile: null, ConnectionString),
            ];
        }

        var accounts = new List<MeshStorageAccount> { Account(StorageAccountName.Hub, domain: null) };
        accounts.AddRange(domains.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).Select(d => Account(StorageAccountName.ForDomain(d), d)));
        return accounts;

        MeshStorageAccount Account(string account, string? domain) => new(
            account,
            domain,
            _azurite.BlobEndpoint(account),
            _azurite.QueueEndpoint(account),
            _azurite.TableEndpoint(account),
            Path.Combine(_azurite.AccountKeys!.Directory, account),
            _azurite.ConnectionStringFor(account));
    }

    /// <summary>Stops the embedded Azurite when this process started it.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_owned is not null)
        {
            await _owned.DisposeAsync().ConfigureAwait(false);
        }
    }

    private BlobContainerClient ReadGrant(string upstreamDomain, string account)
    {
        var container = new DomainStorage(upstreamDomain, new BlobServiceClient(_azurite!.BlobEndpoint(account)), _options).ContainerName("products");
        var now = DateTimeOffset.UtcNow;
        var sas = new BlobSasBuilder(BlobContainerSasPermissions.Read | BlobContainerSasPermissions.List, now.Add(GrantLifetime))
        {
            BlobContainerName = container,
            Resource = "c",
            // Tolerates a little clock skew between this process and Azurite's.
            StartsOn = now.AddMinutes(-5),
        }.ToSasQueryParameters(new StorageSharedKeyCredential(account, _azurite.AccountKeys!.KeyOf(account)));
        return new BlobContainerClient(new Uri($"{_azurite.BlobEndpoint(account)}/{container}?{sas}"));
    }

    private BlobServiceClient DomainBlobs(string domain) =>
        _domainBlobs.GetOrAdd(domain, d => new BlobServiceClient(_azurite!.ConnectionStringFor(StorageAccountName.ForDomain(d))));

    /// <summary>A mesh storage whose own account (blobs, queues, tables) is <paramref name="connectionString"/>'s, routing domains with <paramref name="domains"/>.</summary>
    private MeshStorage Routed(string connectionString, Func<string, DomainStorage> domains)
    {
        var queueOptions = new QueueClientOptions { MessageEncoding = QueueMessageEncoding.None };
        return new MeshStorage(
            new BlobServiceClient(connectionString),
            new QueueServiceClient(connectionString, queueOptions),
            new TableServiceClient(connectionString),
            _options,
            domains);
    }
}
