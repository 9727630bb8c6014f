using DataMesh.Core.Tests.Specs;
using DataMesh.Governance;
using DataMesh.Specs;

namespace DataMesh.Core.Tests.Governance;

/// <summary>Transforms and sql rules bound at validate over empty typed inputs: each mistake at its SQL line and column.</summary>
public sealed class TransformBindCheckTests : IDisposable
{
    /// <summary><see cref="ProductFixtures.MinimalSpec"/> with the input's columns declared, so the transform can be bound.</summary>
    private static readonly string DeclaredSpec = ProductFixtures.MinimalSpec.Replace(
        "landing: { path: ledger/emea/, format: csv }",
        "landing: { path: ledger/emea/, format: csv }\n    columns:\n      - { name: entry_id, type: varchar, required: true }\n      - { name: amount, type: \"decimal(18,2)\" }\n      - { name: period, type: varchar }",
        StringComparison.Ordinal);

    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Check_SampleMesh_BindsEveryProductClean()
    {
        // Arrange
        var products = ProductSpecLoader.FindProductDirectories(RepositoryFiles.Pipelines).Select(ProductSpecLoader.Load).ToList();
        var unbound = new Dictionary<string, string>(StringComparer.Ordinal);

        // Act
        var diagnostics = TransformBindCheck.Check(products, products, unbound);

        // Assert: clean, and only products whose landing columns are known from data alone are left unbound.
        Assert.Empty(diagnostics);
        Assert.All(unbound.Values, reason => Assert.Contains("declares no columns", reason, StringComparison.Ordinal));
        Assert.True(products.Count - unbound.Count >= 8, $"only {products.Count - unbound.Count} of {products.Count} sample products were bound: {string.Join("; ", unbound)}");
    }

    [Fact]
    public void Check_ValidTransform_ReportsNothing()
    {
        // Act
        var diagnostics = Bind(DeclaredSpec, ProductFixtures.TransformSql);

        // Assert
        Assert.Empty(diagnostics);
    }

