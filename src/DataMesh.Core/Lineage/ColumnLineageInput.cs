namespace DataMesh.Lineage;

/// <summary>The columns of one input that a transform reads anywhere (SELECT, WHERE, JOIN, GROUP BY, ORDER BY, windows, CTEs, subqueries).</summary>
/// <param name="Input">The product's input port (<c>inputs[].name</c>).</param>
/// <param name="Columns">The columns read, in the input's column order.</param>
/// <param name="Product">The upstream product the input reads, or null for a landing input.</param>
public sealed record ColumnLineageInput(string Input, IReadOnlyList<string> Columns, string? Product = null);
