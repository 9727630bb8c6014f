namespace DataMesh.Catalog;

/// <summary>A product as declared in its <c>product.yaml</c>, recorded in the catalog before (and beside) its releases.</summary>
public sealed record ProductRegistration(
    string Domain,
    string Name,
    string Version,
    string Description,
    string OwnerTeam,
    string OwnerEmail,
    IReadOnlyList<string> Tags,
    string Visibility)
{
    /// <summary><c>&lt;domain&gt;.&lt;name&gt;</c>.</summary>
    public string ProductId => $"{Domain}.{Name}";

    /// <summary>The promised maximum age of the newest release (<c>sla.freshness</c>, ISO 8601), when declared.</summary>
    public string? Freshness { get; init; }
}
