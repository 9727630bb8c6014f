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

    /// <summary>
    /// The same runs, newest first for paged reads: PartitionKey = product id, RowKey = inverted time of the outcome and
    /// run id (<see cref="CatalogProjection.RunTimeKey"/>). A copy of each <see cref="Runs"/> row.
    /// </summary>
    public const string RunsByTime = "RunsByTime";

    /// <summary>Lineage edges by consumer: PartitionKey = downstream product id, RowKey = upstream product id.</summary>
    public const string Lineage = "Lineage";

    /// <summary>The same edges by producer (mirror of <see cref="Lineage"/>): PartitionKey = upstream, RowKey = downstream.</summary>
    public const string LineageDownstream = "LineageDownstream";

    /// <summary>Quality rule results per run, newest run first: PartitionKey = product id, RowKey = inverted time, run id and rule index.</summary>
    public const string QualityHistory = "QualityHistory";

    /// <summary>
    /// Quarantined inputs from the failure announcements, newest first: PartitionKey = product id, RowKey = inverted time
    /// and file name. What the hub's catalog (which reads no domain's storage) lists as a product's quarantine.
    /// </summary>
    public const string Quarantine = "Quarantine";

    /// <summary>
    /// The <see cref="Quarantine"/> rows of files that came from landing, by landing name: PartitionKey = product id,
    /// RowKey = file name and inverted time (the <see cref="Quarantine"/> row's key the other way round). A release that
    /// read a file clears its rows with a range query on this key, not a read of the product's whole quarantine.
    /// </summary>
    public const string QuarantineByLanding = "QuarantineByLanding";

    /// <summary>Every catalog table, e.g. to create them all.</summary>
    public static IReadOnlyList<string> All { get; } = [Products, Releases, Runs, RunsByTime, Lineage, LineageDownstream, QualityHistory, Quarantine, QuarantineByLanding];
}
