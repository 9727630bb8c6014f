using DataMesh.Pipeline;
using DataMesh.Publishing;
using DataMesh.Specs;

namespace DataMesh.Core.Tests.Governance;

/// <summary>A masked or classified column never partitions a release: its clear values would be the folder names.</summary>
public sealed class PartitionColumnsTests : IDisposable
{
    private const string EmailProperty = "      - name: email\n        logicalType: string\n        classification: internal\n";

    private readonly GovernanceFixtures _mesh = new();

    public void Dispose() => _mesh.Dispose();

    private static Func<string, string> Email(string classification, string? masking = null) => contract => contract.Replace(
        EmailProperty,
        EmailProperty.Replace("internal", classification, StringComparison.Ordinal)
            + (masking is null ? "" : $"        customProperties:\n          - property: masking\n            value: {masking}\n"),
        StringComparison.Ordinal);

    /// <summary>The product partitioned by <paramref name="column"/> (line 13 becomes output: with partitionBy on line 15).</summary>
    private IReadOnlyList<SpecDiagnostic> ReadPartitionedBy(string column, Func<string, string> editContract)
    {
        var product = _mesh.Add(editContract: editContract);
        var text = File.ReadAllText(product.SpecPath).Replace(
            "output: { contract: contract.odcs.yaml }", $"output:\n  contract: contract.odcs.yaml\n  partitionBy: [{column}]", StringComparison.Ordinal);
        File.WriteAllText(product.SpecPath, text);
        return ProductSpecLoader.Read(product.Directory).Diagnostics;
    }

    [Theory]
    [InlineData("pii", "hash")]
    [InlineData("pii", null)]
    [InlineData("restricted", null)]
    [InlineData("sensitive", null)]
    [InlineData("confidential", null)]
    [InlineData("internal", "truncate")]
    public void Read_PartitionByMaskedOrClassifiedColumn_ReportsDM1029AtTheColumn(string classification, string? masking)
    {
        // Act
        var diagnostics = ReadPartitionedBy("email", Email(classification, masking));

        // Assert
        var diagnostic = Assert.Single(diagnostics);
        Assert.Equal((SpecDiagnosticCodes.ProtectedPartitionColumn, 15, 17), (diagnostic.Code, diagnostic.Line, diagnostic.Column));
        Assert.EndsWith("product.yaml", diagnostic.File, StringComparison.Ordinal);
        Assert.Contains("'email' is " + (masking is null ? $"classified {classification}" : $"masked ({masking})"), diagnostic.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_PartitionByInternalColumn_Loads()
    {
        // Act
        var diagnostics = ReadPartitionedBy("email", c => c);

        // Assert
        Assert.Empty(diagnostics);
    }

    [Fact]
    public void CheckPartitionColumns_SpecThatSkippedTheLoaderPartitionedByHashedPii_ThrowsAtPublish()
    {
        // Arrange: a spec built in code, never read by the loader.
        var product = _mesh.Add(editContract: Email("pii", "hash"));
        var partitioned = product with { Output = product.Output with { PartitionBy = ["email"] } };

        // Act
        var error = Assert.Throws<PipelineStageException>(() => PublishGate.CheckPartitionColumns(partitioned));

        // Assert
        Assert.Equal("publish", error.Stage);
        Assert.Contains("'email' is masked (hash)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CheckPartitionColumns_InternalColumn_Passes()
    {
        // Arrange
        var product = _mesh.Add();

        // Act + Assert: no exception.
        PublishGate.CheckPartitionColumns(product with { Output = product.Output with { PartitionBy = ["email"] } });
    }
}
