namespace DataMesh.Catalog;

/// <summary>A product that reads a column of another (its registered column lineage says so), in any domain.</summary>
/// <param name="ProductId">The reading product.</param>
/// <param name="Input">Its input port that reads the column.</param>
/// <param name="Outputs">Its output columns computed from the column; empty when it only filters, joins, groups or sorts on it.</param>
public sealed record CatalogColumnReader(string ProductId, string Input, IReadOnlyList<string> Outputs);
