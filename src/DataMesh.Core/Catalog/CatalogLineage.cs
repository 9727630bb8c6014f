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
}
