namespace DataMesh.Catalog;

/// <summary>A product that reads a column of another (its registered column lineage says so), in any domain.</summary>
/// <param name="ProductId">The reading product.</param>
/// <param name="Input">Its input port that reads the column.</param>
/// <param name="Outputs">Its output columns computed from the column; empty when it only filters, joins, groups or sorts on it.</param>
public sealed record CatalogColumnReader(string ProductId, string Input, IReadOnlyList<string> Outputs)
{
    /// <summary>
    /// Hops from the product asked about: 1 reads its column directly; 2 reads a column of a hop-1 reader computed from
    /// it (a reader of a reader), and so on.
    /// </summary>
    public int Hop { get; init; } = 1;

    /// <summary>The version range the reader's input accepts (<c>*</c> when it declares none), when registered.</summary>
    public string? Versions { get; init; }

    /// <summary>The product whose column this reader reads directly: the product asked about at hop 1, a reader beyond.</summary>
    public string? Through { get; init; }

    /// <summary>The column of <see cref="Through"/> it reads.</summary>
    public string? ThroughColumn { get; init; }

    /// <summary>
    /// Where the reader's SQL reads the column, <c>pipelines/&lt;domain&gt;/&lt;product&gt;/transform.sql:line:column</c>,
    /// from its registration (hop 1 and beyond: the read of <see cref="ThroughColumn"/>); null when not registered.
    /// </summary>
    public string? At { get; init; }
}
