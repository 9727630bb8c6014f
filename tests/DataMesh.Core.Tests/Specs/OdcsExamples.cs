namespace DataMesh.Core.Tests.Specs;

/// <summary>Locates the ODCS example contracts shipped in <c>shared/standards/odcs/examples</c> beside the repository.</summary>
public static class OdcsExamples
{
    /// <summary>The examples folder, found by walking up from the test binaries; null when absent.</summary>
    public static string? Folder { get; } = Find();

    /// <summary>Every <c>*.odcs.yaml</c> example, by file name (empty when the folder is absent).</summary>
    public static TheoryData<string> Files
    {
        get
        {
            var data = new TheoryData<string>();
            if (Folder is not null)
            {
                foreach (var file in Directory.EnumerateFiles(Folder, "*.odcs.yaml").Order(StringComparer.Ordinal))
                {
                    data.Add(Path.GetFileName(file));
                }
            }

            return data;
        }
    }

    private static string? Find()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "shared", "standards", "odcs", "examples");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
