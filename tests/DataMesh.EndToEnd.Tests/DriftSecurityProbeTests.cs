using System.Text.Json;
using DataMesh.Pipeline;
using DataMesh.Testing;

namespace DataMesh.EndToEnd.Tests;

/// <summary>
/// Drift leaves the domain (run result, events, catalog, API, logs): it must not carry values of a product with
/// classified columns. A file without a header line puts its first row where the column names go.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class DriftSecurityProbeTests(AzuriteFixture azurite) : IDisposable
{
    private readonly TestProduct _product = new(
        "driftsec" + Guid.NewGuid().ToString("N")[..6], "people", "SELECT id, email, full_name, born_on, team FROM people", EngineTests.MaskedContract,
        inputs: "  - name: people\n    landing: { path: people/, format: csv }\n    columns:\n      - { name: id, type: integer }\n      - { name: email, type: varchar }\n      - { name: full_name, type: varchar }\n      - { name: born_on, type: date }\n      - { name: team, type: varchar }");

    public void Dispose() => _product.Dispose();

    [Fact]
    public async Task Run_HeaderlessFileOfAClassifiedProduct_DriftInResultAndCatalogNamesNoValue()
    {
        await using var mesh = await _product.StartMeshAsync(azurite, options => options.Namespace = AzuriteFixture.CreateNamespace());
        var file = Path.Combine(_product.Root, "people.csv");
        File.WriteAllText(file, "1,ada@example.com,Ada Lovelace,1815-12-10,red\n2,alan@example.com,Alan Turing,1912-06-23,blue\n");

        var result = await mesh.RunAsync(_product.Id, [file]);

        var inputs = Assert.Single(result.Inputs);
        Assert.Contains(inputs.Drift, d => d.Kind == "unexpected-column");
        var run = Assert.Single(await mesh.Catalog.GetRunsAsync(_product.Id), r => r.RunId == result.RunId);
        foreach (var text in new[] { JsonSerializer.Serialize(result.Inputs), JsonSerializer.Serialize(run.Inputs) })
        {
            Assert.DoesNotContain("ada@example.com", text, StringComparison.Ordinal);
            Assert.DoesNotContain("Ada Lovelace", text, StringComparison.Ordinal);
            Assert.DoesNotContain("1815-12-10", text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Run_HeaderlessFileLackingARequiredColumnOfAClassifiedProduct_RejectionNamesNoValue()
    {
        // Arrange: a required input column, and a file without a header line (its first row is read as the header, so
        // the required column is "missing" and the header listing is the row's values).
        using var product = new TestProduct(
            "driftreq" + Guid.NewGuid().ToString("N")[..6], "people", "SELECT id, email, full_name, born_on, team FROM people", EngineTests.MaskedContract,
            inputs: "  - name: people\n    landing: { path: people/, format: csv }\n    columns:\n      - { name: id, type: integer, required: true }\n      - { name: email, type: varchar }\n      - { name: full_name, type: varchar }\n      - { name: born_on, type: date }\n      - { name: team, type: varchar }");
        await using var mesh = await product.StartMeshAsync(azurite, options => options.Namespace = AzuriteFixture.CreateNamespace());
        var file = Path.Combine(product.Root, "people.csv");
        File.WriteAllText(file, "1,ada@example.com,Ada Lovelace,1815-12-10,red\n2,alan@example.com,Alan Turing,1912-06-23,blue\n");

        // Act
        var result = await mesh.RunAsync(product.Id, [file]);

        // Assert: rejected at ingest, and neither the run's error, its catalog record nor the run's events quote the row.
        Assert.Equal(PipelineStatus.Failed, result.Status);
        Assert.Contains("id", result.Error, StringComparison.Ordinal);
        var run = Assert.Single(await mesh.Catalog.GetRunsAsync(product.Id), r => r.RunId == result.RunId);
        foreach (var text in new[] { result.Error ?? "", JsonSerializer.Serialize(run) })
        {
            Assert.DoesNotContain("ada@example.com", text, StringComparison.Ordinal);
            Assert.DoesNotContain("Ada Lovelace", text, StringComparison.Ordinal);
            Assert.DoesNotContain("1815-12-10", text, StringComparison.Ordinal);
        }
    }
}
