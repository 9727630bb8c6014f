using DataMesh.Testing;

namespace DataMesh.Local.Tests;

/// <summary>Tests that share the run's one Azurite.</summary>
[CollectionDefinition("azurite")]
public sealed class AzuriteCollection : ICollectionFixture<AzuriteFixture>;
