using DataMesh.Testing;

namespace DataMesh.Functions.Tests.Catalog;

/// <summary>Tests that share one Azurite for the run; each isolates itself with <see cref="AzuriteFixture.CreateStorage"/>.</summary>
[CollectionDefinition("azurite")]
public sealed class AzuriteCollection : ICollectionFixture<AzuriteFixture>
{
}
