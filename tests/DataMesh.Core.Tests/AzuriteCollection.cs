using DataMesh.Testing;

namespace DataMesh.Core.Tests;

/// <summary>Tests that share one Azurite for the whole run; each isolates itself with <see cref="AzuriteFixture.CreateStorage"/>.</summary>
[CollectionDefinition("azurite")]
public sealed class AzuriteCollection : ICollectionFixture<AzuriteFixture>
{
}
