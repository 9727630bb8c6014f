namespace DataMesh.Catalog;

/// <summary>Statuses of a run in the <c>Runs</c> table: the same words as <c>datamesh run --json</c> prints.</summary>
public static class CatalogRunStatus
{
    public const string Published = "Published";

    public const string QualityFailed = "QualityFailed";

    public const string Failed = "Failed";
}
