using System.Security.Cryptography;
using DataMesh.Local;
using DataMesh.Local.Azurite;
using DataMesh.Storage;
using Xunit;

namespace DataMesh.Testing;

/// <summary>
/// The storage of a whole test run: the connection string in <c>DATAMESH_STORAGE</c> when set, else an in-memory
/// Azurite on free ports started here and stopped at the end, serving the mesh's accounts (the hub's, whose connection
/// string <see cref="ConnectionString"/> is, and one per domain) with keys made for this run, never the development
/// key. Tests isolate themselves with <see cref="CreateMesh"/>/<see cref="CreateMeshStorage"/>, which give each caller
/// its own name prefix and put each domain in its own account, as the local mesh does.
/// </summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    // Test projects start in parallel, each with its own Azurite: on a small, busy machine that is slow.
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    private readonly List<IAsyncDisposable> _dependents = [];
    private AzuriteServer? _server;
    private string? _connectionString;
    private string? _keys;

    /// <summary>Connection string of the storage the tests run against.</summary>
    public string ConnectionString =>
        _connectionString ?? throw new InvalidOperationException("AzuriteFixture is not initialised yet: use it through ICollectionFixture<AzuriteFixture>.");

    /// <summary>The Azurite this fixture started; null when <c>DATAMESH_STORAGE</c> supplied the storage.</summary>
    public AzuriteServer? Server => _server;

    /// <summary>
    /// A fresh namespace on the per-domain topology (<see cref="MeshTestStorage"/>): the hub account for the catalog and
    /// queues, each domain its own account with its own key, a domain pipeline's view reaching other domains only by grant.
    /// </summary>
    public MeshTestStorage CreateMesh()
    {
        // Given an Azurite or a connection string, LocalStorage.OpenAsync only builds clients (no I/O): it completes at once.
        var local = LocalStorage.OpenAsync(new LocalMeshOptions { Azurite = _server, ConnectionString = ConnectionString, Namespace = CreateNamespace() })
            .GetAwaiter().GetResult();
        return new MeshTestStorage(local);
    }

    /// <summary>The operator's view of a fresh namespace on the per-domain topology (<see cref="MeshTestStorage.Storage"/>).</summary>
    public MeshStorage CreateMeshStorage() => CreateMesh().Storage;

    /// <summary>
    /// Clients over the hub account alone, every domain's containers in it, in a fresh namespace. Only for what is about
    /// one account by design: a Functions app (its own domain's account, by managed identity), the one-account mode of
    /// <c>DATAMESH_STORAGE</c>, or the test fixture itself. Anything that stores domain data as the mesh does uses
    /// <see cref="CreateMesh"/>.
    /// </summary>
    public MeshStorage CreateSingleAccountStorage() =>
        MeshStorage.FromConnectionString(ConnectionString, new MeshStorageOptions { Namespace = CreateNamespace() });

    /// <summary>
    /// The environment a <c>datamesh</c> process needs to run a mesh whose state is in <paramref name="stateDirectory"/> on
    /// this run's Azurite, shaped as <c>demo</c>/<c>up</c> shape their own: the state folder's <c>azurite.json</c> names
    /// this Azurite and its key folder (<see cref="AzuriteServer.RecordIn"/>), so the CLI attaches to it and puts the
    /// catalog in the hub account and each domain in its own account with its own key. Only when <c>DATAMESH_STORAGE</c>
    /// supplied this run's storage is it passed on (the user's explicit choice of one account for the whole mesh).
    /// </summary>
    /// <param name="stateDirectory">The mesh's state folder (<c>DATAMESH_HOME</c>).</param>
    /// <param name="blobPort">Another port in front of the blob service (a proxy) for the CLI to reach it through.</param>
    public Dictionary<string, string> CliEnvironment(string stateDirectory, int? blobPort = null)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["DATAMESH_HOME"] = stateDirectory,
            // One task hub per mesh: CLIs of other tests on this shared storage must not take this mesh's runs (a worker
            // takes any orchestration or activity of its hub), nor this mesh's stuck-run check see theirs.
            [LocalMeshOptions.TaskHubVariable] = TaskHubFor(stateDirectory),
        };
        if (_server is null)
        {
            environment[AzuriteServer.StorageVariable] = blobPort is { } port
                ? System.Text.RegularExpressions.Regex.Replace(ConnectionString, @"(BlobEndpoint=https?://[^:/;]+):\d+", $"${{1}}:{port}")
                : ConnectionString;
        }
        else
        {
            _server.RecordIn(stateDirectory, blobPort);
        }

        return environment;
    }

    /// <summary>The task hub of the mesh whose state is in <paramref name="stateDirectory"/> (the same for every process of it).</summary>
    public static string TaskHubFor(string stateDirectory) =>
        "DataMeshT" + Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(Path.GetFullPath(stateDirectory))))[..12];

    /// <summary>
    /// The mesh operator's view of a mesh in <paramref name="ns"/> (none: as the CLI runs it): the hub account, and each
    /// domain's own account with its own key; one account for everything when <c>DATAMESH_STORAGE</c> supplied the storage.
    /// </summary>
    /// <param name="ns">The mesh's storage namespace (<see cref="LocalMeshOptions.Namespace"/>); empty: none.</param>
    public async Task<MeshStorage> OpenMeshStorageAsync(string ns = "")
    {
        // An Azurite given to LocalStorage is not owned by it: there is nothing to dispose.
        var local = await LocalStorage.OpenAsync(new LocalMeshOptions { Azurite = _server, ConnectionString = ConnectionString, Namespace = ns }).ConfigureAwait(false);
        return local.Storage;
    }

    /// <summary>A unique storage namespace: "t" and 8 lowercase hex digits.</summary>
    public static string CreateNamespace() => "t" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));

    /// <summary>Something built on this storage (e.g. a local mesh shared by a test class) to stop before Azurite stops.</summary>
    public void StopBeforeStorage(IAsyncDisposable dependent)
    {
        lock (_dependents)
        {
            _dependents.Add(dependent);
        }
    }

    public async Task InitializeAsync()
    {
        _connectionString = AzuriteServer.ConnectionStringFromEnvironment();
        if (_connectionString is null)
        {
            _keys = Path.Combine(Path.GetTempPath(), "dm-azurite-keys-" + Guid.NewGuid().ToString("N")[..8]);
            _server = await AzuriteServer.StartAsync(new AzuriteOptions { StartTimeout = StartTimeout, AccountKeys = new AzuriteAccountKeys(_keys) }).ConfigureAwait(false);
            _connectionString = _server.ConnectionString;
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var dependent in _dependents)
        {
            await dependent.DisposeAsync().ConfigureAwait(false);
        }

        if (_server is not null)
        {
            await _server.DisposeAsync().ConfigureAwait(false);
        }

        if (_keys is not null && Directory.Exists(_keys))
        {
            Directory.Delete(_keys, recursive: true);
        }
    }
}
