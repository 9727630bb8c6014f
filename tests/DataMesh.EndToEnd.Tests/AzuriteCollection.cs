using DataMesh.Testing;

namespace DataMesh.EndToEnd.Tests;

/// <summary>Every test of this assembly shares one Azurite started by the tests themselves.</summary>
[CollectionDefinition(Name)]
public sealed class AzuriteCollection : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "azurite";
}
