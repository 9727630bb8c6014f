using DataMesh.Specs;

namespace DataMesh.Pipeline;

/// <summary>Resolves product ids to their loaded specs (in Azure: the app's deployed <c>pipelines/</c>).</summary>
public interface IProductRegistry
{
    /// <summary>The spec of <paramref name="productId"/>; throws <see cref="KeyNotFoundException"/> when unknown.</summary>
    ProductSpec Get(string productId);

    /// <summary>All products served here.</summary>
    IReadOnlyCollection<ProductSpec> All { get; }
}
