namespace DataMesh.Browser.Tests;

/// <summary>Every browser test shares one running sample mesh and one browser.</summary>
[CollectionDefinition(Name)]
public sealed class SampleMeshCollection : ICollectionFixture<SampleMeshFixture>
{
    public const string Name = "sample-mesh";
}
