using DataMesh.Core.Tests.Governance;
using DataMesh.Lineage;
using DataMesh.Specs;

namespace DataMesh.Core.Tests.Lineage;

/// <summary>The <c>columnLineage</c> facet the run events carry on their output dataset (its conformance: OpenLineageConformanceTests).</summary>
public sealed class ColumnLineageFacetTests
{
    private static readonly Lazy<List<ProductSpec>> Samples = new(() => ProductSpecLoader.FindProductDirectories(RepositoryFiles.Pipelines).Select(ProductSpecLoader.Load).ToList());

    [Fact]
    public void Start_OfJoinOverUpstreamProduct_NamesTheUpstreamDatasetAndTransformations()
    {
        // Arrange
        var run = Run("supply-chain.fulfilment", ["wms/shipments/2026-11-26.ndjson"]);

        // Act
        var facet = OpenLineageRunEvents.Start(run)["outputs"]![0]!["facets"]!["columnLineage"]!;

        // Assert
        var available = Assert.Single(facet["fields"]!["available_at_warehouse"]!["inputFields"]!.AsArray())!;
        Assert.Equal("datamesh", (string?)available["namespace"]);
        Assert.Equal("supply-chain.stock-levels", (string?)available["name"]);
        Assert.Equal("available", (string?)available["field"]);
        Assert.Equal("DIRECT", (string?)available["transformations"]![0]!["type"]);
        Assert.Equal("IDENTITY", (string?)available["transformations"]![0]!["subtype"]);
        var lead = facet["fields"]!["lead_time_hours"]!["inputFields"]!.AsArray();
        Assert.All(lead, f => Assert.Equal("wms/shipments/2026-11-26.ndjson", (string?)f!["name"]));
        Assert.Contains(facet["dataset"]!.AsArray(), f => (string?)f!["field"] == "snapshot_date" && (string?)f["transformations"]![0]!["subtype"] == "JOIN");
    }

    [Fact]
    public void Start_OfMaskedColumn_MarksTheTransformationMaskedAndCarriesNoValues()
    {
        // Arrange: employees' contract masks email (hash); department is published as is.
        var run = Run("workforce.employees", ["hris/employees/2026-11-26.csv"]);

        // Act
        var facet = OpenLineageRunEvents.Start(run)["outputs"]![0]!["facets"]!["columnLineage"]!;

        // Assert
        Assert.True((bool?)facet["fields"]!["email"]!["inputFields"]![0]!["transformations"]![0]!["masking"]);
        Assert.False((bool?)facet["fields"]!["department"]!["inputFields"]![0]!["transformations"]![0]!["masking"]);
        var text = facet.ToJsonString();
        Assert.DoesNotContain("description", text, StringComparison.Ordinal); // names and kinds only
    }

    [Fact]
    public void Start_OfFilteredProduct_CarriesColumnNamesButNoLiteralOfTheSql()
    {
        // Arrange: ledger-emea keeps rows WHERE status = 'posted' AND currency = 'EUR'.
        var run = Run("finance.ledger-emea", ["ledger/emea/2026-11-26.csv"]);

        // Act
        var text = OpenLineageRunEvents.Start(run)["outputs"]![0]!["facets"]!["columnLineage"]!.ToJsonString();

        // Assert
        Assert.Contains("\"status\"", text, StringComparison.Ordinal);
        Assert.DoesNotContain("\"posted\"", text, StringComparison.Ordinal);
        Assert.DoesNotContain("\"EUR\"", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Start_WithoutColumnLineage_HasNoFacet()
    {
        // Arrange
        var run = Run("supply-chain.fulfilment", []) with { ColumnLineage = null };

        // Act
        var facets = OpenLineageRunEvents.Start(run)["outputs"]![0]!["facets"]!.AsObject();

        // Assert
        Assert.False(facets.ContainsKey("columnLineage"));
    }

    private static OpenLineageRun Run(string productId, IReadOnlyList<string> landing)
    {
        var spec = Samples.Value.Single(p => p.Id == productId);
        return new OpenLineageRun($"{spec.Id}-run-1", spec, DateTimeOffset.UnixEpoch, landing, "datamesh", "wasbs://landing@127.0.0.1:10000/devstoreaccount1")
        {
            ColumnLineage = ColumnLineageAnalyzer.ForRun(spec, Samples.Value),
        };
    }
}
