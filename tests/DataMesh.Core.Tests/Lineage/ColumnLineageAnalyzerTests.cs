using DataMesh.Core.Tests.Governance;
using DataMesh.Lineage;
using DataMesh.Specs;

namespace DataMesh.Core.Tests.Lineage;

/// <summary>
/// Column lineage from DuckDB's parse tree: every sample product against the hand-written expectation in
/// <c>sample-lineage.expected.txt</c>, and focused cases for the constructs the samples do not all use.
/// </summary>
public sealed class ColumnLineageAnalyzerTests
{
    private static readonly Lazy<IReadOnlyList<ProductSpec>> Samples = new(() =>
        ProductSpecLoader.FindProductDirectories(RepositoryFiles.Pipelines).Select(ProductSpecLoader.Load).ToList());

    private static readonly Lazy<IReadOnlyDictionary<string, ColumnLineage>> SampleLineage = new(() => ColumnLineageAnalyzer.Analyze(Samples.Value, Samples.Value));

    private static readonly Lazy<Dictionary<string, string>> Expected = new(ReadExpectations);

    public static TheoryData<string> SampleProducts => [.. ProductSpecLoader.FindProductDirectories(RepositoryFiles.Pipelines).Select(d => ProductSpecLoader.Load(d).Id)];

    [Theory]
    [MemberData(nameof(SampleProducts))]
    public void Analyze_SampleProduct_MatchesHandWrittenExpectation(string productId)
    {
        // Arrange
        Assert.True(Expected.Value.TryGetValue(productId, out var expected), $"sample-lineage.expected.txt has no [{productId}] section: write its expected lineage.");

        // Act
        var lineage = SampleLineage.Value[productId];

        // Assert
        Assert.Empty(lineage.Notes);
        Assert.Equal(Canonical(expected), Render(lineage));
    }

    [Fact]
    public void Analyze_JoinWithTableAliases_ResolvesQualifiedAndUnqualifiedColumns()
    {
        // Arrange: 'label' exists only in b, so the unqualified reference is b's.
        const string sql = "SELECT a.id, upper(label) AS label_upper, a.amount * b.rate AS converted FROM orders AS a JOIN rates b ON a.currency = b.currency";

        // Act
        var lineage = ColumnLineageAnalyzer.Analyze(sql, [("orders", [("id", "INTEGER"), ("amount", "DOUBLE"), ("currency", "VARCHAR")]), ("rates", [("currency", "VARCHAR"), ("rate", "DOUBLE"), ("label", "VARCHAR")])]);

        // Assert
        Assert.Equal(Canonical("""
            id <- orders.id IDENTITY
            label_upper <- rates.label TRANSFORMATION
            converted <- orders.amount TRANSFORMATION, rates.rate TRANSFORMATION
            dataset <- orders.currency ~JOIN, rates.currency ~JOIN
            reads orders: id, amount, currency
            reads rates: currency, rate, label
            """), Render(lineage));
    }

    [Fact]
    public void Analyze_CteWithColumnAliases_FollowsTheCteToItsInputs()
    {
        // Arrange
        const string sql = "WITH totals(customer, total) AS (SELECT customer_id, sum(amount) FROM orders GROUP BY customer_id) SELECT customer AS c, total FROM totals WHERE total > 10";

        // Act
        var lineage = ColumnLineageAnalyzer.Analyze(sql, [("orders", [("customer_id", "INTEGER"), ("amount", "DOUBLE"), ("note", "VARCHAR")])]);

        // Assert
        Assert.Equal(Canonical("""
            c <- orders.customer_id IDENTITY
            total <- orders.amount AGGREGATION
            dataset <- orders.customer_id ~GROUP_BY, orders.amount ~FILTER
            reads orders: customer_id, amount
            """), Render(lineage));
    }

