using System.Text.Json;
using DataMesh.Core.Tests.Specs;
using DataMesh.Governance;
using DataMesh.Specs;
using Json.Schema;

namespace DataMesh.Core.Tests.Governance;

public sealed class ProductSchemaTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private static EvaluationResults Evaluate(string schemaPath, string yaml)
    {
        var schema = JsonSchema.FromText(File.ReadAllText(schemaPath), new BuildOptions { SchemaRegistry = new SchemaRegistry() });
        var instance = JsonSerializer.SerializeToElement(YamlJson.Parse(yaml).Root);
        return schema.Evaluate(instance, new EvaluationOptions { OutputFormat = OutputFormat.List });
    }

    public static TheoryData<string> SampleProducts
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (var directory in ProductSpecLoader.FindProductDirectories(RepositoryFiles.Pipelines))
            {
                data.Add(Path.GetRelativePath(RepositoryFiles.Root, Path.Combine(directory, "product.yaml")));
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(SampleProducts))]
    public void Evaluate_SampleProduct_IsValid(string relativePath)
    {
        // Arrange
        var yaml = File.ReadAllText(Path.Combine(RepositoryFiles.Root, relativePath));

        // Act
        var results = Evaluate(RepositoryFiles.ProductSchema, yaml);

        // Assert
        Assert.True(results.IsValid, string.Join("\n", (results.Details ?? []).Where(d => d.Errors is not null).SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}"))));
    }

    [Theory]
    [MemberData(nameof(SampleProducts))]
    public void SampleProduct_FirstLine_ReferencesTheSchemaForEditors(string relativePath)
    {
        // Arrange
        var path = Path.Combine(RepositoryFiles.Root, relativePath);

        // Act
        var first = File.ReadLines(path).First();

        // Assert
        Assert.StartsWith("# yaml-language-server: $schema=", first, StringComparison.Ordinal);
        var reference = first["# yaml-language-server: $schema=".Length..];
        Assert.Equal(Path.GetFullPath(RepositoryFiles.ProductSchema), Path.GetFullPath(Path.Combine(Path.GetDirectoryName(path)!, reference)));
    }

    [Theory]
    [InlineData("owner:", "ownr: { team: Finance }")]
    [InlineData("transform:", "transform: { sql: transform.sql, engine: duckdb }")]
    [InlineData("landing:", "    landing: { path: ledger/emea/, format: csv, sheet: 1 }")]
    [InlineData("landing:", "    landing: { path: ledger/emea/, format: parquet, delimiter: ';' }")]
    [InlineData("version:", "version: 1.0")]
    [InlineData("version:", "version: v1.0.0")]
    [InlineData("sla:", "sla: { freshness: 24h }")]
    [InlineData("access:", "access: { visibility: everyone }")]
    [InlineData("landing:", "    landing: { path: /etc/, format: csv }")]
    [InlineData("landing:", "    product: treasury.fx-rates\n    landing: { path: fx/, format: csv }")]
    [InlineData("output:", "output: { contract: contract.odcs.yaml, mode: apend }")]
    [InlineData("output:", "output: { contract: contract.odcs.yaml, mode: merge }")]
    [InlineData("output:", "output: { contract: contract.odcs.yaml, mode: append, key: [entry_id] }")]
    [InlineData("output:", "output: { contract: contract.odcs.yaml, deleteWhen: amount IS NULL }")]
    [InlineData("output:", "output: { contract: contract.odcs.yaml, mode: partitions }")]
    [InlineData("output:", "output: { contract: contract.odcs.yaml, retention: { releases: 0 } }")]
    [InlineData("output:", "output: { contract: contract.odcs.yaml, retention: { } }")]
    [InlineData("landing:", "    landing: { path: ledger/emea/, format: csv }\n    read: changes")]
    public void Evaluate_SpecTheLoaderRejects_IsInvalid(string prefix, string replacement)
    {
        // Arrange
        var yaml = GovernanceFixtures.Line(prefix, replacement)(GovernanceFixtures.Spec.Replace("{domain}", "finance", StringComparison.Ordinal).Replace("{name}", "ledger-emea", StringComparison.Ordinal).Replace("{version}", "1.0.0", StringComparison.Ordinal));
        var folder = ProductFixtures.WriteProduct(_temp, yaml, contract: GovernanceFixtures.Contract.Replace("{version}", "1.0.0", StringComparison.Ordinal).Replace("{domain}", "finance", StringComparison.Ordinal).Replace("{name}", "ledger-emea", StringComparison.Ordinal));

        // Act
        var results = Evaluate(RepositoryFiles.ProductSchema, yaml);

        // Assert: editors flag what validate flags.
        Assert.False(results.IsValid);
        Assert.True(ProductSpecLoader.Read(folder).HasErrors);
    }

    [Fact]
    public void Evaluate_FullSpec_IsValid()
    {
        // Arrange: every field of DESIGN §4.
        var yaml = """
            apiVersion: datamesh/v1
            kind: DataProduct
            domain: finance
            name: ledger-emea
            version: 1.2.0-rc.1
            description: General ledger entries for EMEA entities, in EUR.
            owner: { team: Finance EMEA, email: finance-emea@example.com }
            tags: [finance, ledger]
            inputs:
              - name: gl_entries
                landing: { path: ledger/emea/, format: csv, delimiter: ';', header: true, skip: 1, compression: gzip }
                columns:
                  - { name: entry_id, type: varchar, required: true }
                  - { name: amount, type: "decimal(18,2)" }
              - name: fx_rates
                product: treasury.fx-rates
                versions: ^1
                read: changes
            transform: { sql: transform.sql }
            output:
              contract: contract.odcs.yaml
              format: parquet
              mode: merge
              key: [entry_id]
              deleteWhen: amount IS NULL
              partitionBy: [period]
              retention: { releases: 30, age: P90D }
            sla: { freshness: PT24H }
            access: { visibility: restricted, readers: [finance, audit] }
            """;

        // Act
        var results = Evaluate(RepositoryFiles.ProductSchema, yaml);

        // Assert
        Assert.True(results.IsValid);
    }

    [Fact]
    public void Evaluate_ShippedMesh_IsValidAgainstMeshSchema()
    {
        // Act
        var results = Evaluate(RepositoryFiles.MeshSchema, File.ReadAllText(RepositoryFiles.MeshFile));

        // Assert
        Assert.True(results.IsValid);
    }

    [Theory]
    [InlineData("  - id: owner-mail-required")]
    [InlineData("    severity: fatal")]
    [InlineData("    parameters: { formats: [xlsx] }")]
    public void Evaluate_MeshTheLoaderRejects_IsInvalidAgainstMeshSchema(string replacement)
    {
        // Arrange
        var lines = MeshPoliciesLoaderTests.ValidMesh.Split('\n');
        var at = replacement.TrimStart().StartsWith("- id", StringComparison.Ordinal) ? 3 : replacement.Contains("severity", StringComparison.Ordinal) ? 4 : 8;
        lines[at] = replacement;
        var yaml = string.Join('\n', lines);

        // Act
        var results = Evaluate(RepositoryFiles.MeshSchema, yaml);

        // Assert
        Assert.False(results.IsValid);
        Assert.True(MeshPoliciesLoader.Parse(yaml, "mesh.yaml").HasErrors);
    }
}
