namespace DataMesh.Core.Tests.Conformance;

/// <summary>A fact that needs the official OpenLineage schemas, skipped with a reason when <c>shared/standards/openlineage</c> is absent.</summary>
public sealed class OpenLineageSchemaFactAttribute : FactAttribute
{
    public OpenLineageSchemaFactAttribute()
    {
        if (StandardsFolder.OpenLineage is null)
        {
            Skip = "shared/standards/openlineage (the official OpenLineage spec and facet schemas) not found above " + AppContext.BaseDirectory + "; CI has it at ../shared/standards.";
        }
    }
}
