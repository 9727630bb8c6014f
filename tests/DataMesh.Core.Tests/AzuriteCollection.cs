using DataMesh.Testing;

namespace DataMesh.Core.Tests;

/// <summary>
/// Tests that share one Azurite for the whole run; each isolates itself with <see cref="AzuriteFixture.CreateMesh"/> (a
/// namespace of its own, the hub account for the catalog and queues, each domain in its own account with its own key).
/// </summary>
[CollectionDefinition("azurite")]
public sealed class AzuriteCollection : ICollectionFixture<AzuriteFixture>
{
}
