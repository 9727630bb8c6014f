using DataMesh.Core.Tests.Governance;
using DataMesh.Core.Tests.Publishing;
using DataMesh.Pipeline;
using DataMesh.Storage;

namespace DataMesh.Core.Tests.Pipeline;

/// <summary>
/// A registry replaced while runs go on (<c>datamesh up</c> reloading its specs): new runs get the new specs, a run in
/// progress keeps those it started with.
/// </summary>
public sealed class SpecReloadPinTests
{
    [Fact]
    public void ProductsOf_RegistryReplacedDuringARun_TheRunKeepsItsSpecsAndANewRunGetsTheNewOnes()
    {
        // Arrange: run-1 has looked its spec up (its first stage ran).
        var registry = ProductRegistry.LoadFrom(RepositoryFiles.Pipelines);
        var runtime = new PipelineRuntime(MeshStorage.FromConnectionString("UseDevelopmentStorage=true"), registry, new RecordingPublisher());
        var started = runtime.ProductsOf("run-1").Get("sales.opportunities");
        var edited = new ProductRegistry();
        foreach (var spec in registry.All)
        {
            edited.Add(spec.Id == "sales.opportunities" ? spec with { Version = "1.1.0" } : spec);
        }

        // Act
        registry.ReplaceWith(edited);

        // Assert
        Assert.Same(started, runtime.ProductsOf("run-1").Get("sales.opportunities"));
        Assert.Equal("1.1.0", runtime.ProductsOf("run-2").Get("sales.opportunities").Version);
        Assert.Equal("1.1.0", registry.Get("sales.opportunities").Version);
        Assert.Equal(edited.All.Select(p => p.Id), registry.All.Select(p => p.Id));
    }
}
