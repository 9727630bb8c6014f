namespace DataMesh.Core.Tests.Conformance;

/// <summary>
/// A fact that needs the official <c>ColumnLineageDatasetFacet.json</c> (1-2-0) in <c>shared/standards/openlineage/facets</c>,
/// skipped with a reason when that file is absent (the folder's other facets do not cover it).
/// </summary>
public sealed class ColumnLineageSchemaFactAttribute : FactAttribute
{
    public ColumnLineageSchemaFactAttribute()
    {
        if (StandardsFolder.OpenLineage is not { } folder || !File.Exists(Path.Combine(folder, "facets", "ColumnLineageDatasetFacet.json")))
        {
            Skip = "shared/standards/openlineage/facets/ColumnLineageDatasetFacet.json (OpenLineage spec/facets, 1-2-0) not found above " + AppContext.BaseDirectory + "; add it beside the other facet schemas.";
        }
    }
}
