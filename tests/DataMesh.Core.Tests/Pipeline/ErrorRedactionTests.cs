using DataMesh.Core.Tests.Governance;
using DataMesh.Pipeline;

namespace DataMesh.Core.Tests.Pipeline;

/// <summary>
/// Error texts of a product with classified columns lose the values DuckDB quotes (cast errors, input lines, numbers),
/// keep the names that say what to fix, and keep the kind of exception that decides retries and quarantine.
/// </summary>
public sealed class ErrorRedactionTests : IDisposable
{
    private readonly GovernanceFixtures _mesh = new();

    public void Dispose() => _mesh.Dispose();

    [Fact]
    public void Redact_CastErrorInAProductWithAConfidentialColumn_ValueGoneNamesAndTypeKept()
    {
        var spec = Classified("confidential");

        var text = ErrorRedaction.Redact(spec, "Input 'gl_entries': Error when converting column \"amount\". Could not convert string \"6.304,65\" to 'DECIMAL(18,2)'");

        Assert.DoesNotContain("6.304", text, StringComparison.Ordinal);
        Assert.Contains("\"amount\"", text, StringComparison.Ordinal);
        Assert.Contains("'gl_entries'", text, StringComparison.Ordinal);
        Assert.Contains("'DECIMAL(18,2)'", text, StringComparison.Ordinal);
        Assert.Contains("\"[redacted]\"", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("CSV Error on Line: 3\nOriginal Line: 2,alice@example.com,6.304,65\nColumn amount is being converted", "alice@example.com")]
    [InlineData("Conversion Error: Type INT64 with value 99999999999 can't be cast to the destination type INT32", "99999999999")]
    [InlineData("Conversion Error: Can't convert 'O'Brien' to INT32", "Brien")]
    [InlineData("Invalid Input Error: Could not parse string \"04.03.2021\" according to format specifier \"%Y-%m-%d\"", "04.03.2021")]
    [InlineData("Conversion Error: Could not convert string 'multi\nline' to INT32", "line'")]
    [InlineData("Invalid Input Error: Could not parse string \"x\" according to format specifier \"%Y\"\n04.03.2021\n   ^\nError: Literal does not match", "04.03.2021")]
    public void Redact_ValueWhoseColumnCannotBeTold_RedactedWhenTheProductHasAClassifiedColumn(string error, string value)
    {
        var spec = Classified("pii");

        var text = ErrorRedaction.Redact(spec, error);

        Assert.DoesNotContain(value, text, StringComparison.Ordinal);
    }

    [Fact]
    public void Redact_ParserErrorPointingIntoTheProductsSql_KeepsTheSqlLine()
    {
        var spec = Classified("pii");

        var text = ErrorRedaction.Redact(spec, "Parser Error: syntax error at or near \"FORM\"\n\nLINE 1: SELECT email FORM gl_entries\n                    ^");

        Assert.Contains("LINE 1: SELECT email FORM gl_entries", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Redact_LonePunctuationQuoted_Kept()
    {
        var spec = Classified("pii");

        var text = ErrorRedaction.Redact(spec, "it is not a JSON array (starts with '{'); a 'x' value");

        Assert.Equal("it is not a JSON array (starts with '{'); a '[redacted]' value", text);
    }

    [Fact]
    public void Redact_ProductWithoutClassifiedColumns_KeepsTheFullText()
    {
        var spec = _mesh.Add();
        const string error = "Could not convert string \"6.304,65\" to 'DECIMAL(18,2)'";

        Assert.Equal(error, ErrorRedaction.Redact(spec, error));
    }

    [Fact]
    public void Redact_InputRejectedWithAValue_SameKindWithoutTheValueOrItsCause()
    {
        var spec = Classified("restricted");
        var original = new InputRejectedException("values that do not cast: \"6.304,65\"", new InvalidOperationException("raw \"6.304,65\""));

        var redacted = ErrorRedaction.Redact(spec, original);

        var rejected = Assert.IsType<InputRejectedException>(redacted);
        Assert.Equal("ingest", rejected.Stage);
        Assert.DoesNotContain("6.304", rejected.Message, StringComparison.Ordinal);
        Assert.Null(rejected.InnerException);
    }

    [Fact]
    public void Redact_PlatformFailureQuotingAValue_StaysAPlatformFailure()
    {
        var spec = Classified("sensitive");

        var redacted = ErrorRedaction.Redact(spec, new IOException("Conversion Error: Could not convert string 'x@example.com' to INT32"));

        Assert.IsNotType<PipelineStageException>(redacted, exactMatch: false);
        Assert.DoesNotContain("x@example.com", redacted.Message, StringComparison.Ordinal);
    }

    private DataMesh.Specs.ProductSpec Classified(string classification) =>
        _mesh.Add(editContract: c => c.Replace(
            "- name: email\n        logicalType: string\n        classification: internal",
            "- name: email\n        logicalType: string\n        classification: " + classification,
            StringComparison.Ordinal));
}
