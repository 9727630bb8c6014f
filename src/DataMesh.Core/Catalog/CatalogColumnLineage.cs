using DataMesh.Lineage;

namespace DataMesh.Catalog;

/// <summary>One output column of a product: the input columns it comes from (upstream) and the products that read it (downstream). Names only.</summary>
public sealed record CatalogColumnLineage
{
    public required string Column { get; init; }

    /// <summary>Its sources: the input port, the upstream product (null for a landing input), the column and how (OpenLineage type/subtype).</summary>
    public IReadOnlyList<ColumnLineageSource> Sources { get; init; } = [];

    /// <summary>Products whose transform reads this column, and which of their columns it feeds.</summary>
    public IReadOnlyList<CatalogColumnReader> Readers { get; init; } = [];
}
