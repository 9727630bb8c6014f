using DataMesh.Catalog;
using DataMesh.Pipeline;
using DataMesh.Storage;

namespace DataMesh.Local;

/// <summary>
/// The local catalog's domain registry: each domain of the mesh's products with the storage account its releases live
/// in (the account of its <c>products</c> container) and no data endpoint (the local host serves every release itself).
/// </summary>
public static class LocalDomainRegistry
{
    /// <summary>The registry of the domains of <paramref name="products"/>.</summary>
    public static DomainRegistry For(IProductRegistry products, MeshStorage storage)
    {
        ArgumentNullException.ThrowIfNull(products);
        ArgumentNullException.ThrowIfNull(storage);
        return new DomainRegistry(products.All
            .Select(p => p.Domain)
            .Distinct(StringComparer.Ordinal)
            .Select(domain => new RegisteredDomain(domain, AccountOf(storage.Products(domain).Uri))));
    }

    // The container's URI minus the container: https://<account>.blob.../ in Azure, http://127.0.0.1:<port>/<account>/ on Azurite.
    private static Uri AccountOf(Uri container)
    {
        var path = container.AbsolutePath.TrimEnd('/');
        return new Uri(container, path[..(path.LastIndexOf('/') + 1)]);
    }
}
