namespace DataMesh.Governance;

/// <summary>One contract change and the consumers that read what it changes.</summary>
/// <param name="Change">The change.</param>
/// <param name="Readers">The consumers that read the changed column (empty when none does, or the change is not about a column).</param>
public sealed record ChangeImpact(ContractChange Change, IReadOnlyList<ColumnRead> Readers)
{
    /// <summary>Whether the change is about a column that an existing consumer could read (an added column is read by no one yet).</summary>
    public bool AboutReadableColumn => Change.Property is not null && Change.Kind != ContractChangeKind.ColumnAdded;

    /// <summary>The change is about a column and no consumer in the mesh reads it.</summary>
    public bool ReadByNone => AboutReadableColumn && Readers.Count == 0;
}
