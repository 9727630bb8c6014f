namespace DataMesh.Governance;

/// <summary>What <see cref="ProductScaffold"/> writes into a new product besides its id.</summary>
public sealed record ProductScaffoldOptions
{
    /// <summary>The owning team; default "&lt;Domain&gt; team".</summary>
    public string? Team { get; init; }

    /// <summary>The owner email; default <c>&lt;domain&gt;-data@example.com</c>.</summary>
    public string? OwnerEmail { get; init; }

    /// <summary><c>public</c>, <c>domain</c> (default) or <c>restricted</c>.</summary>
    public string Visibility { get; init; } = "domain";
}
