using DataMesh.Testing;

namespace DataMesh.Core.Tests.Governance;

/// <summary>Files of this repository (the shipped samples, mesh.yaml, schemas), found by walking up from the test binaries.</summary>
internal static class RepositoryFiles
{
    /// <summary>The folder holding <c>DataMesh.Functions.sln</c>.</summary>
    public static string Root => RepositoryRoot.Path;

    public static string Pipelines => Path.Combine(Root, "pipelines");

    public static string MeshFile => Path.Combine(Pipelines, "mesh.yaml");

    public static string ProductSchema => Path.Combine(Root, "schemas", "product.schema.json");

    public static string MeshSchema => Path.Combine(Root, "schemas", "mesh.schema.json");
}
