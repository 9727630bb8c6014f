namespace DataMesh.Catalog;

/// <summary>
/// Who reads a product's columns across the mesh (<c>GET /api/products/{id}/readers</c>), from the registrations in the
/// catalog: per column its readers to a number of hops, each with its input's version range. Names only.
/// </summary>
public sealed record CatalogReaders
{
    public required string ProductId { get; init; }

    /// <summary>Hops walked: 1 is the products that read the product itself.</summary>
    public required int Depth { get; init; }

    /// <summary>Per column, its sources (the product's own registered lineage) and its readers to <see cref="Depth"/> hops.</summary>
    public required IReadOnlyList<CatalogColumnLineage> Columns { get; init; }

    /// <summary>Where the product's own lineage is wider than exact, or why there is none.</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];
}
