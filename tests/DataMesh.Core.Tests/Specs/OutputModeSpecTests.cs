using DataMesh.Specs;

namespace DataMesh.Core.Tests.Specs;

/// <summary><c>output.mode</c>, <c>key</c>, <c>deleteWhen</c>, <c>retention</c> and an upstream input's <c>read</c>: each mistake names its line and field.</summary>
public sealed class OutputModeSpecTests : IDisposable
{
    private const string MinimalOutput = "output: { contract: contract.odcs.yaml }";

    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Load_NoMode_IsReplaceWithNoKeyAndNoRetention()
    {
        // Act
        var product = ProductSpecLoader.Load(ProductFixtures.WriteProduct(_temp, ProductFixtures.MinimalSpec));

        // Assert
        Assert.Equal(OutputMode.Replace, product.Output.Mode);
        Assert.Empty(product.Output.Key);
        Assert.Null(product.Output.DeleteWhen);
        Assert.Null(product.Output.Retention);
        Assert.Equal(UpstreamRead.Snapshot, product.Inputs[0].Read);
    }

    [Fact]
    public void Load_MergeWithKeyDeleteWhenAndRetention_ReturnsEveryField()
    {
        // Arrange
        var spec = WithOutput("""
            output:
              contract: contract.odcs.yaml
              mode: merge
              key: [entry_id]
              deleteWhen: amount IS NULL
              retention: { releases: 30, age: P90D }
            """);

        // Act
        var product = ProductSpecLoader.Load(ProductFixtures.WriteProduct(_temp, spec));

        // Assert
        Assert.Equal(OutputMode.Merge, product.Output.Mode);
        Assert.Equal(["entry_id"], product.Output.Key);
        Assert.Equal("amount IS NULL", product.Output.DeleteWhen);
        Assert.Equal(new RetentionSpec { Releases = 30, Age = TimeSpan.FromDays(90) }, product.Output.Retention);
    }

    [Theory]
    [InlineData("append", OutputMode.Append)]
    [InlineData("replace", OutputMode.Replace)]
    public void Load_ModeWithoutExtraKeys_Loads(string mode, OutputMode expected)
    {
        // Arrange
        var spec = WithOutput($"output: {{ contract: contract.odcs.yaml, mode: {mode} }}");

        // Act
        var product = ProductSpecLoader.Load(ProductFixtures.WriteProduct(_temp, spec));

        // Assert
        Assert.Equal(expected, product.Output.Mode);
    }

    [Fact]
    public void Load_PartitionsWithPartitionBy_Loads()
    {
        // Arrange
        var spec = WithOutput("output: { contract: contract.odcs.yaml, mode: partitions, partitionBy: [period] }");

        // Act
        var product = ProductSpecLoader.Load(ProductFixtures.WriteProduct(_temp, spec));

        // Assert
        Assert.Equal(OutputMode.Partitions, product.Output.Mode);
        Assert.Equal(["period"], product.Output.PartitionBy);
    }

