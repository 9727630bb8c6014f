using DataMesh.Governance;
using DataMesh.Specs;

namespace DataMesh.Core.Tests.Governance;

public sealed class ExemptionTests : IDisposable
{
    private static readonly PolicyExemption UntilEndOf2026 = new()
    {
        Product = "finance.ledger-emea",
        Policy = PolicyIds.DescriptionRequired,
        Reason = "catalog text under review",
        Expires = new DateOnly(2026, 12, 31),
        Line = 11,
        Column = 5,
        ExpiresLine = 14,
        ExpiresColumn = 14,
    };

    private readonly GovernanceFixtures _mesh = new();

    public void Dispose() => _mesh.Dispose();

    [Theory]
    [InlineData("2026-06-01T00:00:00Z")]
    [InlineData("2026-12-31T23:59:59Z")]
    public void Evaluate_ViolationWithActiveExemption_IsWarningNamingTheExemption(string now)
    {
        // Arrange
        var product = _mesh.Add(edit: GovernanceFixtures.Line("description:", null));
        var policies = GovernanceFixtures.Policies(PolicyIds.DescriptionRequired, null, UntilEndOf2026);

        // Act
        var diagnostics = PolicyEngine.Evaluate([product], policies, new PolicyContext { Time = FixedClock.At(now) });

        // Assert
        var diagnostic = Assert.Single(diagnostics);
        Assert.Equal((PolicyDiagnosticCodes.DescriptionRequired, DiagnosticSeverity.Warning), (diagnostic.Code, diagnostic.Severity));
        Assert.Contains("Exempted until 2026-12-31: catalog text under review", diagnostic.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_DayAfterExpiry_ViolationIsErrorAndExemptionIsDM2020()
    {
        // Arrange
        var product = _mesh.Add(edit: GovernanceFixtures.Line("description:", null));
        var policies = GovernanceFixtures.Policies(PolicyIds.DescriptionRequired, null, UntilEndOf2026);

        // Act
        var diagnostics = PolicyEngine.Evaluate([product], policies, new PolicyContext { Time = FixedClock.At("2027-01-01T00:00:00Z") });

        // Assert
        Assert.Equal(2, diagnostics.Count);
        Assert.All(diagnostics, d => Assert.Equal(DiagnosticSeverity.Error, d.Severity));
        var expired = Assert.Single(diagnostics, d => d.Code == PolicyDiagnosticCodes.ExemptionExpired);
        Assert.Equal(("pipelines/mesh.yaml", 14, 14), (expired.File, expired.Line, expired.Column));
        Assert.Contains("expired on 2026-12-31", expired.Message, StringComparison.Ordinal);
        var violation = Assert.Single(diagnostics, d => d.Code == PolicyDiagnosticCodes.DescriptionRequired);
        Assert.Contains("Its exemption expired on 2026-12-31", violation.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_ExpiredExemptionOfCompliantProduct_IsStillDM2020()
    {
        // Arrange
        var product = _mesh.Add();
        var policies = GovernanceFixtures.Policies(PolicyIds.DescriptionRequired, null, UntilEndOf2026);

        // Act
        var diagnostics = PolicyEngine.Evaluate([product], policies, new PolicyContext { Time = FixedClock.At("2027-03-01T00:00:00Z") });

        // Assert
        var diagnostic = Assert.Single(diagnostics);
        Assert.Equal((PolicyDiagnosticCodes.ExemptionExpired, DiagnosticSeverity.Error), (diagnostic.Code, diagnostic.Severity));
    }

    [Fact]
    public void Evaluate_ActiveExemptionOfCompliantProduct_WarnsDM2022()
    {
        // Arrange
        var product = _mesh.Add();
        var policies = GovernanceFixtures.Policies(PolicyIds.DescriptionRequired, null, UntilEndOf2026);

        // Act
        var diagnostics = PolicyEngine.Evaluate([product], policies, new PolicyContext { Time = FixedClock.At("2026-06-01T00:00:00Z") });

        // Assert
        var diagnostic = Assert.Single(diagnostics);
        Assert.Equal((PolicyDiagnosticCodes.ExemptionUnused, DiagnosticSeverity.Warning, 11, 5), (diagnostic.Code, diagnostic.Severity, diagnostic.Line, diagnostic.Column));
    }

    [Fact]
    public void Evaluate_ExemptionForProductNotInMesh_WarnsDM2021()
    {
        // Arrange
        var product = _mesh.Add();
        var policies = GovernanceFixtures.Policies(PolicyIds.DescriptionRequired, null, UntilEndOf2026 with { Product = "finance.ledger-apac" });

        // Act
        var diagnostics = PolicyEngine.Evaluate([product], policies, new PolicyContext { Time = FixedClock.At("2026-06-01T00:00:00Z") });

        // Assert
        var diagnostic = Assert.Single(diagnostics);
        Assert.Equal((PolicyDiagnosticCodes.ExemptionUnknownProduct, DiagnosticSeverity.Warning), (diagnostic.Code, diagnostic.Severity));
    }

    [Fact]
    public void Evaluate_ExemptionLoadedFromMeshFile_TurnsErrorOnDayAfterExpiry()
    {
        // Arrange
        var product = _mesh.Add(edit: GovernanceFixtures.Line("description:", null));
        var mesh = MeshPoliciesLoader.Parse(MeshPoliciesLoaderTests.ValidMesh.Replace("owner-email-required\n    reason", "description-required\n    reason", StringComparison.Ordinal)
            .Replace("  - id: allowed-input-formats", "  - id: description-required\n    severity: error\n  - id: allowed-input-formats", StringComparison.Ordinal), "mesh.yaml");
        Assert.False(mesh.HasErrors, string.Join('\n', mesh.Diagnostics));

        // Act
        var before = PolicyEngine.Evaluate([product], mesh.Policies!, new PolicyContext { Time = FixedClock.At("2026-12-31T12:00:00Z") });
        var after = PolicyEngine.Evaluate([product], mesh.Policies!, new PolicyContext { Time = FixedClock.At("2027-01-01T12:00:00Z") });

        // Assert
        Assert.DoesNotContain(before, d => d.Severity == DiagnosticSeverity.Error);
        Assert.Contains(before, d => d.Code == PolicyDiagnosticCodes.DescriptionRequired && d.Severity == DiagnosticSeverity.Warning);
        var expired = Assert.Single(after, d => d.Code == PolicyDiagnosticCodes.ExemptionExpired);
        Assert.Equal(("mesh.yaml", 16, 14), (expired.File, expired.Line, expired.Column));
        Assert.Contains(after, d => d.Code == PolicyDiagnosticCodes.DescriptionRequired && d.Severity == DiagnosticSeverity.Error);
    }
}
