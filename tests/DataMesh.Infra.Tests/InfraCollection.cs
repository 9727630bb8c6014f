namespace DataMesh.Infra.Tests;

/// <summary>All infra tests share one compilation of infra/ (<see cref="InfraFixture"/>).</summary>
[CollectionDefinition(Name)]
public sealed class InfraCollection : ICollectionFixture<InfraFixture>
{
    public const string Name = "Infra";
}
