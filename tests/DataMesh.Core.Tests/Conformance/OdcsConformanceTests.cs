using DataMesh.Contracts;
using DataMesh.Core.Tests.Governance;
using DataMesh.Core.Tests.Specs;
using DataMesh.Governance;
using DataMesh.Specs;

namespace DataMesh.Core.Tests.Conformance;

public sealed class OdcsConformanceTests : IDisposable
{
    /// <summary>A contract both our reader and the ODCS v3.1.0 schema accept. Line 9 is <c>- name: entry_id</c>, 12 its <c>required</c>.</summary>
    private const string Contract = """
        apiVersion: v3.1.0
        kind: DataContract
        id: urn:test:finance:ledger-emea
        version: 1.0.0
        status: active
        schema:
          - name: entries
            properties:
              - name: entry_id
                logicalType: string
                physicalType: varchar
                required: true
                quality:
                  - metric: nullValues
                    mustBe: 0
                    dimension: completeness
            quality:
              - metric: rowCount
                mustBeGreaterThan: 0

        """;

    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private static OdcsSchemaValidator Validator => OdcsSchemaValidator.FromFolder(StandardsFolder.Odcs!);

    /// <summary>Contracts our reader accepts but the official schema rejects: the edit, then the line expected.</summary>
    public static TheoryData<string, string, int> RejectedByStandard => new()
    {
        { "status: active", "status: active\nowner: finance", 6 },
        { "status: active\n", "", 1 },
        { "        required: true", "        required: 'yes'", 12 },
        { "            dimension: completeness", "            dimension: validity", 16 },
        { "        physicalType: varchar", "        physicalType: varchar\n        masked: true", 12 },
        { "            mustBe: 0", "            mustBe: 0\n            mustBeGreaterThan: 1", 14 },
        { "apiVersion: v3.1.0", "apiVersion: v3.0.2", 14 },
    };

    [OdcsSchemaFact]
    public void Validate_ConformingContract_HasNoFindings()
    {
        // Arrange
        var path = _temp.Write("contract.odcs.yaml", Contract);

        // Act
        var diagnostics = Validator.Validate(path);

        // Assert
        Assert.Empty(diagnostics);
    }

    [OdcsSchemaTheory]
    [MemberData(nameof(RejectedByStandard))]
    public void Validate_ContractTheStandardRejects_ReportsDM2030AtField(string find, string replace, int line)
    {
        // Arrange
        var path = _temp.Write("contract.odcs.yaml", Contract.Replace(find, replace, StringComparison.Ordinal));

        // Act
        var diagnostics = Validator.Validate(path);

        // Assert
        Assert.NotEmpty(diagnostics);
        Assert.All(diagnostics, d => Assert.Equal((PolicyDiagnosticCodes.OdcsSchemaViolation, DiagnosticSeverity.Error), (d.Code, d.Severity)));
        Assert.Equal(line, diagnostics[0].Line);
    }

    [OdcsSchemaFact]
    public void Validate_EnumViolation_NamesTheAllowedValues()
    {
        // Arrange
        var path = _temp.Write("contract.odcs.yaml", Contract.Replace("dimension: completeness", "dimension: validity", StringComparison.Ordinal));

        // Act
        var diagnostic = Assert.Single(Validator.Validate(path));

        // Assert
        Assert.Equal((16, 13), (diagnostic.Line, diagnostic.Column));
        Assert.Contains("schema[0].properties[0].quality[0].dimension", diagnostic.Message, StringComparison.Ordinal);
        Assert.Contains("\"conformity\"", diagnostic.Message, StringComparison.Ordinal);
    }

    [OdcsSchemaFact]
    public void Validate_ApiVersionPicksTheMatchingSchema()
    {
        // Arrange: 'slaProperties[].unit' exists in v3.0.2 only as 'unit', while v3.1.0 dropped ODCS v3.0 fields such as 'dataset'.
        var v30 = _temp.Write("v30.odcs.yaml", Contract.Replace("apiVersion: v3.1.0", "apiVersion: v3.0.2", StringComparison.Ordinal).Replace("    quality:\n      - metric: rowCount\n        mustBeGreaterThan: 0\n", "", StringComparison.Ordinal).Replace("                dimension: completeness\n", "", StringComparison.Ordinal).Replace("metric: nullValues", "rule: nullCheck", StringComparison.Ordinal));
        var v31 = _temp.Write("v31.odcs.yaml", Contract.Replace("metric: nullValues", "rule: nullCheck", StringComparison.Ordinal));

        // Act
        var under30 = Validator.Validate(v30);
        var under31 = Validator.Validate(v31);

        // Assert
        Assert.Empty(under30);
        Assert.NotEmpty(under31);
    }

    [OdcsSchemaFact]
    public void Validate_ShippedSampleContracts_Conform()
    {
        // Arrange
        var contracts = ProductSpecLoader.FindProductDirectories(RepositoryFiles.Pipelines).Select(d => ProductSpecLoader.Load(d).Contract.Path).ToList();

        // Act
        var diagnostics = contracts.SelectMany(Validator.Validate).ToList();

        // Assert
        Assert.True(contracts.Count >= 2);
        Assert.Empty(diagnostics);
    }

    [OdcsSchemaFact]
    public void Validate_AcceptedV31ExampleContracts_Conform()
    {
        // Arrange: the standard's own v3.1.0 examples that our reader accepts pass its schema too. (Some examples labelled
        // v3.0.2 use v3.1.0 fields such as metric or a team object; their own v3.0.2 schema rejects them, and so do we.)
        var examples = Directory.EnumerateFiles(Path.Combine(StandardsFolder.Odcs!, "examples"), "*.odcs.yaml")
            .Where(f => File.ReadLines(f).Any(l => l.StartsWith("apiVersion: v3.1.0", StringComparison.Ordinal)))
            .Where(f => !ContractLoader.Read(f, requireSchema: false).HasErrors)
            .ToList();

        // Act
        var diagnostics = examples.SelectMany(Validator.Validate).ToList();

        // Assert
        Assert.True(examples.Count >= 4);
        Assert.Empty(diagnostics);
    }

    [OdcsSchemaFact]
    public void Validate_ScaffoldedContract_Conforms()
    {
        // Arrange
        var product = ProductScaffold.Write(Path.Combine(_temp.Path, "pipelines"), "sales", "orders");

        // Act
        var diagnostics = Validator.Validate(Path.Combine(product, "contract.odcs.yaml"));

        // Assert
        Assert.Empty(diagnostics);
    }

    [Fact]
    public void Locate_NoSchemasAnywhere_ReturnsNullSoTheCheckIsSkipped()
    {
        // Arrange
        var previous = Environment.GetEnvironmentVariable(OdcsSchemaValidator.FolderVariable);
        Environment.SetEnvironmentVariable(OdcsSchemaValidator.FolderVariable, _temp.Path);
        try
        {
            // Act
            var validator = OdcsSchemaValidator.Locate(_temp.Path);

            // Assert
            Assert.Null(validator);
        }
        finally
        {
            Environment.SetEnvironmentVariable(OdcsSchemaValidator.FolderVariable, previous);
        }
    }
}
