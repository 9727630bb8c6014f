namespace DataMesh.Governance;

/// <summary>One change between two versions of a contract, with the version bump it needs.</summary>
/// <param name="Kind">What changed.</param>
/// <param name="Bump">The smallest version increment the change needs.</param>
/// <param name="Object">The schema object (table) changed.</param>
/// <param name="Property">The column changed, when the change is about one.</param>
/// <param name="Description">What changed, in words (e.g. "amount: decimal(18,2) -> decimal(10,2)").</param>
public sealed record ContractChange(ContractChangeKind Kind, VersionBump Bump, string Object, string? Property, string Description)
{
    public override string ToString() => $"{Bump.ToString().ToLowerInvariant(),-5}  {Description}";
}
