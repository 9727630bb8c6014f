namespace DataMesh.Lineage;

/// <summary>The columns of one input that a transform reads anywhere (SELECT, WHERE, JOIN, GROUP BY, ORDER BY, windows, CTEs, subqueries).</summary>
/// <param name="Input">The product's input port (<c>inputs[].name</c>).</param>
/// <param name="Columns">The columns read, in the input's column order.</param>
/// <param name="Product">The upstream product the input reads, or null for a landing input.</param>
public sealed record ColumnLineageInput(string Input, IReadOnlyList<string> Columns, string? Product = null)
{
    /// <summary>
    /// Where the transform first reads each column, as <c>line:column</c> in its SQL file (<see cref="ColumnLineage.Transform"/>),
    /// by column; null when no position is known (a <c>*</c>). Positions only: no SQL text travels with them.
    /// </summary>
    public IReadOnlyDictionary<string, string>? At { get; init; }
}
