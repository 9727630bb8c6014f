namespace DataMesh.Catalog;

/// <summary>One column of a product's output contract, as the catalog shows it: type, keys and classification.</summary>
public sealed record CatalogColumn
{
    /// <summary>The contract's schema object the column belongs to (its table).</summary>
    public required string Object { get; init; }

    public required string Name { get; init; }

    public string? LogicalType { get; init; }

    public string? PhysicalType { get; init; }

    public bool Required { get; init; }

    public bool Unique { get; init; }

    public bool PrimaryKey { get; init; }

    /// <summary>The contract's classification of the column (e.g. <c>public</c>, <c>internal</c>, <c>pii</c>), when declared.</summary>
    public string? Classification { get; init; }

    public string? Masking { get; init; }

    public string? Description { get; init; }
}
