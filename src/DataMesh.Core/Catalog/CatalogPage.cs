namespace DataMesh.Catalog;

/// <summary>One page of results and the opaque token of the next page (null on the last page).</summary>
public sealed record CatalogPage<T>(IReadOnlyList<T> Items, string? ContinuationToken);
