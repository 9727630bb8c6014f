namespace DataMesh.Governance;

/// <summary>A consumer that reads a changed column, where, and whether the change breaks it.</summary>
/// <param name="Consumer">The consumer and the range it reads the upstream through.</param>
/// <param name="File">The file where the consumer reads the column (its transform SQL; its contract for a <c>SELECT *</c> whose output would change).</param>
/// <param name="Line">1-based line in <paramref name="File"/>.</param>
/// <param name="Column">1-based column in <paramref name="File"/>.</param>
/// <param name="Detail">What binding the consumer without the column (or with the changed column) said.</param>
/// <param name="InNewRange">Whether the consumer's range accepts the new version (else it stays on the old one).</param>
/// <param name="Breaks">Whether the change breaks the consumer: it is in the new range and the column is removed, narrowed or changed, or it no longer binds.</param>
public sealed record ColumnRead(ConsumerInput Consumer, string File, int Line, int Column, string Detail, bool InNewRange, bool Breaks)
{
    /// <summary>The consumer's location as diagnostics print it.</summary>
    public string Location => $"{File}:{Line}:{Column}";
}
