namespace DataMesh.Lineage;

/// <summary>
/// One input column an output column (or the whole output) depends on, with how, in OpenLineage's terms
/// (<c>ColumnLineageDatasetFacet</c> 1-2-0 transformations): <see cref="Type"/> <c>DIRECT</c> (the value is computed
/// from it: subtype <c>IDENTITY</c>, <c>TRANSFORMATION</c> or <c>AGGREGATION</c>) or <c>INDIRECT</c> (it decides which
/// rows or which branch: <c>FILTER</c>, <c>JOIN</c>, <c>GROUP_BY</c>, <c>SORT</c>, <c>WINDOW</c>, <c>CONDITIONAL</c>).
/// Names only, never values.
/// </summary>
/// <param name="Input">The product's input port (<c>inputs[].name</c>).</param>
/// <param name="Column">The input's column.</param>
/// <param name="Type"><c>DIRECT</c> or <c>INDIRECT</c>.</param>
/// <param name="Subtype">The OpenLineage subtype (see above).</param>
/// <param name="Product">The upstream product the input reads, or null for a landing input.</param>
public sealed record ColumnLineageSource(string Input, string Column, string Type, string Subtype, string? Product = null)
{
    /// <summary>The value is computed from the column.</summary>
    public const string Direct = "DIRECT";

    /// <summary>The column decides which rows or which branch, not the value.</summary>
    public const string Indirect = "INDIRECT";

    /// <summary><c>input.column</c>, then <c>DIRECT/IDENTITY</c>: the form the tests' expectations are written in.</summary>
    public override string ToString() => $"{Input}.{Column} {Type}/{Subtype}";
}
