using DataMesh.Pipeline;
using DataMesh.Testing;

namespace DataMesh.EndToEnd.Tests;

/// <summary>
/// The review's attacks on protected data (issue 15): a team that hashes guessed values cannot join them to another
/// team's <c>hash</c>-masked column (the keyed hash of <c>DataMesh.Engine.KeyedHash</c>), while the products of one domain
/// that declare the same hash scope still join.
/// </summary>
[Collection(AzuriteCollection.Name)]
[Trait("Category", "Security")]
public sealed class ProtectedDataSecurityTests(AzuriteFixture azurite)
{
    private const string People = "id,email\n1,ada@example.com\n2,alan@example.com\n3,grace@example.com\n";

    // The attacker's dictionary: guesses, among them every real address.
    private const string Guesses = "id,email\n1,bob@example.com\n2,ada@example.com\n3,alan@example.com\n4,grace@example.com\n5,eve@example.com\n";

    private static readonly SharedMesh Mesh = new(domain =>
    [
        HashedPeople(domain, "crm-people", scope: "customers"),
        HashedPeople(domain, "crm-leads", scope: "customers"),
        HashedPeople(domain, "crm-notes", scope: null),
        HashedPeople(domain + "x", "guesses", scope: "customers"),
    ]);

    [Fact]
    public async Task Hash_AnotherDomainHashingGuessedValues_CannotJoin()
    {
        // Arrange: the owner publishes its customers; another domain's team publishes its guesses through the same
        // masking, even claiming the owner's scope name.
        var owner = await PublishedHashesAsync("crm-people", People);

        // Act
        var attacker = await PublishedHashesAsync("guesses", Guesses);

        // Assert: no guess hashes to a published value.
        Assert.Equal(3, owner.Count);
        Assert.Empty(owner.Intersect(attacker));
    }

    [Fact]
    public async Task Hash_ProductOfTheSameDomainWithoutTheScope_CannotJoin()
    {
        var owner = await PublishedHashesAsync("crm-people", People);

        var other = await PublishedHashesAsync("crm-notes", Guesses);

        Assert.Empty(owner.Intersect(other));
    }

    [Fact]
    public async Task Hash_ProductsOfOneDomainDeclaringTheSameScope_JoinOnEqualValues()
    {
        var owner = await PublishedHashesAsync("crm-people", People);

        var sibling = await PublishedHashesAsync("crm-leads", Guesses);

        Assert.Equal(3, owner.Intersect(sibling).Count());
    }

    private async Task<IReadOnlyList<string>> PublishedHashesAsync(string name, string csv)
    {
        var mesh = await Mesh.GetAsync(azurite);
        var product = Mesh.Products.Single(p => p.Name == name);
        var file = Path.Combine(product.Root, $"people-{Guid.NewGuid():N}.csv");
        await File.WriteAllTextAsync(file, csv);
        var result = await mesh.RunAsync(product.Id, [file]);
        Assert.True(result.Status == PipelineStatus.Published, result.Error);
        var hashes = await ReleaseReader.ValuesAsync(mesh.Storage.Products(product.Domain), product.Name, "1.0.0", result.Release!.Value, "email");
        Assert.All(hashes, h => Assert.Matches("^[0-9a-f]{64}$", h));
        return hashes;
    }

    private static TestProduct HashedPeople(string domain, string name, string? scope)
    {
        var scopeProperty = scope is null ? "" : $", {{ property: maskingScope, value: {scope} }}";
        var contract = $$"""
            apiVersion: v3.1.0
            kind: DataContract
            id: urn:test:{{name}}
            version: 1.0.0
            schema:
              - name: people
                properties:
                  - { name: id, logicalType: integer, required: true, unique: true }
                  - name: email
                    logicalType: string
                    classification: pii
                    customProperties: [{ property: masking, value: hash }{{scopeProperty}}]
                quality:
                  - { metric: rowCount, mustBeGreaterThan: 0 }
            """;
        return new TestProduct(domain, name, "SELECT id, email FROM people", contract,
            inputs: "  - name: people\n    landing: { path: people/, format: csv }\n    columns:\n      - { name: id, type: integer, required: true }\n      - { name: email, type: varchar }");
    }
}
