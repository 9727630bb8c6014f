using System.Text;
using DataMesh.Contracts;
using DataMesh.Core.Tests.Specs;
using DataMesh.Engine;
using DataMesh.Pipeline;

namespace DataMesh.Core.Tests.Engine;

/// <summary>
/// <c>hash</c> masking is HMAC-SHA256 under a key per domain and hash scope, computed by a function registered on the
/// DuckDB connection: the SQL the platform runs names the function, never the key.
/// </summary>
public sealed class KeyedHashTests : IDisposable
{
    private const string Secret = "Domain0Secret1For2Tests";

    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Hash_Rfc4231TestCase2_IsHmacSha256()
    {
        var hash = KeyedHash.Hash(Encoding.UTF8.GetBytes("Jefe"), "what do ya want for nothing?");

        Assert.Equal("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843", hash);
    }

    [Fact]
    public void ScopeKey_OtherDomainOrOtherScope_Differs()
    {
        var key = KeyedHash.ScopeKey(Secret, "crm", "scope:customers");

        Assert.NotEqual(key, KeyedHash.ScopeKey(Secret, "sales", "scope:customers"));
        Assert.NotEqual(key, KeyedHash.ScopeKey(Secret, "crm", "product:people"));
        Assert.NotEqual(key, KeyedHash.ScopeKey("Another0Domain1Secret", "crm", "scope:customers"));
        Assert.Equal(key, KeyedHash.ScopeKey(Secret, "crm", "scope:customers"));
    }

    [Fact]
    public void SelectList_HashMaskedColumn_CallsTheRegisteredFunctionAndHashesAsKeyedHash()
    {
        // Arrange
        var contract = Contract("customProperties: [{ property: masking, value: hash }]");
        using var session = DuckDbSession.Open(new DuckDbSessionOptions { AllowedDirectories = [_temp.Path], TempDirectory = Path.Combine(_temp.Path, "tmp"), Limits = DataMesh.Pipeline.EngineLimits.Process.Side });
        var key = KeyedHash.ScopeKey(Secret, "crm", Assert.Single(Masking.HashScopes(contract, "people")));
        KeyedHash.Register(session, Masking.HashFunction(0), key);
        session.Execute("CREATE VIEW people AS SELECT * FROM (VALUES (1, 'ada@example.com'), (2, NULL)) AS t(id, email)");

        // Act
        var select = Masking.SelectList(contract, [new OutputColumn("id", "INTEGER"), new OutputColumn("email", "VARCHAR")], "people")!;
        var rows = session.Query($"SELECT email FROM (SELECT {select} FROM people) ORDER BY id", r => r.IsDBNull(0) ? null : r.GetString(0));

        // Assert: the SQL holds no key, the values are the keyed hash, NULL stays NULL.
        Assert.Contains(Masking.HashFunction(0) + "(", select, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, select, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToHexStringLower(key), select, StringComparison.Ordinal);
        Assert.Equal([KeyedHash.Hash(key, "ada@example.com"), null], rows);
    }

    [Fact]
    public void HashScopes_DeclaredScopeAndDefault_AreDistinctScopes()
    {
        var scoped = Contract("customProperties: [{ property: masking, value: hash }, { property: maskingScope, value: people }]");
        var plain = Contract("customProperties: [{ property: masking, value: hash }]");

        // A declared scope never shares the key of a product of the same name.
        Assert.NotEqual(Masking.HashScopes(scoped, "people"), Masking.HashScopes(plain, "people"));
    }

    private DataContract Contract(string emailProperties)
    {
        var path = Path.Combine(_temp.Path, Guid.NewGuid().ToString("N") + ".odcs.yaml");
        File.WriteAllText(path, $$"""
            apiVersion: v3.1.0
            kind: DataContract
            id: urn:test:people
            version: 1.0.0
            schema:
              - name: people
                properties:
                  - { name: id, logicalType: integer }
                  - name: email
                    logicalType: string
                    classification: pii
                    {{emailProperties}}
            """);
        return ContractLoader.Load(path);
    }
}
