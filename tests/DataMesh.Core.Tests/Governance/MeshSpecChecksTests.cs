using DataMesh.Pipeline;
using DataMesh.Specs;

namespace DataMesh.Core.Tests.Governance;

public sealed class MeshSpecChecksTests : IDisposable
{
    private readonly GovernanceFixtures _mesh = new();

    public void Dispose() => _mesh.Dispose();

    private static Func<string, string> Landing(string path) => GovernanceFixtures.Line("landing:", $"    landing: {{ path: {path}, format: csv }}");

    [Fact]
    public void Check_TwoProductsOfOneDomainWithTheSameLandingPath_ReportsDM1027InBothNamingTheOther()
    {
        // Arrange: the fixture's landing path is ledger/emea/ (line 11, column 22 of the value).
        var emea = _mesh.Add("finance.ledger-emea");
        var copy = _mesh.Add("finance.ledger-copy");

        // Act
        var diagnostics = MeshSpecChecks.Check([emea, copy]);

        // Assert
        Assert.Equal(2, diagnostics.Count);
        Assert.All(diagnostics, d => Assert.Equal((SpecDiagnosticCodes.AmbiguousLandingPath, 11, 22, DiagnosticSeverity.Error), (d.Code, d.Line, d.Column, d.Severity)));
        var onEmea = Assert.Single(diagnostics, d => d.File.EndsWith(Path.Combine("ledger-emea", "product.yaml"), StringComparison.Ordinal));
        Assert.Contains("finance.ledger-copy", onEmea.Message, StringComparison.Ordinal);
        Assert.Contains(Path.Combine("ledger-copy", "product.yaml") + ":11:22", onEmea.Message, StringComparison.Ordinal);
        var onCopy = Assert.Single(diagnostics, d => d.File.EndsWith(Path.Combine("ledger-copy", "product.yaml"), StringComparison.Ordinal));
        Assert.Contains("finance.ledger-emea", onCopy.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ledger/", "ledger/emea/")]
    [InlineData("ledger/emea", "ledger/emea-2/")]
    public void Check_LandingPathInsideAnother_ReportsDM1027(string outer, string inner)
    {
        // Arrange
        var all = _mesh.Add("finance.ledger-all", edit: Landing(outer));
        var emea = _mesh.Add("finance.ledger-emea", edit: Landing(inner));

        // Act
        var diagnostics = MeshSpecChecks.Check([all, emea]);

        // Assert
        Assert.Equal(2, diagnostics.Count);
        Assert.All(diagnostics, d => Assert.Equal(SpecDiagnosticCodes.AmbiguousLandingPath, d.Code));
        Assert.Contains(diagnostics, d => d.Message.Contains($"'{inner}' lies inside '{outer}'", StringComparison.Ordinal));
    }

    [Fact]
    public void Check_SameLandingPathInAnotherDomainOrSiblingFolders_ReportsNothing()
    {
        // Arrange: each domain has its own landing container; ledger/emea/ and ledger/apac/ are disjoint.
        var finance = _mesh.Add("finance.ledger-emea");
        var marketing = _mesh.Add("marketing.ledger-emea");
        var apac = _mesh.Add("finance.ledger-apac", edit: Landing("ledger/apac/"));

        // Act
        var diagnostics = MeshSpecChecks.Check([finance, marketing, apac]);

        // Assert
        Assert.Empty(diagnostics);
    }

    [Fact]
    public void Check_InputNamingAProductNotInTheMesh_ReportsDM1028WithDidYouMean()
    {
        // Arrange: a typo of an existing product id.
        var emea = _mesh.Add("finance.ledger-emea");
        var report = _mesh.Add("finance.report", edit: GovernanceFixtures.Line("landing:", "    product: finance.ledger-emae"));

        // Act
        var diagnostic = Assert.Single(MeshSpecChecks.Check([emea, report], []));

        // Assert
        Assert.Equal((SpecDiagnosticCodes.UnknownUpstreamProduct, 11, 14), (diagnostic.Code, diagnostic.Line, diagnostic.Column));
        Assert.EndsWith(Path.Combine("report", "product.yaml"), diagnostic.File, StringComparison.Ordinal);
        Assert.Contains("'finance.ledger-emae' is not in this mesh; did you mean 'finance.ledger-emea'?", diagnostic.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_InputNamingAProductWhoseSpecDidNotLoad_ReportsNothing()
    {
        // Arrange
        var report = _mesh.Add("finance.report", edit: GovernanceFixtures.Line("landing:", "    product: finance.ledger-emea"));

        // Act
        var diagnostics = MeshSpecChecks.Check([report], ["finance.ledger-emea"]);

        // Assert
        Assert.Empty(diagnostics);
    }

    [Fact]
    public void LoadFrom_PipelinesWithOverlappingLandingPaths_ThrowsNamingBothProducts()
    {
        // Arrange: what every host loads at start (the Functions app and the local mesh).
        _mesh.Add("finance.ledger-emea");
        _mesh.Add("finance.ledger-copy");

        // Act
        var error = Assert.Throws<SpecValidationException>(() => ProductRegistry.LoadFrom(_mesh.Pipelines));

        // Assert
        Assert.Equal(2, error.Diagnostics.Count);
        Assert.All(error.Diagnostics, d => Assert.Equal(SpecDiagnosticCodes.AmbiguousLandingPath, d.Code));
    }

    [Fact]
    public void LoadFrom_PipelinesWithUnknownUpstream_ThrowsDM1028()
    {
        // Arrange
        _mesh.Add("finance.report", edit: GovernanceFixtures.Line("landing:", "    product: finance.nowhere"));

        // Act
        var error = Assert.Throws<SpecValidationException>(() => ProductRegistry.LoadFrom(_mesh.Pipelines));

        // Assert
        Assert.Equal(SpecDiagnosticCodes.UnknownUpstreamProduct, Assert.Single(error.Diagnostics).Code);
    }

    [Fact]
    public void LoadFrom_ShippedSamples_Loads()
    {
        // Act
        var registry = ProductRegistry.LoadFrom(RepositoryFiles.Pipelines);

        // Assert
        Assert.True(registry.All.Count >= 2);
    }
}
