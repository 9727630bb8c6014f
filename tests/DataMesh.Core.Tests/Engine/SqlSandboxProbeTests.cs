using DataMesh.Engine;
using DuckDB.NET.Data;

namespace DataMesh.Core.Tests.Engine;

/// <summary>
/// Security probes against the DuckDB sandbox user SQL runs in (DESIGN §2), on a session opened and locked exactly as
/// the transform opens it: every escape attempt is refused with a clear reason, and nothing is written anywhere.
/// The same probes through the whole pipeline are in the end-to-end <c>SecurityProbeTests</c>.
/// </summary>
[Trait("Category", "Security")]
public sealed class SqlSandboxProbeTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("dm-sandbox-").FullName;
    private readonly string _inputs;
    private readonly string _output;
    private readonly string _otherRun;
    private readonly string _outside;
    private readonly DuckDbSession _session;

    public SqlSandboxProbeTests()
    {
        _inputs = Directory.CreateDirectory(Path.Combine(_root, "run-a", "inputs")).FullName;
        _output = Directory.CreateDirectory(Path.Combine(_root, "run-a", "output")).FullName;
        _otherRun = Directory.CreateDirectory(Path.Combine(_root, "run-b", "inputs")).FullName;
        _outside = Path.Combine(_root, "outside");
        File.WriteAllText(Path.Combine(_inputs, "orders.csv"), "order_id,amount\n1,2.50\n");
        File.WriteAllText(Path.Combine(_otherRun, "secret.csv"), "secret\nanother run's data\n");
        _session = DuckDbSession.Open(new DuckDbSessionOptions
        {
            AllowedDirectories = [_inputs, _output],
            TempDirectory = Path.Combine(_root, "run-a", "tmp"),
            Limits = DataMesh.Pipeline.EngineLimits.Process.Run,
        });
        _session.Execute($"CREATE VIEW orders AS SELECT * FROM read_csv({Sql.Literal(Path.Combine(_inputs, "orders.csv"))})");
        _session.Lock();
    }

    public void Dispose()
    {
        _session.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    /// <summary>Statements that are not one SELECT: refused by the parser check before anything runs.</summary>
    public static TheoryData<string, string> NotASelect() => new()
    {
        { "attach", "ATTACH '{outside}.db' AS other" },
        { "copy-to", "COPY (SELECT * FROM orders) TO '{outside}.csv'" },
        { "copy-to-inside-run", "COPY orders TO '{output}/extra.csv'" },
        { "install", "INSTALL httpfs" },
        { "load", "LOAD httpfs" },
        { "set-external-access", "SET enable_external_access = true" },
        { "set-allowed-directories", "SET allowed_directories = ['/']" },
        { "pragma", "PRAGMA enable_external_access" },
        { "call", "CALL pragma_version()" },
        { "export-database", "EXPORT DATABASE '{outside}'" },
        { "create-macro", "CREATE MACRO leak(p) AS TABLE SELECT * FROM read_text(p)" },
        { "create-table", "CREATE TABLE copy_of AS SELECT * FROM orders" },
        { "two-statements", "SELECT 1; COPY (SELECT 1) TO '{outside}.csv'" },
        { "close-the-copy-parenthesis", "SELECT * FROM orders) TO '{outside}.csv' (FORMAT csv); COPY (SELECT 1" },
    };

    /// <summary>Single SELECTs that try to read outside the run's folders: refused by DuckDB when they run.</summary>
    public static TheoryData<string, string> EscapingSelect() => new()
    {
        { "read-csv-etc-passwd", "SELECT * FROM read_csv('/etc/passwd')" },
        { "read-text-etc-passwd", "SELECT * FROM read_text('/etc/passwd')" },
        { "read-blob-etc-passwd", "SELECT * FROM read_blob('/etc/passwd')" },
        { "replacement-scan-other-run", "SELECT * FROM '{other}/secret.csv'" },
        { "read-csv-other-run", "SELECT * FROM read_csv('{other}/secret.csv')" },
        { "read-parquet-other-run", "SELECT * FROM read_parquet('{other}/*.parquet')" },
        { "relative-climb-out", "SELECT * FROM read_csv('{inputs}/../../run-b/inputs/secret.csv')" },
        { "glob-root", "SELECT * FROM glob('/**')" },
        { "http", "SELECT * FROM read_csv('http://127.0.0.1:9/x.csv')" },
        { "nested-in-subquery", "SELECT * FROM orders WHERE order_id IN (SELECT 1 FROM read_text('/etc/hostname'))" },
    };

    [Theory]
    [InlineData("CREATE TABLE copy_of AS SELECT * FROM orders", "a CREATE statement")]
    [InlineData("INSERT INTO orders VALUES (2, 3.50)", "an INSERT statement")]
    [InlineData("-- tidy up\nDROP VIEW orders", "a DROP statement")]
    public void RequireSingleSelect_DdlOrDml_SaysOnlyASingleSelectRunsNotDuckDbsJsonMessage(string sql, string kind)
    {
        // Act
        var refused = Assert.Throws<InvalidOperationException>(() => _session.RequireSingleSelect(sql, "the query"));

        // Assert: plain words, not DuckDB's "Only SELECT statements can be serialized to json!".
        Assert.DoesNotContain("json", refused.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("the query must be exactly one SELECT statement", refused.Message, StringComparison.Ordinal);
        Assert.Contains($"this is {kind}", refused.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(NotASelect))]
    public void RequireSingleSelect_StatementOtherThanOneSelect_RefusedAndNothingWritten(string kind, string sql)
    {
        // Arrange
        sql = Expand(sql);

        // Act
        var refused = Assert.Throws<InvalidOperationException>(() => _session.RequireSingleSelect(sql, $"probe {kind}"));

        // Assert
        Assert.Contains($"probe {kind} must be exactly one SELECT statement", refused.Message, StringComparison.Ordinal);
        AssertNothingWritten();
    }

    [Theory]
    [MemberData(nameof(EscapingSelect))]
    public void Query_SelectReadingOutsideTheRunFolder_RefusedByTheSandboxAndNothingRead(string kind, string sql)
    {
        // Arrange: it is a single SELECT, so it passes the parser check and reaches the engine.
        sql = _session.RequireSingleSelect(Expand(sql), $"probe {kind}");

        // Act
        var refused = Assert.ThrowsAny<DuckDBException>(() => _session.Query(sql, r => r.GetValue(0)));

        // Assert
        Assert.Matches("Permission Error|disabled|not allowed|external access", refused.Message);
        AssertNothingWritten();
    }

    [Theory]
    [InlineData("SET enable_external_access = true")]
    [InlineData("SET allowed_directories = ['/']")]
    [InlineData("SET lock_configuration = false")]
    [InlineData("RESET enable_external_access")]
    [InlineData("SET autoinstall_known_extensions = true")]
    public void Execute_SettingChangeAfterLock_RefusedAndSandboxStillHolds(string sql)
    {
        // Act: even a statement that slipped past the parser check cannot loosen the sandbox.
        var refused = Assert.ThrowsAny<DuckDBException>(() => _session.Execute(sql));

        // Assert
        Assert.Contains("locked", refused.Message, StringComparison.OrdinalIgnoreCase);
        Assert.ThrowsAny<DuckDBException>(() => _session.Query("SELECT * FROM read_text('/etc/passwd')", r => r.GetValue(0)));
    }

    [Fact]
    public void RequireSingleSelect_OneMegabyteQuery_RefusedWithAReasonAndTheHostSurvives()
    {
        // Arrange: 1 MB of nested parentheses (a parser's recursion is the usual way to crash a host).
        var depth = 512 * 1024;
        var sql = "SELECT " + new string('(', depth) + "1" + new string(')', depth);

        // Act
        var refused = Record.Exception(() => _session.Query(_session.RequireSingleSelect(sql, "probe long-query"), r => r.GetValue(0)));

        // Assert
        Assert.NotNull(refused);
        Assert.Matches("depth|too (long|large|deep)|must be exactly one SELECT", refused.Message);
        Assert.Equal(2.5, Convert.ToDouble(_session.Scalar("SELECT amount FROM orders"), System.Globalization.CultureInfo.InvariantCulture));
        AssertNothingWritten();
    }

    [Fact]
    public void Query_OrdinarySelectOverItsOwnInput_Runs()
    {
        // Act: the control case: the sandbox does not refuse what a product legitimately does.
        var rows = _session.Query(_session.RequireSingleSelect("SELECT order_id, amount FROM orders;", "probe"), r => r.GetInt64(0));

        // Assert
        Assert.Equal([1L], rows);
    }

    private string Expand(string sql) => sql
        .Replace("{outside}", _outside, StringComparison.Ordinal)
        .Replace("{output}", _output, StringComparison.Ordinal)
        .Replace("{other}", _otherRun, StringComparison.Ordinal)
        .Replace("{inputs}", _inputs, StringComparison.Ordinal);

    private void AssertNothingWritten()
    {
        Assert.Empty(Directory.GetFileSystemEntries(_root, "outside*"));
        Assert.Empty(Directory.GetFileSystemEntries(_output));
        Assert.Equal(["orders.csv"], Directory.GetFiles(_inputs).Select(Path.GetFileName));
        Assert.Equal(["secret.csv"], Directory.GetFiles(_otherRun).Select(Path.GetFileName));
    }
}
