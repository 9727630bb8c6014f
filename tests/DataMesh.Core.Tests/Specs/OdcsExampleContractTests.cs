using DataMesh.Contracts;
using DataMesh.Specs;

namespace DataMesh.Core.Tests.Specs;

public sealed class OdcsExampleContractTests
{
    [OdcsExampleTheory]
    [MemberData(nameof(OdcsExamples.Files), MemberType = typeof(OdcsExamples))]
    public void Read_OdcsExample_HasNoErrors(string fileName)
    {
        // Arrange: some examples (team-only contracts) have no schema, which ODCS allows.
        var path = Path.Combine(OdcsExamples.Folder!, fileName);

        // Act
        var result = ContractLoader.Read(path, requireSchema: false);

        // Assert
        Assert.DoesNotContain(result.Diagnostics, d => d.Severity == DiagnosticSeverity.Error);
        Assert.NotNull(result.Contract);
    }

    [OdcsExampleTheory]
    [InlineData("full-example.odcs.yaml")]
    public void Load_FullExample_ReadsSchemaAndRules(string fileName)
    {
        // Arrange
        var path = Path.Combine(OdcsExamples.Folder!, fileName);

        // Act
        var contract = ContractLoader.Load(path);

        // Assert
        Assert.Equal(("v3.1.0", "1.1.0", "active"), (contract.ApiVersion, contract.Version, contract.Status));
        Assert.Equal(["tbl", "receivers"], contract.Schema.Select(o => o.Name));
        var table = contract.Schema[0];
        Assert.Equal("tbl_1", table.PhysicalName);
        Assert.Equal(["transaction_reference_date", "rcvr_id", "rcvr_cntry_code"], table.Properties.Select(p => p.Name));
        Assert.Equal(("restricted", true), (table.Properties[1].Classification, table.Properties[1].PrimaryKey));
        var nulls = Assert.Single(table.Properties[2].Quality);
        Assert.Equal(("rcvr_cntry_code.nullValues", new QualityComparison(QualityOperator.Equal, 0)), (nulls.Name, nulls.Comparison));
        var rows = Assert.Single(table.Quality);
        Assert.Equal(("tbl.rowCount", new QualityComparison(QualityOperator.GreaterThan, 1000000)), (rows.Name, rows.Comparison));
        Assert.True(contract.Schema[1].Properties[0].Unique);
    }

    [OdcsExampleTheory]
    [InlineData("column-custom.odcs.yaml")]
    public void Read_CustomRulesExample_WarnsForEachRule(string fileName)
    {
        // Arrange
        var path = Path.Combine(OdcsExamples.Folder!, fileName);

        // Act
        var result = ContractLoader.Read(path);

        // Assert
        Assert.Equal(2, result.Diagnostics.Count(d => d.Code == ContractDiagnosticCodes.UnsupportedRuleType && d.Severity == DiagnosticSeverity.Warning));
        Assert.Equal(["UniqueID.custom1", "UniqueID.custom2"], result.Contract!.UnsupportedQuality.Select(r => r.Name));
    }
}
