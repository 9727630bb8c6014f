namespace DataMesh.Testing;

/// <summary>Locates the clone these tests run from: the folder holding <c>DataMesh.Functions.sln</c>.</summary>
public static class RepositoryRoot
{
    private const string SolutionFile = "DataMesh.Functions.sln";

    /// <summary>The clone's root folder.</summary>
    public static string Path { get; } = Find();

    /// <summary><paramref name="parts"/> under the clone's root, e.g. <c>Combine("pipelines", "finance")</c>.</summary>
    public static string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    private static string Find()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(directory.FullName, SolutionFile)))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No {SolutionFile} above {AppContext.BaseDirectory}: run the tests from a clone of the repository.");
    }
}
