using DataMesh.Specs;

namespace DataMesh.Governance;

/// <summary>One evaluation's view of the mesh: the products checked, every product by id, and lazily read source maps.</summary>
internal sealed class PolicyScope
{
    private readonly Dictionary<string, YamlSourceMap> _maps = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IReadOnlySet<string>> _maskedInSql = new(StringComparer.Ordinal);

    public PolicyScope(IReadOnlyCollection<ProductSpec> products, PolicyContext context)
    {
        Products = products;
        var mesh = context.MeshProducts ?? products;
        MeshProducts = mesh.GroupBy(p => p.Id, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        UnloadedProducts = context.UnloadedProducts.ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>The products whose violations are reported.</summary>
    public IReadOnlyCollection<ProductSpec> Products { get; }

    /// <summary>Every loaded product of the mesh, by id.</summary>
    public IReadOnlyDictionary<string, ProductSpec> MeshProducts { get; }

    public IReadOnlySet<string> UnloadedProducts { get; }

    /// <summary>Where <paramref name="path"/> is written in the product's <c>product.yaml</c>.</summary>
    public SourceLocation InSpec(ProductSpec product, string path) => Map(product.SpecPath).Locate(path);

    /// <summary>Where <paramref name="path"/> is written in the product's contract.</summary>
    public SourceLocation InContract(ProductSpec product, string path) => Map(product.Contract.Path).Locate(path);

    /// <summary>The output columns the product's SQL masks itself (see <see cref="SqlMasking"/>), computed once per product.</summary>
    public IReadOnlySet<string> MaskedInSql(ProductSpec product)
    {
        if (!_maskedInSql.TryGetValue(product.Id, out var masked))
        {
            masked = SqlMasking.MaskedColumns(product.TransformSql);
            _maskedInSql[product.Id] = masked;
        }

        return masked;
    }

    private YamlSourceMap Map(string fullPath)
    {
        if (!_maps.TryGetValue(fullPath, out var map))
        {
            map = YamlSourceMap.Read(fullPath);
            _maps[fullPath] = map;
        }

        return map;
    }
}
