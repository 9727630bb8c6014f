namespace DataMesh.Catalog;

/// <summary>A product's lineage to a number of hops: the products reached (with their distance) and the edges between them.</summary>
public sealed record CatalogLineage
{
    public required string ProductId { get; init; }

    /// <summary><c>upstream</c>, <c>downstream</c> or <c>both</c>.</summary>
    public required string Direction { get; init; }

    public required int Depth { get; init; }

    public required IReadOnlyList<CatalogLineageNode> Nodes { get; init; }

    public required IReadOnlyList<CatalogLineageEdge> Edges { get; init; }

    /// <summary>
    /// Per output column, its upstream sources (this product's registered column lineage) and its downstream readers
    /// (products, in any domain, whose registered lineage reads it); empty when no column lineage is registered.
    /// </summary>
    public IReadOnlyList<CatalogColumnLineage> Columns { get; init; } = [];

    /// <summary>Where this product's column lineage is wider than exact (constructs not analysed), or why there is none.</summary>
    public IReadOnlyList<string> ColumnNotes { get; init; } = [];
}
