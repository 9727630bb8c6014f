namespace DataMesh.Contracts;

/// <summary>An ODCS v3 data contract (Bitol Open Data Contract Standard), the parts the platform enforces.</summary>
public sealed record DataContract
{
    public required string ApiVersion { get; init; }

    public string Kind { get; init; } = "DataContract";

    public required string Id { get; init; }

    public string? Name { get; init; }

    public required string Version { get; init; }

    public string? Status { get; init; }

    /// <summary>The schema objects; a product's output is its first (and usually only) object.</summary>
    public required IReadOnlyList<SchemaObject> Schema { get; init; }

    /// <summary>Absolute path of the contract file.</summary>
    public required string Path { get; init; }

    /// <summary>
    /// Rules the platform keeps for reports but does not evaluate (ODCS <c>text</c> and <c>custom</c>), from every
    /// level (<see cref="QualityRule.Property"/> set for property rules). They never appear in the <c>Quality</c> lists.
    /// </summary>
    public IReadOnlyList<QualityRule> UnsupportedQuality { get; init; } = [];
}

/// <summary>A table-like object of the contract schema.</summary>
public sealed record SchemaObject
{
    public required string Name { get; init; }

    public string? PhysicalName { get; init; }

    public string? Description { get; init; }

    public required IReadOnlyList<ContractProperty> Properties { get; init; }

    /// <summary>Object-level quality rules (e.g. <c>rowCount</c>, <c>sql</c>).</summary>
    public IReadOnlyList<QualityRule> Quality { get; init; } = [];
}

/// <summary>A column of a schema object.</summary>
public sealed record ContractProperty
{
    public required string Name { get; init; }

    /// <summary>ODCS logical type: string, date, timestamp, time, number, integer, object, array, boolean.</summary>
    public string? LogicalType { get; init; }

    /// <summary>Engine type (DuckDB), e.g. <c>decimal(18,2)</c>, <c>varchar</c>.</summary>
    public string? PhysicalType { get; init; }

    public bool Required { get; init; }

    public bool Unique { get; init; }

    public bool PrimaryKey { get; init; }

    /// <summary>e.g. <c>public</c>, <c>internal</c>, <c>pii</c>, <c>restricted</c>.</summary>
    public string? Classification { get; init; }

    public string? Description { get; init; }

    /// <summary>
    /// How the column is masked where masking applies (e.g. in a public product): <c>hash</c>, <c>redact</c>,
    /// <c>truncate</c> or <c>null</c>, from the ODCS <c>customProperties</c> entry <c>{ property: masking, value: ... }</c>.
    /// </summary>
    public string? Masking { get; init; }

    /// <summary>
    /// The hash scope of a <c>hash</c>-masked column (ODCS <c>customProperties</c> entry <c>{ property: maskingScope,
    /// value: ... }</c>): the owning domain's products that declare the same scope hash equal values alike, so their
    /// releases join on the column; without it, the product's hashes are its own.
    /// </summary>
    public string? MaskingScope { get; init; }

    public IReadOnlyList<QualityRule> Quality { get; init; } = [];
}
