using DataMesh.Contracts;
using DataMesh.Governance;
using DataMesh.Specs;

namespace DataMesh.Core.Tests.Governance;

public sealed class PolicyEngineTests : IDisposable
{
    private const string EmailProperty = "      - name: email\n        logicalType: string\n        classification: internal\n";

    private static readonly PolicyContext Today = new() { Time = FixedClock.At("2026-06-01T12:00:00Z") };

    private readonly GovernanceFixtures _mesh = new();

    public void Dispose() => _mesh.Dispose();

    private static Dictionary<string, IReadOnlyList<string>> Parameter(string name, params string[] values) => new() { [name] = values };

    private static SpecDiagnostic Single(IReadOnlyList<SpecDiagnostic> diagnostics, string code)
    {
        var diagnostic = Assert.Single(diagnostics);
        Assert.Equal(code, diagnostic.Code);
        return diagnostic;
    }

    [Theory]
    [InlineData(PolicyIds.OwnerEmailRequired)]
    [InlineData(PolicyIds.DescriptionRequired)]
    [InlineData(PolicyIds.KebabCaseNames)]
    [InlineData(PolicyIds.OutputColumnsTyped)]
    [InlineData(PolicyIds.PublicFreshnessSla)]
    [InlineData(PolicyIds.SensitiveColumnsMasked)]
    [InlineData(PolicyIds.UpstreamResolvable)]
    [InlineData(PolicyIds.NoDependencyCycles)]
    [InlineData(PolicyIds.QualityRuleRequired)]
    [InlineData(PolicyIds.AllowedInputFormats)]
    [InlineData(PolicyIds.UpstreamAccess)]
    public void Evaluate_CompliantProduct_PassesPolicy(string policy)
    {
        // Arrange
        var product = _mesh.Add();

        // Act
        var diagnostics = PolicyEngine.Evaluate([product], GovernanceFixtures.Policies(policy), Today);

        // Assert
        Assert.Empty(diagnostics);
    }

    [Fact]
    public void Evaluate_ShippedSamplesUnderShippedMesh_HaveNoFindings()
    {
        // Arrange
        var products = ProductSpecLoader.FindProductDirectories(RepositoryFiles.Pipelines).Select(ProductSpecLoader.Load).ToList();
        var policies = MeshPoliciesLoader.Load(RepositoryFiles.MeshFile);

        // Act
        var diagnostics = PolicyEngine.Evaluate(products, policies, Today);

        // Assert
        Assert.True(products.Count >= 2);
        Assert.Equal(11, policies.Policies.Count);
        Assert.Empty(diagnostics);
    }

