namespace DataMesh.Catalog;

/// <summary>
/// Data flows from <see cref="Upstream"/> to <see cref="Downstream"/>: declared as an input in the spec, observed in a
/// published release's lineage, or both.
/// </summary>
public sealed record CatalogLineageEdge(string Upstream, string Downstream, bool Declared, bool Observed);
