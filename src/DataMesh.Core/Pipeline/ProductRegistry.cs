using System.Collections.Concurrent;
using DataMesh.Specs;

namespace DataMesh.Pipeline;

/// <summary>Products loaded from folders on disk (a mesh's <c>pipelines/</c> plus any extra product folders).</summary>
public sealed class ProductRegistry : IProductRegistry
{
    private readonly ConcurrentDictionary<string, ProductSpec> _products = new(StringComparer.Ordinal);

    public IReadOnlyCollection<ProductSpec> All => _products.Values.OrderBy(p => p.Id, StringComparer.Ordinal).ToList();

    /// <summary>
    /// Loads every product under <paramref name="pipelinesRoot"/>; throws <see cref="SpecValidationException"/> with every
    /// problem found, those across products included (<see cref="MeshSpecChecks"/>: overlapping landing paths, unknown upstreams),
    /// so no host starts on a mesh that would route a file to the wrong product.
    /// </summary>
    public static ProductRegistry LoadFrom(string pipelinesRoot)
    {
        var registry = new ProductRegistry();
        var diagnostics = new List<SpecDiagnostic>();
        if (System.IO.Directory.Exists(pipelinesRoot))
        {
            foreach (var dir in ProductSpecLoader.FindProductDirectories(pipelinesRoot))
            {
                try
                {
                    registry.Add(ProductSpecLoader.Load(dir));
                }
                catch (SpecValidationException ex)
                {
                    diagnostics.AddRange(ex.Diagnostics);
                }
            }
        }

        if (diagnostics.Count == 0)
        {
            diagnostics.AddRange(MeshSpecChecks.Check(registry.All).Where(d => d.Severity == DiagnosticSeverity.Error));
        }

        return diagnostics.Count > 0 ? throw new SpecValidationException(diagnostics) : registry;
    }

    /// <summary>Adds or replaces a product.</summary>
    public void Add(ProductSpec spec) => _products[spec.Id] = spec;

    public ProductSpec Get(string productId) =>
        _products.TryGetValue(productId, out var spec)
            ? spec
            : throw new KeyNotFoundException($"Product '{productId}' is not part of this mesh (known: {string.Join(", ", _products.Keys.Order(StringComparer.Ordinal))}).");
}
