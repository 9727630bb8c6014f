namespace DataMesh.Storage;

/// <summary>How the mesh's containers, queues and tables are named in one storage account.</summary>
public sealed class MeshStorageOptions
{
    /// <summary>
    /// True on the local mesh, where every domain shares one (Azurite) account and its containers are
    /// named <c>&lt;domain&gt;-landing</c>; false in Azure, where each domain has its own account and the
    /// containers are exactly <c>landing</c>, <c>products</c>, <c>quarantine</c> (DESIGN §5).
    /// </summary>
    public bool DomainPrefixedContainers { get; set; } = true;

    /// <summary>
    /// Optional lowercase alphanumeric prefix for every container, queue and table name, so several
    /// meshes (or test runs) can share one storage account. Empty by default.
    /// </summary>
    public string Namespace { get; set; } = "";
}
