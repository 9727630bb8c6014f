namespace DataMesh.Catalog;

/// <summary>Names of the mesh-wide catalog tables (before the <see cref="Storage.MeshStorage"/> namespace prefix).</summary>
public static class CatalogTables
{
    /// <summary>One row per product: PartitionKey = domain, RowKey = name; declared fields and the latest release.</summary>
    public const string Products = "Products";

    /// <summary>One row per release: PartitionKey = product id, RowKey = version and release, newest first.</summary>
    public const string Releases = "Releases";

    /// <summary>One row per pipeline run that announced an outcome: PartitionKey = product id, RowKey = run id.</summary>
    public const string Runs = "Runs";
}
