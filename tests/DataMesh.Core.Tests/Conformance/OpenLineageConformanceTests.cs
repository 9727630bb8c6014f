using System.Text.Json;
using System.Text.Json.Nodes;
using DataMesh.Core.Tests.Governance;
using DataMesh.Lineage;
using DataMesh.Pipeline;
using DataMesh.Specs;
using Json.Schema;

namespace DataMesh.Core.Tests.Conformance;

/// <summary>
/// The RunEvents a run emits, checked against the official OpenLineage spec (<c>OpenLineage.json</c>, RunEvent) and,
/// for each facet whose schema is in <c>shared/standards/openlineage/facets</c>, against that facet's schema.
/// </summary>
public sealed class OpenLineageConformanceTests
{
    private static readonly Lazy<(BuildOptions Options, JsonSchema RunEvent)> Schemas = new(LoadSchemas);

    private static readonly DateTimeOffset Started = new(2026, 11, 26, 8, 0, 0, TimeSpan.Zero);

    [OpenLineageSchemaFact]
    public void Start_OfLandingProduct_ConformsToSpecAndFacets()
    {
        // Arrange
        var run = Run("finance/ledger-emea", ["ledger/emea/2026-11-26.csv"]);

        // Act
        var start = OpenLineageRunEvents.Start(run);

        // Assert
        AssertConforms(start);
        Assert.Equal("START", (string?)start["eventType"]);
        Assert.Equal("ledger/emea/2026-11-26.csv", (string?)start["inputs"]![0]!["name"]);
        Assert.Equal("finance.ledger-emea", (string?)start["outputs"]![0]!["name"]);
    }

    [OpenLineageSchemaFact]
    public void Complete_OfRollUp_ConformsAndNamesExactUpstreamReleases()
    {
        // Arrange
        var run = Run("finance/revenue-global", []);
        var output = new TransformResult("staged/", 42, [new OutputColumn("region", "VARCHAR"), new OutputColumn("revenue", "DECIMAL(18,2)")], "hash") { Files = ["part-00000.parquet"] };
        var quality = new QualitySummary(true, 42,
        [
            new QualityRuleResult("row count", null, "rowCount", "error", 42, "rows", "> 0", true, 0),
            new QualityRuleResult("region not null", "region", "nullValues", "warning", 0, "rows", "= 0", true, 0),
        ]);
        var publish = new PublishInput(run.RunId, run.Spec.Id, output, quality, [])
        {
            Upstream = [new UpstreamRelease("finance.ledger-emea", "1.0.0", 3), new UpstreamRelease("finance.ledger-amer", "1.0.0", 1)],
        };

        // Act
        var complete = OpenLineageRunEvents.Complete(run, Started.AddMinutes(1), publish, new PublishResult(7, "http://x/products/revenue-global/1.0.0/7/", 42, "hash"));

        // Assert
        AssertConforms(complete);
        var inputs = complete["inputs"]!.AsArray();
        Assert.Equal(["finance.ledger-emea", "finance.ledger-amer"], inputs.Select(i => (string?)i!["name"]));
        Assert.Equal("1.0.0#3", (string?)inputs[0]!["facets"]!["version"]!["datasetVersion"]);
        var outputDataset = complete["outputs"]![0]!;
        Assert.Equal(42, (long?)outputDataset["outputFacets"]!["outputStatistics"]!["rowCount"]);
        Assert.Equal(2, outputDataset["facets"]!["dataQualityAssertions"]!["assertions"]!.AsArray().Count);
        Assert.Equal("1.0.0#7", (string?)outputDataset["facets"]!["version"]!["datasetVersion"]);
    }

    [OpenLineageSchemaFact]
    public void Fail_OfQualityGate_ConformsAndCarriesTheReason()
    {
        // Arrange
        var run = Run("supply-chain/stock-levels", ["stock/rejected.csv"]);
        var quality = new QualitySummary(false, 10, [new QualityRuleResult("quantity >= 0", "quantity", "invalidValues", "error", 2, "rows", "= 0", false, 2)]);
        var result = new PipelineResult
        {
            Status = PipelineStatus.QualityFailed,
            Product = run.Spec.Id,
            Version = run.Spec.Version,
            RunId = run.RunId,
            Stage = "quality",
            Error = "quality gate failed: quantity >= 0 measured 2 rows",
            Rows = 10,
        };

        // Act
        var fail = OpenLineageRunEvents.Fail(run, Started.AddSeconds(5), result, quality);

        // Assert
        AssertConforms(fail);
        Assert.Contains("quantity >= 0 measured 2 rows", (string?)fail["run"]!["facets"]!["errorMessage"]!["message"], StringComparison.Ordinal);
        Assert.False((bool?)fail["outputs"]![0]!["facets"]!["dataQualityAssertions"]!["assertions"]![0]!["success"]);
    }

    [OpenLineageSchemaFact]
    public void Start_WithColumnLineage_ConformsToSpecAndFacets()
    {
        // Arrange: a roll-up over an upstream product (aggregates, FILTER, joins) and a landing product whose contract masks columns.
        var samples = ProductSpecLoader.FindProductDirectories(RepositoryFiles.Pipelines).Select(ProductSpecLoader.Load).ToList();
        foreach (var (product, landing) in new[] { ("sales/campaign-attribution", Array.Empty<string>()), ("workforce/employees", ["hris/employees/2026-11-26.csv"]) })
        {
            var plain = Run(product, landing);
            var withLineage = plain with { ColumnLineage = ColumnLineageAnalyzer.Analyze(plain.Spec, samples) };

            // Act
            var start = OpenLineageRunEvents.Start(withLineage);

            // Assert
            AssertConforms(start);
            var facet = start["outputs"]![0]!["facets"]!["columnLineage"]!;
            Assert.EndsWith("ColumnLineageDatasetFacet.json#/$defs/ColumnLineageDatasetFacet", (string?)facet["_schemaURL"], StringComparison.Ordinal);
            Assert.NotEmpty(facet["fields"]!.AsObject());
        }
    }

