using DataMesh.Local;
using DataMesh.Testing;

namespace DataMesh.EndToEnd.Tests;

/// <summary>
/// One local mesh serving a fixed set of test products, started once for a test class whose cases only differ by
/// their input (starting a mesh per case would dominate the run time); stopped before Azurite stops.
/// </summary>
internal sealed class SharedMesh
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Func<string, TestProduct[]> _products;
    private LocalMesh? _mesh;
    private TestProduct[] _created = [];

    public SharedMesh(Func<string, TestProduct[]> products, long maxInputBytes = 20L * 1024 * 1024 * 1024)
    {
        _products = products;
        MaxInputBytes = maxInputBytes;
    }

    public long MaxInputBytes { get; }

    public IReadOnlyList<TestProduct> Products => _created;

    public async Task<LocalMesh> GetAsync(AzuriteFixture azurite)
    {
        await _gate.WaitAsync();
        try
        {
            if (_mesh is null)
            {
                _created = _products("shared" + Guid.NewGuid().ToString("N")[..6]);
                var options = new LocalMeshOptions
                {
                    // The run's Azurite: each domain in its own account (one account only when DATAMESH_STORAGE chose it).
                    Azurite = azurite.Server,
                    ConnectionString = azurite.ConnectionString,
                    Namespace = AzuriteFixture.CreateNamespace(),
                    LoadPipelinesFolder = false,
                    StateDirectory = Path.Combine(_created[0].Root, ".datamesh"),
                };
                options.Pipeline.MaxInputBytes = MaxInputBytes;
                foreach (var product in _created)
                {
                    options.ExtraProductDirectories.Add(product.Directory);
                }

                _mesh = await LocalMesh.StartAsync(options);
                azurite.StopBeforeStorage(new Stopper(this));
            }

            return _mesh;
        }
        finally
        {
            _gate.Release();
        }
    }

    private sealed class Stopper(SharedMesh owner) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            if (owner._mesh is not null)
            {
                await owner._mesh.DisposeAsync();
            }

            foreach (var product in owner._created)
            {
                product.Dispose();
            }
        }
    }
}
