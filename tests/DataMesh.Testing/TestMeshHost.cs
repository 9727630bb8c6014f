using DataMesh.Local;

namespace DataMesh.Testing;

/// <summary>
/// A local mesh over products written to temporary folders, in a namespace of its own in the shared Azurite: add
/// the products, start the mesh once, dispose it with the products. The set-up the multi-product end-to-end tests share.
/// </summary>
public sealed class TestMeshHost(AzuriteFixture azurite) : IAsyncDisposable
{
    private readonly List<(string Directory, string Root, IDisposable Owner)> _products = [];

    /// <summary>The mesh, once <see cref="StartAsync"/> ran.</summary>
    public LocalMesh? Mesh { get; private set; }

    /// <summary>Serves the product in <paramref name="directory"/>; <paramref name="owner"/> (its folder) is disposed with the host.</summary>
    public void Add(string directory, string root, IDisposable owner)
    {
        ArgumentNullException.ThrowIfNull(owner);
        _products.Add((directory, root, owner));
    }

    /// <summary>Starts the mesh over the products added so far (its state under the first product's root, no pipelines/ folder).</summary>
    public async Task<LocalMesh> StartAsync()
    {
        var options = new LocalMeshOptions
        {
            // The run's Azurite: every domain in its own account (the connection string only when DATAMESH_STORAGE set one).
            Azurite = azurite.Server,
            ConnectionString = azurite.ConnectionString,
            Namespace = AzuriteFixture.CreateNamespace(),
            LoadPipelinesFolder = false,
            StateDirectory = Path.Combine(_products[0].Root, ".datamesh"),
        };
        foreach (var product in _products)
        {
            options.ExtraProductDirectories.Add(product.Directory);
        }

        Mesh = await LocalMesh.StartAsync(options);
        return Mesh;
    }

    public async ValueTask DisposeAsync()
    {
        if (Mesh is not null)
        {
            await Mesh.DisposeAsync();
        }

        _products.ForEach(p => p.Owner.Dispose());
    }
}