    [Fact]
    public void Analyze_StarAndQualifiedStar_ExpandFromInputSchemas()
    {
        // Arrange: USING shows the key once; EXCLUDE drops a column; REPLACE transforms one.
        const string sql = "SELECT * EXCLUDE (note) REPLACE (amount * 2 AS amount) FROM orders JOIN customers USING (customer_id)";
        const string qualified = "SELECT c.*, o.amount FROM orders o, customers c";
        IReadOnlyList<(string, IReadOnlyList<(string, string)>?)> inputs = [("orders", [("customer_id", "INTEGER"), ("amount", "DOUBLE"), ("note", "VARCHAR")]), ("customers", [("customer_id", "INTEGER"), ("name", "VARCHAR")])];

        // Act
        var star = ColumnLineageAnalyzer.Analyze(sql, inputs);
        var tStar = ColumnLineageAnalyzer.Analyze(qualified, inputs);

        // Assert
        Assert.Equal(["customer_id", "amount", "name"], star.Outputs.Select(o => o.Name));
        Assert.Equal("orders.amount DIRECT/TRANSFORMATION", Assert.Single(star.SourcesOf("amount")).ToString());
        Assert.Equal("customers.name DIRECT/IDENTITY", Assert.Single(star.SourcesOf("name")).ToString());
        Assert.Equal(["customer_id", "name", "amount"], tStar.Outputs.Select(o => o.Name));
        Assert.Equal("customers.customer_id DIRECT/IDENTITY", Assert.Single(tStar.SourcesOf("customer_id")).ToString());
    }

    [Fact]
    public void Analyze_StarConsumer_ReadsEachColumnAtTheStarsLineAndColumn()
    {
        // Arrange: the '*' on line 2, column 3, and o.* on line 2, column 5; 'amount' is also named on line 1.
        const string sql = "SELECT amount AS a,\n  * EXCLUDE (note)\nFROM orders\n";
        const string qualified = "SELECT\n    o.*\nFROM orders o\n";
        IReadOnlyList<(string, IReadOnlyList<(string, string)>?)> inputs = [("orders", [("customer_id", "INTEGER"), ("amount", "DOUBLE"), ("note", "VARCHAR")])];

        // Act
        var star = ColumnLineageAnalyzer.Analyze(sql, inputs);
        var tStar = ColumnLineageAnalyzer.Analyze(qualified, inputs);

        // Assert: a column read through the '*' is read where the '*' is; one the SQL also names, where it names it.
        var at = Assert.Single(star.Reads).At!;
        Assert.Equal("2:3", at["customer_id"]);
        Assert.Equal("1:8", at["amount"]);
        Assert.False(at.ContainsKey("note"));
        Assert.Equal("2:5", Assert.Single(tStar.Reads).At!["note"]);
    }

    [Fact]
    public void Analyze_WindowFunction_ValueIsAggregatedAndPartitionIsIndirect()
    {
        // Arrange
        const string sql = "SELECT id, sum(amount) OVER (PARTITION BY customer_id ORDER BY day) AS running, row_number() OVER (ORDER BY day) AS n FROM orders QUALIFY n <= 10";

        // Act
        var lineage = ColumnLineageAnalyzer.Analyze(sql, [("orders", [("id", "INTEGER"), ("customer_id", "INTEGER"), ("day", "DATE"), ("amount", "DOUBLE")])]);

        // Assert
        Assert.Equal(Canonical("""
            id <- orders.id IDENTITY
            running <- orders.customer_id ~WINDOW, orders.day ~WINDOW, orders.amount AGGREGATION
            n <- orders.day ~WINDOW
            dataset <- orders.day ~FILTER
            reads orders: id, customer_id, day, amount
            """), Render(lineage));
    }

    [Fact]
    public void Analyze_UnionAndCase_MergesBranchesAndMarksConditions()
    {
        // Arrange
        const string sql = "SELECT id, CASE WHEN kind = 'x' THEN amount ELSE 0 END AS amount FROM a UNION ALL SELECT id, amount FROM b";

        // Act
        var lineage = ColumnLineageAnalyzer.Analyze(sql, [("a", [("id", "INTEGER"), ("kind", "VARCHAR"), ("amount", "DOUBLE")]), ("b", [("id", "INTEGER"), ("amount", "DOUBLE")])]);

        // Assert
        Assert.Equal(Canonical("""
            id <- a.id IDENTITY, b.id IDENTITY
            amount <- a.kind ~CONDITIONAL, a.amount TRANSFORMATION, b.amount IDENTITY
            dataset <-
            reads a: id, kind, amount
            reads b: id, amount
            """), Render(lineage));
    }

