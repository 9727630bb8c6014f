namespace DataMesh.Core.Tests.Conformance;

/// <summary>Locates <c>shared/standards/odcs</c> beside the repository (CI has it at <c>../shared/standards</c>); null when absent.</summary>
public static class StandardsFolder
{
    /// <summary>The folder holding the official ODCS JSON schemas and examples, or null.</summary>
    public static string? Odcs { get; } = Find();

    private static string? Find()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "shared", "standards", "odcs");
            if (File.Exists(Path.Combine(candidate, "odcs-json-schema-v3.1.0.json")))
            {
                return candidate;
            }
        }

        return null;
    }
}