    [Fact]
    public void Evaluate_NoOwner_ReportsDM2101AtSpecStart()
    {
        // Arrange
        var product = _mesh.Add(edit: GovernanceFixtures.Line("owner:", null));

        // Act
        var diagnostic = Single(PolicyEngine.Evaluate([product], GovernanceFixtures.Policies(PolicyIds.OwnerEmailRequired), Today), PolicyDiagnosticCodes.OwnerEmailRequired);

        // Assert
        Assert.Equal((1, 1, DiagnosticSeverity.Error), (diagnostic.Line, diagnostic.Column, diagnostic.Severity));
        Assert.EndsWith(Path.Combine("finance", "ledger-emea", "product.yaml"), diagnostic.File, StringComparison.Ordinal);
        Assert.Contains("(policy owner-email-required: test policy)", diagnostic.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("owner: { team: Finance, email: finance }", null)]
    [InlineData("owner: { team: Finance, email: finance@elsewhere.org }", "example.com")]
    public void Evaluate_BadOwnerEmail_ReportsDM2101AtEmail(string line, string? allowedDomain)
    {
        // Arrange
        var product = _mesh.Add(edit: GovernanceFixtures.Line("owner:", line));
        var policies = GovernanceFixtures.Policies(PolicyIds.OwnerEmailRequired, allowedDomain is null ? null : Parameter("emailDomains", allowedDomain));

        // Act
        var diagnostic = Single(PolicyEngine.Evaluate([product], policies, Today), PolicyDiagnosticCodes.OwnerEmailRequired);

        // Assert
        Assert.Equal((7, 32), (diagnostic.Line, diagnostic.Column));
    }

    [Fact]
    public void Evaluate_OwnerEmailInAllowedDomain_Passes()
    {
        // Arrange
        var product = _mesh.Add();
        var policies = GovernanceFixtures.Policies(PolicyIds.OwnerEmailRequired, Parameter("emailDomains", "example.com"));

        // Act
        var diagnostics = PolicyEngine.Evaluate([product], policies, Today);

        // Assert
        Assert.Empty(diagnostics);
    }

    [Fact]
    public void Evaluate_NoDescription_ReportsDM2102()
    {
        // Arrange
        var product = _mesh.Add(edit: GovernanceFixtures.Line("description:", null));

        // Act
        var diagnostic = Single(PolicyEngine.Evaluate([product], GovernanceFixtures.Policies(PolicyIds.DescriptionRequired), Today), PolicyDiagnosticCodes.DescriptionRequired);

        // Assert
        Assert.Equal(1, diagnostic.Line);
    }

    [Fact]
    public void Evaluate_DescriptionShorterThanMinLength_ReportsDM2102AtDescription()
    {
        // Arrange
        var product = _mesh.Add(edit: GovernanceFixtures.Line("description:", "description: Ledger."));
        var policies = GovernanceFixtures.Policies(PolicyIds.DescriptionRequired, Parameter("minLength", "20"));

        // Act
        var diagnostic = Single(PolicyEngine.Evaluate([product], policies, Today), PolicyDiagnosticCodes.DescriptionRequired);

        // Assert
        Assert.Equal((6, 14), (diagnostic.Line, diagnostic.Column));
        Assert.Contains("at least 20", diagnostic.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_TagNotKebabCase_ReportsDM2103AtTag()
    {
        // Arrange
        var product = _mesh.Add(edit: GovernanceFixtures.Line("tags:", "tags: [finance, GeneralLedger]"));

        // Act
        var diagnostic = Single(PolicyEngine.Evaluate([product], GovernanceFixtures.Policies(PolicyIds.KebabCaseNames), Today), PolicyDiagnosticCodes.KebabCaseNames);

        // Assert
        Assert.Equal((8, 17), (diagnostic.Line, diagnostic.Column));
        Assert.Contains("general-ledger", diagnostic.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_NameNotKebabCase_ReportsDM2103AtName()
    {
        // Arrange: the loader refuses such a name, but specs built in code reach the engine too.
        var product = _mesh.Add() with { Name = "Ledger_EMEA" };

        // Act
        var diagnostic = Single(PolicyEngine.Evaluate([product], GovernanceFixtures.Policies(PolicyIds.KebabCaseNames), Today), PolicyDiagnosticCodes.KebabCaseNames);

        // Assert
        Assert.Equal((4, 7), (diagnostic.Line, diagnostic.Column));
    }

    [Fact]
    public void Evaluate_UntypedColumn_ReportsDM2104AtContractProperty()
    {
        // Arrange
        var product = _mesh.Add(editContract: c => c.Replace("        logicalType: string\n        classification: internal\n      - name: amount", "        classification: internal\n      - name: amount", StringComparison.Ordinal));

        // Act
        var diagnostic = Single(PolicyEngine.Evaluate([product], GovernanceFixtures.Policies(PolicyIds.OutputColumnsTyped), Today), PolicyDiagnosticCodes.OutputColumnsTyped);

        // Assert
        Assert.EndsWith("contract.odcs.yaml", diagnostic.File, StringComparison.Ordinal);
        Assert.Equal((17, 9), (diagnostic.Line, diagnostic.Column));
        Assert.Contains("'email'", diagnostic.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_PublicProductWithoutSla_ReportsDM2105AtVisibility()
    {
        // Arrange
        var product = _mesh.Add(edit: GovernanceFixtures.Line("sla:", null));

        // Act
        var diagnostic = Single(PolicyEngine.Evaluate([product], GovernanceFixtures.Policies(PolicyIds.PublicFreshnessSla), Today), PolicyDiagnosticCodes.PublicFreshnessSla);

        // Assert
        Assert.Equal((14, 23), (diagnostic.Line, diagnostic.Column));
    }

    [Fact]
    public void Evaluate_DomainProductWithoutSla_PassesFreshnessPolicy()
    {
        // Arrange
        var product = _mesh.Add(edit: s => GovernanceFixtures.Line("access:", "access: { visibility: domain }")(GovernanceFixtures.Line("sla:", null)(s)));

        // Act
        var diagnostics = PolicyEngine.Evaluate([product], GovernanceFixtures.Policies(PolicyIds.PublicFreshnessSla), Today);

        // Assert
        Assert.Empty(diagnostics);
    }

    [Fact]
    public void Evaluate_FreshnessLooserThanMaximum_ReportsDM2105AtFreshness()
    {
        // Arrange
        var product = _mesh.Add(edit: GovernanceFixtures.Line("sla:", "sla: { freshness: P7D }"));
        var policies = GovernanceFixtures.Policies(PolicyIds.PublicFreshnessSla, Parameter("maxFreshness", "P1D"));

        // Act
        var diagnostic = Single(PolicyEngine.Evaluate([product], policies, Today), PolicyDiagnosticCodes.PublicFreshnessSla);

        // Assert
        Assert.Equal((14, 19), (diagnostic.Line, diagnostic.Column));
    }

    [Theory]
    [InlineData("pii")]
    [InlineData("restricted")]
    public void Evaluate_UnmaskedSensitiveColumnInPublicProduct_ReportsDM2106AtClassification(string classification)
    {
        // Arrange
        var product = _mesh.Add(editContract: c => c.Replace(EmailProperty, EmailProperty.Replace("internal", classification, StringComparison.Ordinal), StringComparison.Ordinal));

        // Act
        var diagnostic = Single(PolicyEngine.Evaluate([product], GovernanceFixtures.Policies(PolicyIds.SensitiveColumnsMasked), Today), PolicyDiagnosticCodes.SensitiveColumnsMasked);

        // Assert
        Assert.EndsWith("contract.odcs.yaml", diagnostic.File, StringComparison.Ordinal);
        Assert.Equal((19, 25), (diagnostic.Line, diagnostic.Column));
    }

    [Theory]
    [InlineData("hash")]
    [InlineData("redact")]
    [InlineData("truncate")]
    [InlineData("null")]
    public void Evaluate_SensitiveColumnMaskedInContract_Passes(string masking)
    {
        // Arrange
        var masked = EmailProperty.Replace("internal", "pii", StringComparison.Ordinal) + $"        customProperties:\n          - property: masking\n            value: {masking}\n";
        var product = _mesh.Add(editContract: c => c.Replace(EmailProperty, masked, StringComparison.Ordinal));

        // Act
        var diagnostics = PolicyEngine.Evaluate([product], GovernanceFixtures.Policies(PolicyIds.SensitiveColumnsMasked), Today);

        // Assert
        Assert.Equal(masking, product.Contract.Schema[0].Properties[1].Masking);
        Assert.Empty(diagnostics);
    }

    [Fact]
    public void Add_UnknownMaskingKind_IsRefusedAsAContractErrorBeforeAnyPolicy()
    {
        // Arrange: an unknown masking kind is the contract's own error (DM2052), whatever the policies: it never loads.
        var masked = EmailProperty.Replace("internal", "pii", StringComparison.Ordinal) + "        customProperties:\n          - property: masking\n            value: scramble\n";

        // Act
        var refused = Assert.Throws<SpecValidationException>(() => _mesh.Add(editContract: c => c.Replace(EmailProperty, masked, StringComparison.Ordinal)));

        // Assert
        var diagnostic = Assert.Single(refused.Diagnostics);
        Assert.Equal((ContractDiagnosticCodes.UnknownMaskingKind, 22, 20), (diagnostic.Code, diagnostic.Line, diagnostic.Column));
        Assert.Contains("'scramble' is not a masking kind; use one of hash, redact, truncate, null", diagnostic.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_SensitiveColumnMaskedInSql_Passes()
    {
        // Arrange
        var product = _mesh.Add(
            editContract: c => c.Replace(EmailProperty, EmailProperty.Replace("internal", "pii", StringComparison.Ordinal), StringComparison.Ordinal),
            sql: "SELECT entry_id, left(email, 4) AS email, amount FROM gl_entries");

        // Act
        var diagnostics = PolicyEngine.Evaluate([product], GovernanceFixtures.Policies(PolicyIds.SensitiveColumnsMasked), Today);

        // Assert
        Assert.Empty(diagnostics);
    }

    [Theory]
    [InlineData("sha256(email)", "unsalted hash")]
    [InlineData("md5(email)", "unsalted hash")]
    [InlineData("left(email, 999)", "4 characters or fewer")]
    [InlineData("regexp_replace(email, 'x^', '*')", "every character replaced")]
    [InlineData("email", null)]
    public void Evaluate_SensitiveColumnSqlThatMasksNothing_ReportsDM2106RecommendingTheContractMasking(string expression, string? why)
    {
        // Arrange
        var product = _mesh.Add(
            editContract: c => c.Replace(EmailProperty, EmailProperty.Replace("internal", "pii", StringComparison.Ordinal), StringComparison.Ordinal),
            sql: $"SELECT entry_id, {expression} AS email, amount FROM gl_entries");

        // Act
        var diagnostic = Single(PolicyEngine.Evaluate([product], GovernanceFixtures.Policies(PolicyIds.SensitiveColumnsMasked), Today), PolicyDiagnosticCodes.SensitiveColumnsMasked);

        // Assert: at the classification, recommending the contract's keyed hash, never a hash in SQL.
        Assert.Equal((19, 25), (diagnostic.Line, diagnostic.Column));
        Assert.Contains("customProperties: [{ property: masking, value: hash }]", diagnostic.Message, StringComparison.Ordinal);
        Assert.Contains("keyed hash applied by publish", diagnostic.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("sha256(email) AS email", diagnostic.Message, StringComparison.Ordinal);
        if (why is not null)
        {
            Assert.Contains(why, diagnostic.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Evaluate_SensitiveColumnInDomainProduct_Passes()
    {
        // Arrange
        var product = _mesh.Add(
            edit: GovernanceFixtures.Line("access:", "access: { visibility: domain }"),
            editContract: c => c.Replace(EmailProperty, EmailProperty.Replace("internal", "pii", StringComparison.Ordinal), StringComparison.Ordinal));

        // Act
        var diagnostics = PolicyEngine.Evaluate([product], GovernanceFixtures.Policies(PolicyIds.SensitiveColumnsMasked), Today);

        // Assert
        Assert.Empty(diagnostics);
    }

    [Fact]
    public void Evaluate_UpstreamNotInMesh_ReportsDM2107AtProduct()
    {
        // Arrange
        var product = _mesh.Add(id: "finance.report", edit: GovernanceFixtures.Line("landing:", "    product: treasury.fx-rates\n    versions: ^1"));

        // Act
        var diagnostic = Single(PolicyEngine.Evaluate([product], GovernanceFixtures.Policies(PolicyIds.UpstreamResolvable), Today), PolicyDiagnosticCodes.UpstreamResolvable);

        // Assert
        Assert.Equal((11, 14), (diagnostic.Line, diagnostic.Column));
        Assert.Contains("treasury.fx-rates", diagnostic.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_UpstreamThatDidNotLoad_IsNotReportedMissing()
    {
        // Arrange
        var product = _mesh.Add(id: "finance.report", edit: GovernanceFixtures.Line("landing:", "    product: treasury.fx-rates"));
        var context = Today with { UnloadedProducts = ["treasury.fx-rates"] };

        // Act
        var diagnostics = PolicyEngine.Evaluate([product], GovernanceFixtures.Policies(PolicyIds.UpstreamResolvable), context);

        // Assert
        Assert.Empty(diagnostics);
    }

    [Theory]
    [InlineData("^1", "1.4.2", true)]
    [InlineData("^2", "1.4.2", false)]
    [InlineData("~1.3", "1.4.2", false)]
    [InlineData(">=1.0.0 <2.0.0", "1.4.2", true)]
    public void Evaluate_UpstreamVersionAgainstRange_ReportsDM2107WhenOutside(string range, string upstreamVersion, bool satisfied)
    {
        // Arrange
        var upstream = _mesh.Add(id: "treasury.fx-rates", version: upstreamVersion);
        var product = _mesh.Add(id: "finance.report", edit: GovernanceFixtures.Line("landing:", $"    product: treasury.fx-rates\n    versions: '{range}'"));

        // Act
        var diagnostics = PolicyEngine.Evaluate([product, upstream], GovernanceFixtures.Policies(PolicyIds.UpstreamResolvable), Today);

        // Assert
        if (satisfied)
        {
            Assert.Empty(diagnostics);
        }
        else
        {
            var diagnostic = Single(diagnostics, PolicyDiagnosticCodes.UpstreamResolvable);
            Assert.Equal((12, 15), (diagnostic.Line, diagnostic.Column));
            Assert.Contains(upstreamVersion, diagnostic.Message, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("{ visibility: public }", "finance", true)]
    [InlineData("{ visibility: domain }", "treasury", true)]
    [InlineData("{ visibility: domain }", "finance", false)]
    [InlineData("{ visibility: restricted, readers: [finance] }", "finance", true)]
    [InlineData("{ visibility: restricted, readers: [sales] }", "finance", false)]
    [InlineData("{ visibility: restricted }", "treasury", true)]
    public void Evaluate_UpstreamAccess_ReportsDM2111WhenTheReadersDomainIsNotAllowed(string access, string readerDomain, bool allowed)
    {
        // Arrange
        var upstream = _mesh.Add(id: "treasury.fx-rates", edit: GovernanceFixtures.Line("access:", $"access: {access}"));
        var product = _mesh.Add(id: $"{readerDomain}.report", edit: GovernanceFixtures.Line("landing:", "    product: treasury.fx-rates\n    versions: ^1"));

        // Act
        var diagnostics = PolicyEngine.Evaluate([product, upstream], GovernanceFixtures.Policies(PolicyIds.UpstreamAccess), Today);

        // Assert
        if (allowed)
        {
            Assert.Empty(diagnostics);
        }
        else
        {
            var diagnostic = Single(diagnostics, PolicyDiagnosticCodes.UpstreamAccess);
            Assert.Equal(11, diagnostic.Line);
            Assert.Contains("treasury.fx-rates", diagnostic.Message, StringComparison.Ordinal);
            Assert.Contains("access.readers", diagnostic.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Evaluate_UpstreamOutsideEvaluatedSet_ResolvesThroughMeshProducts()
    {
        // Arrange
        var upstream = _mesh.Add(id: "treasury.fx-rates");
        var product = _mesh.Add(id: "finance.report", edit: GovernanceFixtures.Line("landing:", "    product: treasury.fx-rates\n    versions: ^1"));

        // Act
        var diagnostics = PolicyEngine.Evaluate([product], GovernanceFixtures.Policies(PolicyIds.UpstreamResolvable), Today with { MeshProducts = [product, upstream] });

        // Assert
        Assert.Empty(diagnostics);
    }

    [Fact]
    public void Evaluate_TwoProductsReadingEachOther_ReportsDM2108OnBoth()
    {
        // Arrange
        var a = _mesh.Add(id: "finance.a", edit: GovernanceFixtures.Line("landing:", "    product: finance.b"));
        var b = _mesh.Add(id: "finance.b", edit: GovernanceFixtures.Line("landing:", "    product: finance.a"));
        var c = _mesh.Add(id: "finance.c", edit: GovernanceFixtures.Line("landing:", "    product: finance.a"));

        // Act
        var diagnostics = PolicyEngine.Evaluate([a, b, c], GovernanceFixtures.Policies(PolicyIds.NoDependencyCycles), Today);

        // Assert
        Assert.Equal(2, diagnostics.Count);
        Assert.All(diagnostics, d => Assert.Equal((PolicyDiagnosticCodes.NoDependencyCycles, 11, 14), (d.Code, d.Line, d.Column)));
        Assert.Contains("finance.a -> finance.b -> finance.a", diagnostics[0].Message, StringComparison.Ordinal);
        Assert.Contains(Path.Combine("finance", "b", "product.yaml"), diagnostics[1].File, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_ChainWithoutCycle_PassesCyclePolicy()
    {
        // Arrange
        var a = _mesh.Add(id: "finance.a");
        var b = _mesh.Add(id: "finance.b", edit: GovernanceFixtures.Line("landing:", "    product: finance.a"));
        var c = _mesh.Add(id: "finance.c", edit: GovernanceFixtures.Line("landing:", "    product: finance.b"));

        // Act
        var diagnostics = PolicyEngine.Evaluate([a, b, c], GovernanceFixtures.Policies(PolicyIds.NoDependencyCycles), Today);

        // Assert
        Assert.Empty(diagnostics);
    }

    [Fact]
    public void Evaluate_ContractWithoutQualityRules_ReportsDM2109AtSchemaObject()
    {
        // Arrange
        var product = _mesh.Add(editContract: c => c
            .Replace("        quality:\n          - metric: nullValues\n            mustBe: 0\n", "", StringComparison.Ordinal)
            .Replace("    quality:\n      - metric: rowCount\n        mustBeGreaterThan: 0\n", "", StringComparison.Ordinal));

        // Act
        var diagnostic = Single(PolicyEngine.Evaluate([product], GovernanceFixtures.Policies(PolicyIds.QualityRuleRequired), Today), PolicyDiagnosticCodes.QualityRuleRequired);

        // Assert
        Assert.EndsWith("contract.odcs.yaml", diagnostic.File, StringComparison.Ordinal);
        Assert.Equal((8, 5), (diagnostic.Line, diagnostic.Column));
    }

    [Fact]
    public void Evaluate_FewerRulesThanMinimum_ReportsDM2109()
    {
        // Arrange
        var product = _mesh.Add();
        var policies = GovernanceFixtures.Policies(PolicyIds.QualityRuleRequired, Parameter("minimum", "3"));

        // Act
        var diagnostic = Single(PolicyEngine.Evaluate([product], policies, Today), PolicyDiagnosticCodes.QualityRuleRequired);

        // Assert
        Assert.Contains("has 2 evaluated quality rules", diagnostic.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_LandingFormatNotAllowed_ReportsDM2110AtFormat()
    {
        // Arrange
        var product = _mesh.Add();
        var policies = GovernanceFixtures.Policies(PolicyIds.AllowedInputFormats, Parameter("formats", "parquet", "ndjson"));

        // Act
        var diagnostic = Single(PolicyEngine.Evaluate([product], policies, Today), PolicyDiagnosticCodes.AllowedInputFormats);

        // Assert
        Assert.Equal((11, 44), (diagnostic.Line, diagnostic.Column));
    }

    [Fact]
    public void Evaluate_WarningPolicy_ReportsWarning()
    {
        // Arrange
        var product = _mesh.Add(edit: GovernanceFixtures.Line("description:", null));
        var policies = GovernanceFixtures.Policies(PolicyIds.DescriptionRequired);
        policies = policies with { Policies = [policies.Policies[0] with { Severity = DiagnosticSeverity.Warning }] };

        // Act
        var diagnostic = Single(PolicyEngine.Evaluate([product], policies, Today), PolicyDiagnosticCodes.DescriptionRequired);

        // Assert
        Assert.Equal(DiagnosticSeverity.Warning, diagnostic.Severity);
    }
}