    [Fact]
    public void Analyze_SubqueryInWhere_ReadsItsColumnsAsFilters()
    {
        // Arrange: a correlated EXISTS and an IN list from another input.
        const string sql = "SELECT o.id FROM orders o WHERE o.customer_id IN (SELECT id FROM customers WHERE active) AND EXISTS (SELECT 1 FROM refunds r WHERE r.order_id = o.id)";

        // Act
        var lineage = ColumnLineageAnalyzer.Analyze(sql, [("orders", [("id", "INTEGER"), ("customer_id", "INTEGER")]), ("customers", [("id", "INTEGER"), ("active", "BOOLEAN")]), ("refunds", [("order_id", "INTEGER")])]);

        // Assert
        Assert.Equal("orders.id DIRECT/IDENTITY", Assert.Single(lineage.SourcesOf("id")).ToString());
        Assert.Equal(["orders: id, customer_id", "customers: id, active", "refunds: order_id"], lineage.Reads.Select(r => $"{r.Input}: {string.Join(", ", r.Columns)}"));
        Assert.Contains(lineage.Dataset, s => s.ToString() == "customers.active INDIRECT/FILTER");
        Assert.Contains(lineage.Dataset, s => s.ToString() == "refunds.order_id INDIRECT/FILTER");
        Assert.Empty(lineage.Notes);
    }

    [Fact]
    public void Analyze_UnknownConstruct_WidensToTheInputsInScopeAndSaysSo()
    {
        // Arrange: a lambda's parameter is not a column; the analyser does not know lambdas.
        const string sql = "SELECT id, list_transform(tags, x -> upper(x)) AS tags FROM items";

        // Act
        var lineage = ColumnLineageAnalyzer.Analyze(sql, [("items", [("id", "INTEGER"), ("tags", "VARCHAR[]"), ("price", "DOUBLE")])]);

        // Assert
        Assert.NotEmpty(lineage.Notes);
        Assert.Equal(["id", "tags", "price"], lineage.SourcesOf("tags").Select(s => s.Column).Distinct());
        Assert.Equal("items.id DIRECT/IDENTITY", Assert.Single(lineage.SourcesOf("id")).ToString());
    }

    /// <summary>The lineage in the expectation file's form, each list sorted so that only content is compared.</summary>
    private static string Render(ColumnLineage lineage)
    {
        var lines = lineage.Outputs.Select(o => $"{o.Name} <- {Sources(o.Sources)}".TrimEnd()).ToList();
        lines.Add($"dataset <- {Sources(lineage.Dataset)}".TrimEnd());
        lines.AddRange(lineage.Reads.Select(r => $"reads {r.Input}: {string.Join(", ", r.Columns)}"));
        return Canonical(string.Join("\n", lines));

        static string Sources(IEnumerable<ColumnLineageSource> sources) =>
            string.Join(", ", sources.Select(s => $"{s.Input}.{s.Column} {(s.Type == ColumnLineageSource.Indirect ? "~" : "")}{s.Subtype}"));
    }

    /// <summary>Sorts the comma-separated sources of each line (reads keep their order: the input's column order).</summary>
    private static string Canonical(string text) => string.Join("\n", text.ReplaceLineEndings("\n").Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).Select(line =>
    {
        var arrow = line.IndexOf(" <- ", StringComparison.Ordinal);
        if (arrow < 0)
        {
            return line.TrimEnd();
        }

        var items = line[(arrow + 4)..].Split(", ", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Order(StringComparer.Ordinal);
        return $"{line[..arrow]} <- {string.Join(", ", items)}".TrimEnd();
    }));

    private static Dictionary<string, string> ReadExpectations()
    {
        var path = Path.Combine(RepositoryFiles.Root, "tests", "DataMesh.Core.Tests", "Lineage", "sample-lineage.expected.txt");
        var sections = new Dictionary<string, string>(StringComparer.Ordinal);
        string? current = null;
        var body = new List<string>();
        foreach (var raw in File.ReadAllLines(path).Append("[]"))
        {
            var line = raw.Trim();
            if (line.StartsWith('#') || line.Length == 0)
            {
                continue;
            }

            if (line.StartsWith('[') && line.EndsWith(']'))
            {
                if (current is not null)
                {
                    sections[current] = string.Join("\n", body);
                }

                current = line[1..^1];
                body.Clear();
                continue;
            }

            body.Add(line);
        }

        return sections;
    }
}
