using DataMesh.Testing;

namespace DataMesh.Functions.Tests.Catalog;

/// <summary>
/// Tests that share one Azurite for the run; each isolates itself with a namespace of its own. A Functions app holds one
/// account (its own domain's, by managed identity), so these tests use <see cref="AzuriteFixture.CreateSingleAccountStorage"/>.
/// </summary>
[CollectionDefinition("azurite")]
public sealed class AzuriteCollection : ICollectionFixture<AzuriteFixture>
{
}
