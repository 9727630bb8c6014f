namespace DataMesh.Lineage;

/// <summary>An output column of a transform and the input columns it is computed from (direct) or depends on (indirect).</summary>
/// <param name="Name">The output column, as DuckDB names it.</param>
/// <param name="Sources">Its sources, in input then column order.</param>
public sealed record ColumnLineageOutput(string Name, IReadOnlyList<ColumnLineageSource> Sources);
