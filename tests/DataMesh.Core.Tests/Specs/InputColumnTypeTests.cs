using DataMesh.Specs;

namespace DataMesh.Core.Tests.Specs;

/// <summary>Declared input column types asked of DuckDB when the spec is read (DM1070): a typo fails validate, not the first run.</summary>
public sealed class InputColumnTypeTests : IDisposable
{
    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    /// <summary>The minimal spec with one declared column of <paramref name="type"/> (its type at line 10, column 31).</summary>
    private string WriteWithColumnType(string type) => ProductFixtures.WriteProduct(_temp, ProductFixtures.MinimalSpec.Replace(
        "landing: { path: ledger/emea/, format: csv }",
        $"landing: {{ path: ledger/emea/, format: csv }}\n    columns:\n      - {{ name: amount, type: {type} }}",
        StringComparison.Ordinal));

    [Theory]
    [InlineData("integr", "'integr' is not a DuckDB type (did you mean 'integer'?)")]
    [InlineData("number", "'number' is not a DuckDB type (did you mean 'numeric'?)")]
    [InlineData("\"decimal(40,2)\"", "DECIMAL type width must be between 1 and 38")]
    [InlineData("\"varchar(10) FROM duckdb_settings() WHERE (1)\"", "DuckDB does not accept it")]
    public void Read_UnknownColumnType_ReportsDM1070AtTheType(string type, string message)
    {
        // Act
        var result = ProductSpecLoader.Read(WriteWithColumnType(type));

        // Assert
        var diagnostic = Assert.Single(result.Diagnostics);
        Assert.Equal((SpecDiagnosticCodes.UnknownColumnType, 10, 31), (diagnostic.Code, diagnostic.Line, diagnostic.Column));
        Assert.Contains(message, diagnostic.Message, StringComparison.Ordinal);
        Assert.Null(result.Spec);
    }

    [Theory]
    [InlineData("integer")]
    [InlineData("VARCHAR")]
    [InlineData("\"decimal(18,2)\"")]
    [InlineData("timestamp with time zone")]
    [InlineData("double precision")]
    [InlineData("\"integer[]\"")]
    [InlineData("\"struct(a integer, b varchar)\"")]
    public void Read_DuckDbType_IsAccepted(string type)
    {
        var result = ProductSpecLoader.Read(WriteWithColumnType(type));

        Assert.Empty(result.Diagnostics);
        Assert.NotNull(result.Spec);
    }
}
