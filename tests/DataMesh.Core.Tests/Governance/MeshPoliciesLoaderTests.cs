using DataMesh.Governance;
using DataMesh.Specs;

namespace DataMesh.Core.Tests.Governance;

public sealed class MeshPoliciesLoaderTests
{
    /// <summary>
    /// A valid mesh file. Lines: 1 apiVersion, 2 kind, 3 policies, 4 <c>- id: owner-email-required</c>, 5 severity,
    /// 6 message, 7 <c>- id: allowed-input-formats</c>, 8 severity, 9 parameters, 10 exemptions, 11 <c>- product</c>,
    /// 12 policy, 13 reason, 14 expires.
    /// </summary>
    public const string ValidMesh = """
        apiVersion: datamesh/v1
        kind: Mesh
        policies:
          - id: owner-email-required
            severity: error
            message: owners answer questions
          - id: allowed-input-formats
            severity: warning
            parameters: { formats: [csv, parquet] }
        exemptions:
          - product: finance.ledger-emea
            policy: owner-email-required
            reason: team being formed
            expires: 2026-12-31

        """;

    /// <summary>Broken mesh files: line <c>at</c> of <see cref="ValidMesh"/> replaced (an empty replacement removes it), then the one code and line expected.</summary>
    public static TheoryData<int, string, string, int> BrokenMeshes => new()
    {
        { 5, "    severity: [error", PolicyDiagnosticCodes.YamlSyntax, 6 },
        { 1, "", PolicyDiagnosticCodes.MissingField, 1 },
        { 1, "apiVersion: datamesh/v2", PolicyDiagnosticCodes.InvalidApiVersion, 1 },
        { 2, "kind: DataProduct", PolicyDiagnosticCodes.InvalidKind, 2 },
        { 10, "exemption:", PolicyDiagnosticCodes.UnknownKey, 10 },
        { 5, "    severity: [error]", PolicyDiagnosticCodes.WrongType, 5 },
        { 4, "  - id: owner-mail-required", PolicyDiagnosticCodes.UnknownPolicy, 4 },
        { 7, "  - id: owner-email-required", PolicyDiagnosticCodes.DuplicatePolicy, 7 },
        { 4, "  -", PolicyDiagnosticCodes.MissingField, 5 },
        { 5, "", PolicyDiagnosticCodes.MissingField, 4 },
        { 5, "    severity: fatal", PolicyDiagnosticCodes.InvalidSeverity, 5 },
        { 6, "    level: high", PolicyDiagnosticCodes.UnknownKey, 6 },
        { 9, "    parameters: { format: [csv] }", PolicyDiagnosticCodes.UnknownKey, 9 },
        { 9, "    parameters: { formats: [csv, xlsx] }", PolicyDiagnosticCodes.InvalidParameter, 9 },
        { 9, "    parameters: { formats: [] }", PolicyDiagnosticCodes.InvalidParameter, 9 },
        { 9, "    parameters: { formats: csv }", PolicyDiagnosticCodes.WrongType, 9 },
        { 6, "    parameters: { minimum: 1 }", PolicyDiagnosticCodes.UnknownKey, 6 },
        { 9, "    parameters: { formats: [csv] }\n  - id: kebab-case-names\n    severity: error\n    parameters: { strict: true }", PolicyDiagnosticCodes.InvalidParameter, 12 },
        { 9, "    parameters: { formats: [csv] }\n  - id: quality-rule-required\n    severity: error\n    parameters: { minimum: 0 }", PolicyDiagnosticCodes.InvalidParameter, 12 },
        { 9, "    parameters: { formats: [csv] }\n  - id: public-freshness-sla\n    severity: error\n    parameters: { maxFreshness: 24h }", PolicyDiagnosticCodes.InvalidParameter, 12 },
        { 11, "  - product: ledger-emea", PolicyDiagnosticCodes.InvalidExemptionProduct, 11 },
        { 12, "    policy: description-required", PolicyDiagnosticCodes.ExemptionPolicyNotListed, 12 },
        { 12, "    policy: no-such-policy", PolicyDiagnosticCodes.ExemptionPolicyNotListed, 12 },
        { 13, "", PolicyDiagnosticCodes.MissingField, 11 },
        { 13, "    reason: \"  \"", PolicyDiagnosticCodes.MissingField, 13 },
        { 14, "    expires: 31/12/2026", PolicyDiagnosticCodes.InvalidExpiry, 14 },
        { 14, "", PolicyDiagnosticCodes.MissingField, 11 },
        { 14, "    expires: 2026-12-31\n    until: 2027-01-31", PolicyDiagnosticCodes.UnknownKey, 15 },
        { 14, "    expires: 2026-12-31\n  - { product: finance.ledger-emea, policy: owner-email-required, reason: again, expires: 2027-01-31 }", PolicyDiagnosticCodes.DuplicateExemption, 15 },
        { 14, "    expires: 2026-12-31\n  - finance.ledger-apac", PolicyDiagnosticCodes.WrongType, 15 },
    };

