using DataMesh.Core.Tests.Specs;
using DataMesh.Governance;
using DataMesh.Specs;

namespace DataMesh.Core.Tests.Governance;

public sealed class MeshScaffoldTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Baseline_IsTheShippedMeshPolicies()
    {
        // Act
        var baseline = MeshPolicies.Baseline;
        var shipped = MeshPoliciesLoader.Load(RepositoryFiles.MeshFile);

        // Assert: every policy the engine knows, as the sample mesh enforces them, and no exemption.
        Assert.Equal(shipped.Policies.Select(p => (p.Id, p.Severity)), baseline.Policies.Select(p => (p.Id, p.Severity)));
        Assert.Equal(11, baseline.Policies.Count);
        Assert.Empty(baseline.Exemptions);
    }

    [Fact]
    public void Write_EmptyFolder_WritesMeshYamlAndSchemasThatLoad()
    {
        // Act
        var written = MeshScaffold.Write(_temp.Path);

        // Assert
        Assert.Equal(["pipelines/mesh.yaml", "schemas/mesh.schema.json", "schemas/product.schema.json"], written);
        var mesh = MeshPoliciesLoader.Read(Path.Combine(_temp.Path, "pipelines", "mesh.yaml"));
        Assert.Empty(mesh.Diagnostics);
        Assert.Equal(11, mesh.Policies!.Policies.Count);
        Assert.Equal(File.ReadAllText(RepositoryFiles.ProductSchema), File.ReadAllText(Path.Combine(_temp.Path, "schemas", "product.schema.json")));
        Assert.Equal(File.ReadAllText(RepositoryFiles.MeshSchema), File.ReadAllText(Path.Combine(_temp.Path, "schemas", "mesh.schema.json")));
        // mesh.yaml's $schema line resolves to the copy written beside it.
        var schemaLine = File.ReadLines(Path.Combine(_temp.Path, "pipelines", "mesh.yaml")).First();
        Assert.Equal("# yaml-language-server: $schema=../schemas/mesh.schema.json", schemaLine);
    }

    [Fact]
    public void Write_ExistingMeshYaml_KeepsItUnlessForced()
    {
        // Arrange
        var mine = _temp.Write(Path.Combine("pipelines", "mesh.yaml"), "apiVersion: datamesh/v1\nkind: Mesh\npolicies: []\n");

        // Act
        var written = MeshScaffold.Write(_temp.Path);
        var kept = File.ReadAllText(mine);
        var forced = MeshScaffold.Write(_temp.Path, force: true);

        // Assert
        Assert.DoesNotContain("pipelines/mesh.yaml", written);
        Assert.Equal("apiVersion: datamesh/v1\nkind: Mesh\npolicies: []\n", kept);
        Assert.Contains("pipelines/mesh.yaml", forced);
        Assert.Equal(MeshScaffold.BaselineText, File.ReadAllText(mine));
    }

    [Fact]
    public void ProductScaffoldWrite_InAMeshOutsideAClone_PointsAtTheLocalSchemaCopy()
    {
        // Arrange: a mesh started with init, in its own repository.
        Directory.CreateDirectory(Path.Combine(_temp.Path, ".git"));
        MeshScaffold.Write(_temp.Path);

        // Act
        var directory = ProductScaffold.Write(Path.Combine(_temp.Path, "pipelines"), "finance", "ledger-apac");

        // Assert
        var line = File.ReadLines(Path.Combine(directory, "product.yaml")).First();
        Assert.Equal("# yaml-language-server: $schema=../../../schemas/product.schema.json", line);
        Assert.True(File.Exists(Path.GetFullPath(Path.Combine(directory, "../../../schemas/product.schema.json"))));
        Assert.Empty(ProductSpecLoader.Validate(directory));
    }
}
