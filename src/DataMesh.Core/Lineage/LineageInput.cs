namespace DataMesh.Lineage;

/// <summary>An input relation of a transform for lineage: its port name, upstream product (null for landing) and columns (null: not known before data).</summary>
internal sealed record LineageInput(string Name, string? Product, IReadOnlyList<(string Name, string Type)>? Columns);
