using System.Text.Json;
using DataMesh.Local;
using DataMesh.Pipeline;
using DataMesh.Testing;

namespace DataMesh.EndToEnd.Tests;

/// <summary>
/// The review's runs-route leak (issue 15): DuckDB error texts quote the raw value they could not cast, and a run's
/// error reaches its result, stage timeline, announcement, catalog run and OpenLineage FAIL event. In a product with
/// classified columns none of them may carry a confidential or pii value.
/// </summary>
[Collection(AzuriteCollection.Name)]
[Trait("Category", "Security")]
public sealed class ErrorRedactionSecurityTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private const string Contract = """
        apiVersion: v3.1.0
        kind: DataContract
        id: urn:test:salaries
        version: 1.0.0
        schema:
          - name: salaries
            properties:
              - { name: id, logicalType: integer, required: true, unique: true }
              - { name: salary, physicalType: "decimal(18,2)", classification: confidential }
              - { name: hired, logicalType: date, classification: pii }
            quality:
              - { metric: rowCount, mustBeGreaterThan: 0 }
        """;

    private const string Inputs = "  - name: staff\n    landing: { path: staff/, format: csv }\n    columns:\n      - { name: id, type: integer, required: true }\n"
        + "      - { name: salary, type: \"decimal(18,2)\" }\n      - { name: hired, type: varchar }";

    private readonly string _domain = "red" + Guid.NewGuid().ToString("N")[..6];
    private readonly OpenLineageReceiver _receiver = new();
    private TestProduct? _salaries;
    private TestProduct? _tenure;
    private LocalMesh? _mesh;

    public async Task InitializeAsync()
    {
        // Salaries: a value that does not cast to the declared decimal is refused at ingest. Tenure: the product's SQL
        // parses a pii date that does not match its format.
        _salaries = new TestProduct(_domain, "salaries", "SELECT id, salary, CAST(hired AS DATE) AS hired FROM staff", Contract, Inputs);
        _tenure = new TestProduct(_domain, "tenure", "SELECT id, salary, strptime(hired, '%Y-%m-%d')::DATE AS hired FROM staff", Contract, Inputs);
        _mesh = await _salaries.StartMeshAsync(azurite, options =>
        {
            options.Namespace = AzuriteFixture.CreateNamespace();
            options.OpenLineageEndpoint = _receiver.Endpoint;
            options.ExtraProductDirectories.Add(_tenure.Directory);
        });
    }

    public async Task DisposeAsync()
    {
        if (_mesh is not null)
        {
            await _mesh.DisposeAsync();
        }

        _receiver.Dispose();
        _salaries?.Dispose();
        _tenure?.Dispose();
    }

    [Fact]
    public async Task Run_ConfidentialValueThatDoesNotCast_NeverInTheResultTimelineCatalogOrLineage()
    {
        var file = Write(_salaries!, "staff.csv", "id,salary,hired\n1,5000.00,2021-03-04\n2,\"6.304,65\",2021-03-05\n");

        var result = await _mesh!.RunAsync(_salaries!.Id, [file]);

        Assert.Equal(PipelineStatus.Failed, result.Status);
        Assert.Equal("ingest", result.Stage);
        // Still says what to fix: the column and where.
        Assert.Contains("salary", result.Error, StringComparison.Ordinal);
        Assert.Contains(ErrorRedaction.Marker, result.Error, StringComparison.Ordinal);
        await AssertNowhereAsync(_salaries, result, "6.304,65", "6.304");
    }

    [Fact]
    public async Task Run_PiiValueInATransformCastError_NeverInTheResultTimelineCatalogOrLineage()
    {
        var file = Write(_tenure!, "staff.csv", "id,salary,hired\n1,5000.00,2021-03-04\n2,6304.65,04.03.2021\n");

        var result = await _mesh!.RunAsync(_tenure!.Id, [file]);

        Assert.Equal(PipelineStatus.Failed, result.Status);
        Assert.Equal("transform", result.Stage);
        Assert.Contains(ErrorRedaction.Marker, result.Error, StringComparison.Ordinal);
        await AssertNowhereAsync(_tenure, result, "04.03.2021");
    }

    private async Task AssertNowhereAsync(TestProduct product, PipelineResult result, params string[] values)
    {
        var run = Assert.Single(await _mesh!.Catalog.GetRunsAsync(product.Id));
        var lineage = _receiver.Events.Where(e => (string?)e["eventType"] == "FAIL").ToList();
        Assert.NotEmpty(lineage);
        Assert.Contains(run.Stages, s => s.Error is not null);
        var texts = new Dictionary<string, string>
        {
            ["result error"] = result.Error ?? "",
            ["stage timeline"] = JsonSerializer.Serialize(result.Stages),
            ["catalog run (from the announced event)"] = JsonSerializer.Serialize(run),
            ["catalog run lineage"] = string.Join("\n", run.OpenLineage.Select(e => e.ToJsonString())),
            ["OpenLineage events sent"] = string.Join("\n", lineage.Select(e => e.ToJsonString())),
        };
        foreach (var (where, text) in texts)
        {
            foreach (var value in values)
            {
                Assert.False(text.Contains(value, StringComparison.Ordinal), $"{where} quotes '{value}': {text}");
            }
        }
    }

    private static string Write(TestProduct product, string name, string content)
    {
        var path = Path.Combine(product.Root, name);
        File.WriteAllText(path, content);
        return path;
    }
}
