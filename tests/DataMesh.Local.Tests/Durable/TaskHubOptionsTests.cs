namespace DataMesh.Local.Tests.Durable;

/// <summary>
/// Which durable task hub a mesh's runs live in: two meshes sharing one storage account must not share a hub (a worker
/// takes any orchestration or activity of its hub, so one mesh's host would run, and fail, the other's runs).
/// </summary>
[Collection("environment")]
public sealed class TaskHubOptionsTests
{
    [Fact]
    public void ResolveTaskHub_DataMeshTaskHubSet_NamesTheHubAndTheNamespaceStillSeparatesMeshes()
    {
        var before = Environment.GetEnvironmentVariable(LocalMeshOptions.TaskHubVariable);
        Environment.SetEnvironmentVariable(LocalMeshOptions.TaskHubVariable, "MeshOne");
        try
        {
            Assert.Equal("MeshOne", new LocalMeshOptions().ResolveTaskHub());
            Assert.Equal("MeshOneAbc1", new LocalMeshOptions { Namespace = "abc1" }.ResolveTaskHub());
        }
        finally
        {
            Environment.SetEnvironmentVariable(LocalMeshOptions.TaskHubVariable, before);
        }
    }

    [Fact]
    public void ResolveTaskHub_NothingSet_KeepsTheHubOfEarlierVersions()
    {
        Assert.Equal("DataMesh", new LocalMeshOptions { TaskHub = null }.ResolveTaskHub());
        Assert.Equal("DataMeshAbc1", new LocalMeshOptions { TaskHub = null, Namespace = "abc1" }.ResolveTaskHub());
    }

    [Theory]
    [InlineData("ab")]
    [InlineData("1mesh")]
    [InlineData("mesh-one")]
    public void ResolveTaskHub_NameStorageRefuses_ThrowsNamingTheSetting(string hub)
    {
        var error = Assert.Throws<InvalidOperationException>(() => new LocalMeshOptions { TaskHub = hub }.ResolveTaskHub());
        Assert.Contains(LocalMeshOptions.TaskHubVariable, error.Message, StringComparison.Ordinal);
        Assert.Contains($"'{hub}'", error.Message, StringComparison.Ordinal);
    }
}
