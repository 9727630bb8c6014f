namespace DataMesh.Publishing;

/// <summary>What one retention pass did to a product.</summary>
/// <param name="ProductId">The product.</param>
/// <param name="Expired">Releases that expired in this pass, as <c>VERSION#RELEASE</c>.</param>
/// <param name="DeletedFiles">Data files deleted (blob names in the products container).</param>
/// <param name="HeldByReaders">Expired releases past their grace period kept for now because a reader holds them (<c>VERSION#RELEASE</c>).</param>
public sealed record RetentionSweepResult(string ProductId, IReadOnlyList<string> Expired, IReadOnlyList<string> DeletedFiles, IReadOnlyList<string> HeldByReaders);
