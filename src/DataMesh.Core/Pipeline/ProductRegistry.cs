using System.Collections.Concurrent;
using DataMesh.Specs;

namespace DataMesh.Pipeline;

/// <summary>Products loaded from folders on disk (a mesh's <c>pipelines/</c> plus any extra product folders).</summary>
public sealed class ProductRegistry : IProductRegistry
{
    // Replaced whole by ReplaceWith (one reference write): a reader sees the old specs or the new ones, never a mix.
    private volatile ConcurrentDictionary<string, ProductSpec> _products = new(StringComparer.Ordinal);

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

    /// <summary>
    /// Takes <paramref name="other"/>'s products in place of these, at once (<c>datamesh up</c> reloading its specs): every
    /// holder of this registry (runtime, trigger routing, freshness, stuck-run detector) sees the new specs from then on.
    /// </summary>
    public void ReplaceWith(ProductRegistry other)
    {
        ArgumentNullException.ThrowIfNull(other);
        _products = new ConcurrentDictionary<string, ProductSpec>(other._products, StringComparer.Ordinal);
    }

    /// <summary>The products as they are now, unchanged by a later <see cref="ReplaceWith"/> (what a run in progress keeps).</summary>
    public ProductRegistry Snapshot() => new() { _products = _products };

    /// <summary>Adds or replaces a product.</summary>
    public void Add(ProductSpec spec) => _products[spec.Id] = spec;

    public ProductSpec Get(string productId)
    {
        var products = _products;
        return products.TryGetValue(productId, out var spec)
            ? spec
            : throw new KeyNotFoundException($"Product '{productId}' is not part of this mesh (known: {string.Join(", ", products.Keys.Order(StringComparer.Ordinal))}).");
    }
}
