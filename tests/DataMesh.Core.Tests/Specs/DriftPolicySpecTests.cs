using DataMesh.Specs;

namespace DataMesh.Core.Tests.Specs;

/// <summary>A landing input's <c>onDrift</c>: warn by default, block when asked, each mistake at its line and field.</summary>
public sealed class DriftPolicySpecTests : IDisposable
{
    private const string Landing = "landing: { path: ledger/emea/, format: csv }";
    private const string Columns = "\n    columns:\n      - { name: entry_id, type: varchar, required: true }";

    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Load_NoOnDrift_IsWarn()
    {
        var product = ProductSpecLoader.Load(ProductFixtures.WriteProduct(_temp, ProductFixtures.MinimalSpec));

        Assert.Equal(DriftPolicy.Warn, product.Inputs[0].OnDrift);
    }

    [Fact]
    public void Load_OnDriftBlockWithDeclaredColumns_IsBlock()
    {
        var spec = ProductFixtures.MinimalSpec.Replace(Landing, Landing + "\n    onDrift: block" + Columns, StringComparison.Ordinal);

        var product = ProductSpecLoader.Load(ProductFixtures.WriteProduct(_temp, spec));

        Assert.Equal(DriftPolicy.Block, product.Inputs[0].OnDrift);
    }

    [Fact]
    public void Validate_OnDriftMisspelt_ReportsDM1090AtItsLineWithDidYouMean()
    {
        var spec = ProductFixtures.MinimalSpec.Replace(Landing, Landing + "\n    onDrift: blok" + Columns, StringComparison.Ordinal);

        var diagnostic = Assert.Single(Diagnose(spec));

        Assert.Equal(SpecDiagnosticCodes.InvalidDriftPolicy, diagnostic.Code);
        Assert.Equal((9, 14), (diagnostic.Line, diagnostic.Column));
        Assert.StartsWith("inputs[0].onDrift: 'blok' is not a drift policy (did you mean 'block'?)", diagnostic.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_OnDriftBlockWithoutDeclaredColumns_ReportsDM1090()
    {
        var spec = ProductFixtures.MinimalSpec.Replace(Landing, Landing + "\n    onDrift: block", StringComparison.Ordinal);

        var diagnostic = Assert.Single(Diagnose(spec));

        Assert.Equal(SpecDiagnosticCodes.InvalidDriftPolicy, diagnostic.Code);
        Assert.Contains("needs declared columns", diagnostic.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_OnDriftOnProductInput_ReportsDM1090()
    {
        var spec = ProductFixtures.MinimalSpec.Replace(
            "transform:", "  - name: rates\n    product: treasury.fx-rates\n    onDrift: warn\ntransform:", StringComparison.Ordinal);

        var diagnostic = Assert.Single(Diagnose(spec));

        Assert.Equal(SpecDiagnosticCodes.InvalidDriftPolicy, diagnostic.Code);
        Assert.StartsWith("inputs[1].onDrift: only applies to landing inputs", diagnostic.Message, StringComparison.Ordinal);
    }

    private IReadOnlyList<SpecDiagnostic> Diagnose(string spec) =>
        ProductSpecLoader.Validate(ProductFixtures.WriteProduct(_temp, spec));
}
