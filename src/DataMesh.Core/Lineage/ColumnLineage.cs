namespace DataMesh.Lineage;

/// <summary>
/// A transform's column-level lineage, derived from DuckDB's parse tree over its inputs' schemas: for each output
/// column its input columns, for each input the columns the SQL reads, and the columns that shape the whole output
/// (WHERE, JOIN ON, GROUP BY, ORDER BY...). Where a construct is not understood the lineage widens to every column of
/// the inputs in scope, never narrows, and <see cref="Notes"/> says so.
/// </summary>
public sealed record ColumnLineage
{
    /// <summary>Output columns in the transform's SELECT order.</summary>
    public required IReadOnlyList<ColumnLineageOutput> Outputs { get; init; }

    /// <summary>Per input (in declaration order), the columns the transform reads; inputs it does not read are absent.</summary>
    public required IReadOnlyList<ColumnLineageInput> Reads { get; init; }

    /// <summary>Columns that decide the whole output's rows (filters, join keys, grouping, sorting): always <c>INDIRECT</c>.</summary>
    public required IReadOnlyList<ColumnLineageSource> Dataset { get; init; }

    /// <summary>What was not understood and widened (empty when the lineage is exact).</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];

    /// <summary>
    /// The transform's SQL file, relative to the mesh repository (<c>pipelines/&lt;domain&gt;/&lt;product&gt;/transform.sql</c>):
    /// the file the <see cref="ColumnLineageInput.At"/> positions are in. Null when the lineage was not derived from a spec.
    /// </summary>
    public string? Transform { get; init; }

    /// <summary>The sources of <paramref name="output"/>, or an empty list when there is no such output column.</summary>
    public IReadOnlyList<ColumnLineageSource> SourcesOf(string output) =>
        Outputs.FirstOrDefault(o => string.Equals(o.Name, output, StringComparison.OrdinalIgnoreCase))?.Sources ?? [];
}
