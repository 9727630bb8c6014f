namespace DataMesh.Core.Tests.Specs;

/// <summary>A theory over the ODCS example contracts, skipped with a reason when the shared standards folder is absent.</summary>
public sealed class OdcsExampleTheoryAttribute : TheoryAttribute
{
    public OdcsExampleTheoryAttribute()
    {
        if (OdcsExamples.Folder is null)
        {
            Skip = "shared/standards/odcs/examples not found above " + AppContext.BaseDirectory + " (CI has it at ../shared/standards).";
        }
    }
}
