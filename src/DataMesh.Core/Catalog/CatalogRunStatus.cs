namespace DataMesh.Catalog;

/// <summary>Statuses of a run in the <c>Runs</c> table: the same words as <c>datamesh run --json</c> prints.</summary>
public static class CatalogRunStatus
{
    public const string Published = "Published";

    public const string QualityFailed = "QualityFailed";

    public const string Failed = "Failed";

    /// <summary>An operator cancelled the run (Ctrl+C, <c>datamesh runs cancel</c>, the operator route): nothing published, its landing input kept.</summary>
    public const string Cancelled = "Cancelled";
}
