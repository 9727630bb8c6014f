using DataMesh.Contracts;
using DataMesh.Pipeline;
using DataMesh.Specs;

namespace DataMesh.Core.Tests.Specs;

/// <summary>
/// Every key of a contract checked against the ODCS v3 objects' keys (DM2050), the custom properties the platform reads
/// (DM2051) and the masking kinds (DM2052): one typo, one diagnostic, at its line and column, without the ODCS schema files.
/// </summary>
public sealed class ContractKeyCheckTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private static string Contract(string from, string to)
    {
        Assert.Contains(from, ProductFixtures.Contract, StringComparison.Ordinal);
        return ProductFixtures.Contract.Replace(from, to, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("classification: internal", "clasification: internal", 18, 9, "'clasification' is not a key of an ODCS schema property (did you mean 'classification'?)")]
    [InlineData("unique: true", "uniqe: true", 16, 9, "'uniqe' is not a key of an ODCS schema property (did you mean 'unique'?)")]
    [InlineData("status: active", "status: active\nstauts: draft", 7, 1, "'stauts' is not a key of an ODCS contract (top level) (did you mean 'status'?)")]
    [InlineData("physicalName: ledger_emea", "physicalNme: ledger_emea", 9, 5, "'physicalNme' is not a key of an ODCS schema object (did you mean 'physicalName'?)")]
    [InlineData("      - metric: nullValues", "      - metric: nullValues\n            dimenson: completeness", 25, 13, "'dimenson' is not a key of an ODCS quality rule (did you mean 'dimension'?)")]
    [InlineData("status: active", "status: active\nservers:\n  - server: local\n    type: local\n    pth: ./data", 10, 5, "servers[0].pth: 'pth' is not a key of an ODCS server (did you mean 'path'?)")]
    public void Read_MisspeltOdcsKey_ReportsOneDM2050AtTheKey(string from, string to, int line, int column, string message)
    {
        // Arrange
        var path = _temp.Write("contract.odcs.yaml", Contract(from, to));

        // Act
        var result = ContractLoader.Read(path);

        // Assert: one diagnostic for the one typo, and the contract refused.
        var diagnostic = Assert.Single(result.Diagnostics);
        Assert.Equal((ContractDiagnosticCodes.UnknownContractKey, line, column), (diagnostic.Code, diagnostic.Line, diagnostic.Column));
        Assert.Contains(message, diagnostic.Message, StringComparison.Ordinal);
        Assert.Null(result.Contract);
    }

    [Fact]
    public void Read_MisspeltOperator_ReportsTheKeyNotAMissingComparison()
    {
        var path = _temp.Write("contract.odcs.yaml", Contract("mustBeGreaterThan: 0", "mustBeGreaterThen: 0"));

        var result = ContractLoader.Read(path);

        var diagnostic = Assert.Single(result.Diagnostics);
        Assert.Equal(ContractDiagnosticCodes.UnknownContractKey, diagnostic.Code);
        Assert.Contains("did you mean 'mustBeGreaterThan'?", diagnostic.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_KeyNearNothing_ListsTheAllowedKeys()
    {
        var path = _temp.Write("contract.odcs.yaml", Contract("classification: internal", "classification: internal\n        retentionDays: 30"));

        var diagnostic = Assert.Single(ContractLoader.Read(path).Diagnostics);

        Assert.Equal(ContractDiagnosticCodes.UnknownContractKey, diagnostic.Code);
        Assert.Contains("use one of authoritativeDefinitions, businessName, classification", diagnostic.Message, StringComparison.Ordinal);
        Assert.Contains("customProperties: [{ property: retentionDays, value: ... }]", diagnostic.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("maskng", "masking")]
    [InlineData("Masking", "masking")]
    [InlineData("maskingscope", "maskingScope")]
    public void Read_MisspeltPlatformCustomProperty_ReportsDM2051WithDidYouMean(string written, string meant)
    {
        var path = _temp.Write("contract.odcs.yaml", Contract("classification: internal", $"classification: internal\n        customProperties: [{{ property: {written}, value: hash }}]"));

        var diagnostic = Assert.Single(ContractLoader.Read(path).Diagnostics);

        Assert.Equal((ContractDiagnosticCodes.UnknownCustomProperty, 19, 40), (diagnostic.Code, diagnostic.Line, diagnostic.Column));
        Assert.Contains($"'{written}' is not a custom property the platform reads; did you mean '{meant}'?", diagnostic.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_CustomPropertyOfTheUsersOwn_IsAccepted()
    {
        var path = _temp.Write("contract.odcs.yaml", Contract("classification: internal", "classification: internal\n        customProperties: [{ property: steward, value: ada }]"));

        var result = ContractLoader.Read(path);

        Assert.Empty(result.Diagnostics);
    }

    [Fact]
    public void Read_UnknownMaskingKind_ReportsDM2052ListingTheKinds()
    {
        var path = _temp.Write("contract.odcs.yaml", Contract("classification: internal", "classification: internal\n        customProperties: [{ property: masking, value: hashed }]"));

        var diagnostic = Assert.Single(ContractLoader.Read(path).Diagnostics);

        Assert.Equal((ContractDiagnosticCodes.UnknownMaskingKind, 19, 56), (diagnostic.Code, diagnostic.Line, diagnostic.Column));
        Assert.Contains("'hashed' is not a masking kind (did you mean 'hash'?); use one of hash, redact, truncate, null", diagnostic.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadFrom_RestrictedColumnWithMisspeltMasking_RefusesTheMeshSoNoRunPublishesIt()
    {
        // Arrange: the report's case: a restricted patient id whose masking entry says maskng, which was ignored and
        // published the id in clear. The registry is what every host (Functions, local mesh) runs products from.
        var contract = Contract("classification: internal", "classification: restricted\n        customProperties: [{ property: maskng, value: hash }]");
        ProductFixtures.WriteProduct(_temp, ProductFixtures.MinimalSpec, Path.Combine("pipelines", "finance", "ledger-emea"), contract);

        // Act
        var refused = Assert.Throws<SpecValidationException>(() => ProductRegistry.LoadFrom(Path.Combine(_temp.Path, "pipelines")));

        // Assert
        var diagnostic = Assert.Single(refused.Diagnostics);
        Assert.Equal((ContractDiagnosticCodes.UnknownCustomProperty, 19, 40), (diagnostic.Code, diagnostic.Line, diagnostic.Column));
    }

    [Fact]
    public void Parse_SnapshotWithUnknownKey_StillLoadsForComparison()
    {
        // Arrange: a release's snapshot, published before keys were checked.
        var snapshot = Contract("unique: true", "uniqe: true");

        // Act
        var result = ContractLoader.Parse(snapshot, "ledger-emea/1.2.0/1/contract.odcs.yaml");

        // Assert
        Assert.Empty(result.Diagnostics);
        Assert.NotNull(result.Contract);
    }
}
