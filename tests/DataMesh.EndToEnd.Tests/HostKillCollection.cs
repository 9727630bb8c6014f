using DataMesh.Testing;

namespace DataMesh.EndToEnd.Tests;

/// <summary>The host-kill tests wait on lease expiry: their own collection and Azurite, so they overlap the other end-to-end tests.</summary>
[CollectionDefinition(Name)]
public sealed class HostKillCollection : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "host-kill";
}
