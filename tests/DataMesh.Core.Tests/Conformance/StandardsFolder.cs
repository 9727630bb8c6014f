namespace DataMesh.Core.Tests.Conformance;

/// <summary>Locates <c>shared/standards/*</c> beside the repository (CI has it at <c>../shared/standards</c>); null when absent.</summary>
public static class StandardsFolder
{
    /// <summary>The folder holding the official ODCS JSON schemas and examples, or null.</summary>
    public static string? Odcs { get; } = Find("odcs", "odcs-json-schema-v3.1.0.json");

    /// <summary>The folder holding the OpenLineage core spec (<c>OpenLineage.json</c>) and <c>facets/</c>, or null.</summary>
    public static string? OpenLineage { get; } = Find("openlineage", "OpenLineage.json");

    private static string? Find(string standard, string file)
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "shared", "standards", standard);
            if (File.Exists(Path.Combine(candidate, file)))
            {
                return candidate;
            }
        }

        return null;
    }
}
