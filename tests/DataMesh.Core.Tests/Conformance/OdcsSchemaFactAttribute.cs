namespace DataMesh.Core.Tests.Conformance;

/// <summary>A fact that needs the official ODCS JSON schemas, skipped with a reason when <c>shared/standards/odcs</c> is absent.</summary>
public sealed class OdcsSchemaFactAttribute : FactAttribute
{
    public OdcsSchemaFactAttribute()
    {
        if (StandardsFolder.Odcs is null)
        {
            Skip = "shared/standards/odcs (the official ODCS JSON schemas) not found above " + AppContext.BaseDirectory + "; CI has it at ../shared/standards.";
        }
    }
}
