using DataMesh.Governance;
using DataMesh.Specs;

namespace DataMesh.Core.Tests.Governance;

public sealed class ReleaseCompatibilityTests : IDisposable
{
    private const string AmountColumn = "      - name: amount\n        logicalType: number\n        physicalType: decimal(18,2)\n";

    private readonly GovernanceFixtures _mesh = new();

    public void Dispose() => _mesh.Dispose();

    [Theory]
    [InlineData("1.1.0", false)]
    [InlineData("1.0.1", false)]
    [InlineData("2.0.0", true)]
    public void Check_BreakingChange_NeedsMajorVersion(string version, bool accepted)
    {
        // Arrange
        var previous = _mesh.Add(id: "finance.old").Contract;
        var product = _mesh.Add(version: version, editContract: c => c.Replace(AmountColumn, "", StringComparison.Ordinal), sql: "SELECT entry_id, email FROM gl_entries");

        // Act
        var diagnostics = ReleaseCompatibility.Check(product, previous, "origin/main");

        // Assert
        if (accepted)
        {
            Assert.Empty(diagnostics);
        }
        else
        {
            var diagnostic = Assert.Single(diagnostics);
            Assert.Equal((PolicyDiagnosticCodes.VersionBumpTooSmall, DiagnosticSeverity.Error, 5, 10), (diagnostic.Code, diagnostic.Severity, diagnostic.Line, diagnostic.Column));
            Assert.EndsWith("product.yaml", diagnostic.File, StringComparison.Ordinal);
            Assert.Contains("entries.amount removed", diagnostic.Message, StringComparison.Ordinal);
            Assert.Contains("use 2.0.0 or later", diagnostic.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Check_AdditiveChangeWithMinorBump_Passes()
    {
        // Arrange
        var previous = _mesh.Add(id: "finance.old").Contract;
        var product = _mesh.Add(version: "1.1.0", editContract: c => c.Replace(AmountColumn, AmountColumn + "      - name: region\n        logicalType: string\n", StringComparison.Ordinal));

        // Act
        var diagnostics = ReleaseCompatibility.Check(product, previous, "origin/main");

        // Assert
        Assert.Empty(diagnostics);
    }

    [Fact]
    public void Check_VersionLowered_ReportsDM2040()
    {
        // Arrange
        var previous = _mesh.Add(id: "finance.old", version: "1.2.0").Contract;
        var product = _mesh.Add(version: "1.1.0");

        // Act
        var diagnostic = Assert.Single(ReleaseCompatibility.Check(product, previous, "v1.2.0"));

        // Assert
        Assert.Equal(PolicyDiagnosticCodes.VersionBumpTooSmall, diagnostic.Code);
        Assert.Contains("lower than 1.2.0 at v1.2.0", diagnostic.Message, StringComparison.Ordinal);
    }
}
