using DataMesh.Local.Azurite;
using DataMesh.Storage;
using Microsoft.Extensions.Logging;

namespace DataMesh.Local;

/// <summary>
/// The storage of a local mesh: <c>DATAMESH_STORAGE</c> (or an explicit connection string) when set, else the
/// mesh's embedded Azurite, shared with any other process already serving the same state folder.
/// </summary>
public sealed class LocalStorage : IAsyncDisposable
{
    private readonly AzuriteServer? _azurite;

    private LocalStorage(AzuriteServer? azurite, string connectionString, MeshStorage storage)
    {
        _azurite = azurite;
        ConnectionString = connectionString;
        Storage = storage;
    }

    public string ConnectionString { get; }

    public MeshStorage Storage { get; }

    public static async Task<LocalStorage> OpenAsync(LocalMeshOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        AzuriteServer? azurite = null;
        var connectionString = options.ConnectionString ?? AzuriteServer.ConnectionStringFromEnvironment();
        if (connectionString is null)
        {
            var stateDirectory = options.ResolveStateDirectory();
            Directory.CreateDirectory(stateDirectory);
            azurite = await AzuriteServer.AttachOrStartAsync(
                stateDirectory,
                new AzuriteOptions { Logger = options.LoggerFactory.CreateLogger<AzuriteServer>() },
                cancellationToken).ConfigureAwait(false);
            connectionString = azurite.ConnectionString;
        }

        var storage = MeshStorage.FromConnectionString(connectionString, new MeshStorageOptions { Namespace = options.Namespace });
        return new LocalStorage(azurite, connectionString, storage);
    }

    /// <summary>Stops the embedded Azurite when this process started it.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_azurite is not null)
        {
            await _azurite.DisposeAsync().ConfigureAwait(false);
        }
    }
}
