namespace DataMesh.Core.Tests.Governance;

/// <summary>Files of this repository (the shipped samples, mesh.yaml, schemas), found by walking up from the test binaries.</summary>
internal static class RepositoryFiles
{
    /// <summary>The folder holding <c>DataMesh.Functions.sln</c>.</summary>
    public static string Root { get; } = Find();

    public static string Pipelines => Path.Combine(Root, "pipelines");

    public static string MeshFile => Path.Combine(Pipelines, "mesh.yaml");

    public static string ProductSchema => Path.Combine(Root, "schemas", "product.schema.json");

    public static string MeshSchema => Path.Combine(Root, "schemas", "mesh.schema.json");

    private static string Find()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "DataMesh.Functions.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("DataMesh.Functions.sln not found above " + AppContext.BaseDirectory);
    }
}