    [ColumnLineageSchemaFact]
    public void ColumnLineageFacet_OfEverySampleProduct_ConformsToOfficialFacetSchema()
    {
        // Arrange
        var samples = ProductSpecLoader.FindProductDirectories(RepositoryFiles.Pipelines).Select(ProductSpecLoader.Load).ToList();
        var options = Schemas.Value.Options;
        var facetSchema = JsonSchema.FromText($$"""{"$ref": "{{OpenLineageRunEventsFacetUrl}}"}""", options);
        foreach (var spec in samples)
        {
            var run = Run(Path.GetRelativePath(RepositoryFiles.Pipelines, spec.Directory), ["x/y.csv"]) with { ColumnLineage = ColumnLineageAnalyzer.Analyze(spec, samples) };

            // Act
            var facet = OpenLineageRunEvents.Start(run)["outputs"]![0]!["facets"]!["columnLineage"]!;
            var results = facetSchema.Evaluate(JsonSerializer.SerializeToElement(facet), new EvaluationOptions { OutputFormat = OutputFormat.List });

            // Assert
            Assert.True(results.IsValid, $"{spec.Id}: {Describe(results)}");
        }
    }

    private const string OpenLineageRunEventsFacetUrl = "https://openlineage.io/spec/facets/1-2-0/ColumnLineageDatasetFacet.json#/$defs/ColumnLineageDatasetFacet";

    [OpenLineageSchemaFact]
    public void RunEventSchema_RejectsAnEventWithoutItsRunId()
    {
        // Arrange: the check must be able to fail.
        var start = OpenLineageRunEvents.Start(Run("finance/ledger-emea", ["ledger/emea/a.csv"]));
        start["run"]!.AsObject().Remove("runId");

        // Act
        var results = Schemas.Value.RunEvent.Evaluate(JsonSerializer.SerializeToElement(start), new EvaluationOptions { OutputFormat = OutputFormat.List });

        // Assert
        Assert.False(results.IsValid);
    }

    private static OpenLineageRun Run(string product, IReadOnlyList<string> landing)
    {
        var spec = ProductSpecLoader.Load(Path.Combine(RepositoryFiles.Pipelines, product));
        return new OpenLineageRun($"{spec.Id}-run-1", spec, Started, landing, "datamesh", OpenLineageRun.ContainerNamespace(new Uri("http://127.0.0.1:10000/devstoreaccount1/finance-landing")));
    }

    /// <summary>The event against the RunEvent schema, and every facet carrying a <c>_schemaURL</c> we hold against its own schema.</summary>
    private static void AssertConforms(JsonObject runEvent)
    {
        var (options, schema) = Schemas.Value;
        var results = schema.Evaluate(JsonSerializer.SerializeToElement(runEvent), new EvaluationOptions { OutputFormat = OutputFormat.List });
        Assert.True(results.IsValid, "RunEvent: " + Describe(results));

        var checkedFacets = 0;
        foreach (var facet in Facets(runEvent))
        {
            var url = (string)facet["_schemaURL"]!;
            var document = url.Split('#')[0];
            var file = Path.Combine(StandardsFolder.OpenLineage!, "facets", document[(document.LastIndexOf('/') + 1)..]);
            if (!File.Exists(file))
            {
                continue; // a facet of the spec whose schema this folder does not carry (sql, documentation, ...)
            }

            var facetSchema = JsonSchema.FromText($$"""{"$ref": "{{url}}"}""", options);
            var facetResults = facetSchema.Evaluate(JsonSerializer.SerializeToElement(facet), new EvaluationOptions { OutputFormat = OutputFormat.List });
            Assert.True(facetResults.IsValid, $"{url}: {Describe(facetResults)}");
            checkedFacets++;
        }

        Assert.True(checkedFacets > 0, "no facet was checked against its schema");
    }

    private static IEnumerable<JsonObject> Facets(JsonNode? node) => node switch
    {
        JsonObject o when o.ContainsKey("_schemaURL") => [o],
        JsonObject o => o.SelectMany(p => Facets(p.Value)),
        JsonArray a => a.SelectMany(Facets),
        _ => [],
    };

    private static string Describe(EvaluationResults results) =>
        string.Join("; ", (results.Details ?? []).Where(d => d.Errors is { Count: > 0 }).SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}")));

    private static (BuildOptions, JsonSchema) LoadSchemas()
    {
        var options = new BuildOptions { SchemaRegistry = new SchemaRegistry() };
        JsonSchema.FromText(File.ReadAllText(Path.Combine(StandardsFolder.OpenLineage!, "OpenLineage.json")), options);
        foreach (var file in Directory.GetFiles(Path.Combine(StandardsFolder.OpenLineage!, "facets"), "*.json"))
        {
            JsonSchema.FromText(File.ReadAllText(file), options);
        }

        return (options, JsonSchema.FromText("""{"$ref": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent"}""", options));
    }
}