    [Theory]
    [InlineData("SELECT entry_id,\n       amout\nFROM gl_entries\n", 2, 8, "Referenced column \"amout\" not found")]
    [InlineData("SELECT entry_id, amount, period FROM gl_entrys\n", 1, 38, "gl_entrys")]
    [InlineData("SELECT entry_id, sum_of(amount) AS amount, period FROM gl_entries GROUP BY ALL\n", 1, 18, "sum_of")]
    [InlineData("SELECT entry_id, amount,\n  date_trunc('month', amount) AS period\nFROM gl_entries\n", 2, 3, "date_trunc(STRING_LITERAL, DECIMAL(18,2))")]
    [InlineData("SELECT entry_id, sum(amount) AS amount, period FROM gl_entries\n", 1, 8, "GROUP BY")]
    public void Check_TransformDoesNotBind_ReportsDM1060AtTheSqlPosition(string sql, int line, int column, string message)
    {
        // Act
        var diagnostic = Assert.Single(Bind(DeclaredSpec, sql));

        // Assert
        Assert.Equal(SpecDiagnosticCodes.TransformDoesNotBind, diagnostic.Code);
        Assert.EndsWith("transform.sql", diagnostic.File, StringComparison.Ordinal);
        Assert.Equal((line, column), (diagnostic.Line, diagnostic.Column));
        Assert.Contains(message, diagnostic.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("SELEC 1 FROM gl_entries\n", "syntax error at or near \"SELEC\"")]
    [InlineData("SELECT 1 AS a; SELECT 2 AS b\n", "found 2")]
    [InlineData("COPY (SELECT 1) TO '/tmp/x.csv'\n", "exactly one SELECT")]
    public void Check_NotOneSelect_ReportsDM1060(string sql, string message)
    {
        // Act
        var diagnostic = Assert.Single(Bind(DeclaredSpec, sql));

        // Assert
        Assert.Equal(SpecDiagnosticCodes.TransformDoesNotBind, diagnostic.Code);
        Assert.Contains(message, diagnostic.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_TransformReadsAFile_IsRefusedWithoutReadingIt()
    {
        // Arrange: validate runs the team's SQL; it must not reach the file system.
        var secret = Path.Combine(_temp.Path, "secret.csv");
        File.WriteAllText(secret, "entry_id,amount,period\nx,1,2026-10\n");

        // Act
        var diagnostic = Assert.Single(Bind(DeclaredSpec, $"SELECT * FROM read_csv('{secret}')\n"));

        // Assert
        Assert.Equal(SpecDiagnosticCodes.TransformDoesNotBind, diagnostic.Code);
        Assert.Contains("Permission Error", diagnostic.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_DeclaredTypeUnknown_IsOneDM1070OfTheSpecBeforeAnyBinding()
    {
        // Arrange: DuckDB judges the declared type when the spec is read, so the product never reaches the bind check.
        var spec = DeclaredSpec.Replace("type: varchar, required: true", "type: integr, required: true", StringComparison.Ordinal);

        // Act
        var result = ProductSpecLoader.Read(ProductFixtures.WriteProduct(_temp, spec));

        // Assert
        var diagnostic = Assert.Single(result.Diagnostics);
        Assert.Equal((SpecDiagnosticCodes.UnknownColumnType, 10), (diagnostic.Code, diagnostic.Line));
        Assert.EndsWith("product.yaml", diagnostic.File, StringComparison.Ordinal);
        Assert.Contains("did you mean 'integer'?", diagnostic.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_SqlRuleNamesUnknownColumn_ReportsDM1061NamingTheRule()
    {
        // Arrange
        var contract = ProductFixtures.Contract.Replace(
            "    quality:\n      - metric: rowCount",
            "    quality:\n      - name: no_negative_amounts\n        type: sql\n        query: SELECT count(*) FROM {object} WHERE amout < 0\n        mustBe: 0\n      - metric: rowCount",
            StringComparison.Ordinal);
        Assert.NotEqual(ProductFixtures.Contract, contract);

        // Act
        var diagnostic = Assert.Single(Bind(DeclaredSpec, ProductFixtures.TransformSql, contract));

        // Assert
        Assert.Equal(SpecDiagnosticCodes.QualityRuleDoesNotBind, diagnostic.Code);
        Assert.EndsWith("contract.odcs.yaml", diagnostic.File, StringComparison.Ordinal);
        Assert.Equal(31, diagnostic.Line);
        Assert.Contains("quality rule 'no_negative_amounts'", diagnostic.Message, StringComparison.Ordinal);
        Assert.Contains("amout", diagnostic.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_UpstreamColumnTypo_ReportsDM1060WithTheCandidates()
    {
        // Arrange: a consumer of the ledger reading a column its contract does not have.
        var upstream = ProductSpecLoader.Load(ProductFixtures.WriteProduct(_temp, DeclaredSpec, "ledger"));
        var consumer = ProductFixtures.MinimalSpec
            .Replace("name: ledger-emea", "name: ledger-summary", StringComparison.Ordinal)
            .Replace("landing: { path: ledger/emea/, format: csv }", "product: finance.ledger-emea\n    versions: ^1", StringComparison.Ordinal);
        var folder = ProductFixtures.WriteProduct(_temp, consumer, "summary", ProductFixtures.Contract.Replace("id: finance.ledger-emea", "id: finance.ledger-summary", StringComparison.Ordinal), "SELECT entry_id, amount, perod AS period FROM gl_entries\n");

        // Act
        var diagnostic = Assert.Single(TransformBindCheck.Check([ProductSpecLoader.Load(folder)], [upstream]));

        // Assert
        Assert.Equal(SpecDiagnosticCodes.TransformDoesNotBind, diagnostic.Code);
        Assert.Equal((1, 26), (diagnostic.Line, diagnostic.Column));
        Assert.Contains("\"perod\"", diagnostic.Message, StringComparison.Ordinal);
        Assert.Contains("\"period\"", diagnostic.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_OutputLacksAContractColumn_ReportsDM1062AtThePropertyWithDidYouMean()
    {
        // Act
        var diagnostic = Assert.Single(Bind(DeclaredSpec, "SELECT entry_id, amount, period AS perod FROM gl_entries\n"), d => d.Severity == DiagnosticSeverity.Error);

        // Assert: the contract's period is missing (error); perod is undescribed (a warning besides).
        Assert.Equal(SpecDiagnosticCodes.OutputDoesNotMatchContract, diagnostic.Code);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.EndsWith("contract.odcs.yaml", diagnostic.File, StringComparison.Ordinal);
        Assert.Equal(26, diagnostic.Line);
        Assert.Contains("produces no column 'period' (did you mean 'perod'?)", diagnostic.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_SumOfIntegersUnderDecimalContract_ReportsDM1062WithTheCast()
    {
        // Arrange: sum() over an integer is HUGEINT, which Parquet stores as DOUBLE.
        var spec = DeclaredSpec.Replace("{ name: amount, type: \"decimal(18,2)\" }", "{ name: amount, type: integer }", StringComparison.Ordinal);

        // Act
        var diagnostic = Assert.Single(Bind(spec, "SELECT entry_id, sum(amount) AS amount, period FROM gl_entries GROUP BY ALL\n"));

        // Assert
        Assert.Equal(SpecDiagnosticCodes.OutputDoesNotMatchContract, diagnostic.Code);
        Assert.Equal(22, diagnostic.Line);
        Assert.Contains("produces DOUBLE (HUGEINT is stored in Parquet as DOUBLE), the contract says decimal(18,2)", diagnostic.Message, StringComparison.Ordinal);
        Assert.Contains("CAST(sum(x) AS BIGINT)", diagnostic.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_OutputColumnTheContractDoesNotDescribe_WarnsDM1062()
    {
        // Act
        var diagnostic = Assert.Single(Bind(DeclaredSpec, "SELECT entry_id, amount, period, 1 AS extra FROM gl_entries\n"));

        // Assert
        Assert.Equal(SpecDiagnosticCodes.OutputDoesNotMatchContract, diagnostic.Code);
        Assert.Equal(DiagnosticSeverity.Warning, diagnostic.Severity);
        Assert.Contains("produces 'extra' (INTEGER)", diagnostic.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_LandingWithoutDeclaredColumns_IsNotBoundAndSaysWhy()
    {
        // Arrange
        var unbound = new Dictionary<string, string>(StringComparer.Ordinal);
        var product = ProductSpecLoader.Load(ProductFixtures.WriteProduct(_temp, ProductFixtures.MinimalSpec, sql: "SELECT nothing_known FROM gl_entries\n"));

        // Act
        var diagnostics = TransformBindCheck.Check([product], [product], unbound);

        // Assert
        Assert.Empty(diagnostics);
        Assert.Contains("declares no columns", unbound["finance.ledger-emea"], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("LINE 1: SELECT amout FROM t\n               ^", "SELECT amout FROM t", 1, 8)]
    [InlineData("LINE 2: ...aaaa, amout FROM t\n                 ^", "SELECT 1,\n  " + "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa, amout FROM t", 2, 77)]
    [InlineData("no excerpt", "SELECT 1", 1, 1)]
    public void Position_DuckDbExcerpt_MapsToTheSqlFile(string message, string sql, int line, int column)
    {
        // Act
        var position = TransformBindCheck.Position(message, sql);

        // Assert
        Assert.Equal((line, column), position);
    }

    private IReadOnlyList<SpecDiagnostic> Bind(string spec, string sql, string contract = ProductFixtures.Contract)
    {
        var product = ProductSpecLoader.Load(ProductFixtures.WriteProduct(_temp, spec, "p" + Guid.NewGuid().ToString("N")[..6], contract, sql));
        return TransformBindCheck.Check([product], [product]);
    }
}
