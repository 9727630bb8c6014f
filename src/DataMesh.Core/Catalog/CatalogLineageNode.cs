namespace DataMesh.Catalog;

/// <summary>A product reached in a lineage walk: how many hops away, and on which side.</summary>
public sealed record CatalogLineageNode(string ProductId, int Hops, string Direction);