    [Fact]
    public void Validate_MisspeltMode_ReportsDM1051WithDidYouMean()
    {
        // Arrange
        var spec = WithOutput("output: { contract: contract.odcs.yaml, mode: apend }");

        // Act
        var diagnostic = Assert.Single(Diagnose(spec));

        // Assert
        Assert.Equal(SpecDiagnosticCodes.InvalidOutputMode, diagnostic.Code);
        Assert.Equal(10, diagnostic.Line);
        Assert.StartsWith("output.mode: 'apend' is not an output mode (did you mean 'append'?)", diagnostic.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_MergeWithoutKey_ReportsDM1052AtTheMode()
    {
        // Arrange
        var spec = WithOutput("output:\n  contract: contract.odcs.yaml\n  mode: merge");

        // Act
        var diagnostic = Assert.Single(Diagnose(spec));

        // Assert
        Assert.Equal(SpecDiagnosticCodes.InvalidOutputKey, diagnostic.Code);
        Assert.Equal(12, diagnostic.Line);
        Assert.Contains("add key: [<column>, ...]", diagnostic.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_KeyWithoutMerge_ReportsDM1052AtTheKey()
    {
        // Arrange
        var spec = WithOutput("output:\n  contract: contract.odcs.yaml\n  mode: append\n  key: [entry_id]");

        // Act
        var diagnostic = Assert.Single(Diagnose(spec));

        // Assert
        Assert.Equal(SpecDiagnosticCodes.InvalidOutputKey, diagnostic.Code);
        Assert.Equal(13, diagnostic.Line);
        Assert.StartsWith("output.key: only applies to mode: merge (mode is append)", diagnostic.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_KeyColumnNotInContract_ReportsDM1052WithDidYouMean()
    {
        // Arrange
        var spec = WithOutput("output:\n  contract: contract.odcs.yaml\n  mode: merge\n  key: [entry_idd]");

        // Act
        var diagnostic = Assert.Single(Diagnose(spec));

        // Assert
        Assert.Equal(SpecDiagnosticCodes.InvalidOutputKey, diagnostic.Code);
        Assert.Equal(13, diagnostic.Line);
        Assert.Equal(9, diagnostic.Column);
        Assert.StartsWith("output.key: 'entry_idd' is not a property of 'ledger_emea'", diagnostic.Message, StringComparison.Ordinal);
        Assert.Contains("(did you mean 'entry_id'?)", diagnostic.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_KeyColumnNotRequired_ReportsDM1052()
    {
        // Arrange
        var spec = WithOutput("output:\n  contract: contract.odcs.yaml\n  mode: merge\n  key: [period]");

        // Act
        var diagnostic = Assert.Single(Diagnose(spec));

        // Assert
        Assert.Equal(SpecDiagnosticCodes.InvalidOutputKey, diagnostic.Code);
        Assert.Equal(13, diagnostic.Line);
        Assert.StartsWith("output.key: 'period' is not required in", diagnostic.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_DeleteWhenWithoutMerge_ReportsDM1051()
    {
        // Arrange
        var spec = WithOutput("output:\n  contract: contract.odcs.yaml\n  deleteWhen: amount IS NULL");

        // Act
        var diagnostic = Assert.Single(Diagnose(spec));

        // Assert
        Assert.Equal(SpecDiagnosticCodes.InvalidOutputMode, diagnostic.Code);
        Assert.Equal(12, diagnostic.Line);
        Assert.StartsWith("output.deleteWhen: only applies to mode: merge (mode is replace)", diagnostic.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_PartitionsWithoutPartitionBy_ReportsDM1051()
    {
        // Arrange
        var spec = WithOutput("output:\n  contract: contract.odcs.yaml\n  mode: partitions");

        // Act
        var diagnostic = Assert.Single(Diagnose(spec));

        // Assert
        Assert.Equal(SpecDiagnosticCodes.InvalidOutputMode, diagnostic.Code);
        Assert.Equal(12, diagnostic.Line);
        Assert.Contains("add partitionBy: [<column>]", diagnostic.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{ releases: 0 }", "output.retention.releases: '0' is not a whole number")]
    [InlineData("{ releases: 2.5 }", "output.retention.releases: '2.5' is not a whole number")]
    [InlineData("{ age: 90 days }", "output.retention.age: '90 days' is not a positive ISO 8601 duration")]
    [InlineData("{ }", "output.retention: names no bound")]
    public void Validate_BadRetention_ReportsDM1053(string retention, string message)
    {
        // Arrange
        var spec = WithOutput($"output:\n  contract: contract.odcs.yaml\n  retention: {retention}");

        // Act
        var diagnostic = Assert.Single(Diagnose(spec));

        // Assert
        Assert.Equal(SpecDiagnosticCodes.InvalidRetention, diagnostic.Code);
        Assert.Equal(12, diagnostic.Line);
        Assert.StartsWith(message, diagnostic.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_RetentionUnknownKey_ReportsDM1002()
    {
        // Arrange
        var spec = WithOutput("output:\n  contract: contract.odcs.yaml\n  retention: { days: 30 }");

        // Act
        var codes = Diagnose(spec).Select(d => d.Code).ToList();

        // Assert
        Assert.Contains(SpecDiagnosticCodes.UnknownKey, codes);
    }

    [Fact]
    public void Load_UpstreamReadChanges_IsChanges()
    {
        // Arrange
        var spec = ProductFixtures.MinimalSpec.Replace(
            "transform:", "  - name: rates\n    product: treasury.fx-rates\n    read: changes\ntransform:", StringComparison.Ordinal);

        // Act
        var product = ProductSpecLoader.Load(ProductFixtures.WriteProduct(_temp, spec));

        // Assert
        Assert.Equal(UpstreamRead.Changes, product.Inputs[1].Read);
    }

    [Fact]
    public void Validate_UpstreamReadMisspelt_ReportsDM1054WithDidYouMean()
    {
        // Arrange
        var spec = ProductFixtures.MinimalSpec.Replace(
            "transform:", "  - name: rates\n    product: treasury.fx-rates\n    read: change\ntransform:", StringComparison.Ordinal);

        // Act
        var diagnostic = Assert.Single(Diagnose(spec));

        // Assert
        Assert.Equal(SpecDiagnosticCodes.InvalidUpstreamRead, diagnostic.Code);
        Assert.Equal(11, diagnostic.Line);
        Assert.StartsWith("inputs[1].read: 'change' is not a way to read a product (did you mean 'changes'?)", diagnostic.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_ReadOnLandingInput_ReportsDM1013()
    {
        // Arrange
        var spec = ProductFixtures.MinimalSpec.Replace(
            "landing: { path: ledger/emea/, format: csv }", "landing: { path: ledger/emea/, format: csv }\n    read: changes", StringComparison.Ordinal);

        // Act
        var diagnostic = Assert.Single(Diagnose(spec));

        // Assert
        Assert.Equal(SpecDiagnosticCodes.InvalidInputSource, diagnostic.Code);
        Assert.Equal(9, diagnostic.Line);
        Assert.StartsWith("inputs[0].read: only applies to product inputs", diagnostic.Message, StringComparison.Ordinal);
    }

    private static string WithOutput(string output) =>
        ProductFixtures.MinimalSpec.Replace(MinimalOutput, output, StringComparison.Ordinal);

    private IReadOnlyList<SpecDiagnostic> Diagnose(string spec) =>
        ProductSpecLoader.Validate(ProductFixtures.WriteProduct(_temp, spec));
}