    private static string Edit(int at, string replacement)
    {
        var lines = ValidMesh.Split('\n').ToList();
        if (replacement.Length == 0)
        {
            lines.RemoveAt(at - 1);
        }
        else
        {
            lines[at - 1] = replacement;
        }

        return string.Join('\n', lines);
    }

    [Fact]
    public void Parse_ValidMesh_ReadsPoliciesAndExemptions()
    {
        // Act
        var result = MeshPoliciesLoader.Parse(ValidMesh, "mesh.yaml");

        // Assert
        Assert.Empty(result.Diagnostics);
        var policies = result.Policies!;
        Assert.Equal([PolicyIds.OwnerEmailRequired, PolicyIds.AllowedInputFormats], policies.Policies.Select(p => p.Id));
        Assert.Equal(("owners answer questions", DiagnosticSeverity.Error, 4), (policies.Policies[0].Message, policies.Policies[0].Severity, policies.Policies[0].Line));
        Assert.Equal(DiagnosticSeverity.Warning, policies.Policies[1].Severity);
        Assert.Equal(["csv", "parquet"], policies.Policies[1].Parameters["formats"]);
        Assert.False(string.IsNullOrWhiteSpace(policies.Policies[1].Message));
        var exemption = Assert.Single(policies.Exemptions);
        Assert.Equal(("finance.ledger-emea", PolicyIds.OwnerEmailRequired, "team being formed", new DateOnly(2026, 12, 31)),
            (exemption.Product, exemption.Policy, exemption.Reason, exemption.Expires));
        Assert.Equal((11, 5, 14, 14), (exemption.Line, exemption.Column, exemption.ExpiresLine, exemption.ExpiresColumn));
    }

    [Theory]
    [MemberData(nameof(BrokenMeshes))]
    public void Parse_BrokenMesh_ReportsCodeAtLine(int at, string replacement, string code, int line)
    {
        // Arrange
        var text = Edit(at, replacement);

        // Act
        var result = MeshPoliciesLoader.Parse(text, "pipelines/mesh.yaml");

        // Assert
        Assert.Null(result.Policies);
        var diagnostic = Assert.Single(result.Diagnostics);
        Assert.Equal((code, line), (diagnostic.Code, diagnostic.Line));
        Assert.StartsWith($"pipelines/mesh.yaml:{line}:", diagnostic.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_UnknownPolicyNearAKnownOne_SuggestsIt()
    {
        // Act
        var result = MeshPoliciesLoader.Parse(Edit(4, "  - id: owner-mail-required"), "mesh.yaml");

        // Assert
        var diagnostic = Assert.Single(result.Diagnostics);
        Assert.Contains("did you mean 'owner-email-required'", diagnostic.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_EmptyFile_ReportsMissingContent()
    {
        // Act
        var result = MeshPoliciesLoader.Parse("", "mesh.yaml");

        // Assert
        var diagnostic = Assert.Single(result.Diagnostics);
        Assert.Equal((PolicyDiagnosticCodes.MissingField, 1), (diagnostic.Code, diagnostic.Line));
    }

    [Fact]
    public void Read_MissingFile_ReportsDM2000()
    {
        // Act
        var result = MeshPoliciesLoader.Read(Path.Combine(Path.GetTempPath(), "no-such-folder-" + Guid.NewGuid().ToString("N"), "mesh.yaml"));

        // Assert
        Assert.Equal(PolicyDiagnosticCodes.MeshFileNotFound, Assert.Single(result.Diagnostics).Code);
    }

    [Fact]
    public void Load_ShippedMesh_EnforcesEveryKnownPolicy()
    {
        // Act
        var policies = MeshPoliciesLoader.Load(RepositoryFiles.MeshFile);

        // Assert
        Assert.Equal(
            [PolicyIds.OwnerEmailRequired, PolicyIds.DescriptionRequired, PolicyIds.KebabCaseNames, PolicyIds.OutputColumnsTyped, PolicyIds.PublicFreshnessSla,
             PolicyIds.SensitiveColumnsMasked, PolicyIds.UpstreamResolvable, PolicyIds.UpstreamAccess, PolicyIds.NoDependencyCycles, PolicyIds.QualityRuleRequired, PolicyIds.AllowedInputFormats],
            policies.Policies.Select(p => p.Id));
        Assert.Empty(policies.Exemptions);
    }

    [Fact]
    public void Find_ProductFolderInsidePipelines_FindsMeshAbove()
    {
        // Act
        var found = MeshPoliciesLoader.Find(Path.Combine(RepositoryFiles.Pipelines, "finance", "ledger-emea"));

        // Assert
        Assert.Equal(RepositoryFiles.MeshFile, found);
    }

    [Fact]
    public void Find_RepositoryRoot_FindsPipelinesMesh()
    {
        // Act
        var found = MeshPoliciesLoader.Find(RepositoryFiles.Root);

        // Assert
        Assert.Equal(RepositoryFiles.MeshFile, found);
    }
}
