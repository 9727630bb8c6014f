using DataMesh.Contracts;
using DataMesh.Core.Tests.Specs;
using DataMesh.Engine;
using DataMesh.Pipeline;
using DataMesh.Specs;

namespace DataMesh.Core.Tests.Engine;

/// <summary>
/// The quality gate on DuckDB over a small known output: every metric, thresholds as counts and percentages,
/// warning against error severity, schema conformance, masked samples, and judging a measurement taken elsewhere
/// (the transform takes it; the quality stage judges it).
/// </summary>
public sealed class QualityGateTests : IDisposable
{
    /// <summary>
    /// Six rows: id 4 twice, one null email, currency 'N/A' once and 'usd' once, one negative amount.
    /// </summary>
    private const string Rows = """
        SELECT id::INTEGER AS id, email, currency, amount::DECIMAL(10,2) AS amount FROM (VALUES
          (1, 'a@x.org', 'EUR', 10.00),
          (2, NULL,      'EUR', 20.00),
          (3, 'c@x.org', 'N/A', 30.00),
          (4, 'd@x.org', 'usd', -5.00),
          (4, 'e@x.org', 'EUR', 50.00),
          (6, 'f@x.org', 'USD', 60.00)
        ) AS t(id, email, currency, amount)
        """;

    private const string Contract = """
        apiVersion: v3.1.0
        kind: DataContract
        id: sales.orders
        version: 1.0.0
        schema:
          - name: orders
            properties:
              - { name: id, logicalType: integer, required: true, unique: true }
              - name: email
                logicalType: string
                classification: pii
                quality:
                  - { metric: nullValues, mustBeLessThan: 20, unit: percent }
              - name: currency
                logicalType: string
                quality:
                  - metric: missingValues
                    arguments: { missingValues: [null, 'N/A'] }
                    mustBe: 0
                    severity: warning
                  - metric: invalidValues
                    arguments: { validValues: [EUR, USD, 'N/A'] }
                    mustBe: 0
                  - metric: invalidValues
                    arguments: { pattern: '^[A-Z/]{3}$' }
                    mustBeLessThan: 2
              - { name: amount, physicalType: 'DECIMAL(10,2)' }
            quality:
              - { metric: rowCount, mustBeBetween: [5, 10] }
              - type: sql
                query: SELECT count(*) FROM {object} WHERE amount < 0
                mustBe: 0
                severity: warning
        """;

    private readonly TempFolder _temp = new();
    private readonly DuckDbSession _session;
    private readonly List<OutputColumn> _schema;

    public QualityGateTests()
    {
        _session = DuckDbSession.Open(new DuckDbSessionOptions { AllowedDirectories = [_temp.Path], TempDirectory = Path.Combine(_temp.Path, "tmp"), Limits = DataMesh.Pipeline.EngineLimits.Process.Side });
        _session.Execute($"CREATE VIEW {QualityGate.OutputView} AS {Rows}");
        _schema = _session.Query($"SELECT column_name, column_type FROM (DESCRIBE {QualityGate.OutputView})", r => new OutputColumn(r.GetString(0), r.GetString(1)));
    }

    public void Dispose()
    {
        _session.Dispose();
        _temp.Dispose();
    }

    [Fact]
    public void Evaluate_EveryMetric_MeasuresEachRuleAndOnlyErrorRulesBlock()
    {
        // Arrange
        var contract = Load(Contract);

        // Act
        var summary = QualityGate.Evaluate(_session, contract, _schema);

        // Assert
        var byName = summary.Rules.ToDictionary(r => r.Name);
        Assert.Equal(6, summary.Rows);
        Assert.Equal((0m, true), (byName["id.required"].Measured, byName["id.required"].Passed));
        Assert.Equal((1m, false, "error"), (byName["id.unique"].Measured, byName["id.unique"].Passed, byName["id.unique"].Severity));
        Assert.Equal((16.6667m, "percent", true), (byName["email.nullValues"].Measured, byName["email.nullValues"].Unit, byName["email.nullValues"].Passed));
        Assert.Equal((1m, false, "warning"), (byName["currency.missingValues"].Measured, byName["currency.missingValues"].Passed, byName["currency.missingValues"].Severity));
        Assert.Equal((1m, false), (byName["currency.invalidValues"].Measured, byName["currency.invalidValues"].Passed));
        Assert.Equal((1m, true), (byName["currency.invalidValues_2"].Measured, byName["currency.invalidValues_2"].Passed));
        Assert.Equal((6m, true), (byName["orders.rowCount"].Measured, byName["orders.rowCount"].Passed));
        var sql = Assert.Single(summary.Rules, r => r.Metric == "sql");
        Assert.Equal((1m, false, "warning"), (sql.Measured, sql.Passed, sql.Severity));
        Assert.False(summary.Passed);
        Assert.Equal(["id.unique", "currency.invalidValues"], summary.BlockingFailures.Select(r => r.Name));
    }

    [Fact]
    public void Evaluate_FailedRules_SampleTheFailingRowsWithPiiMasked()
    {
        // Arrange
        var contract = Load(Contract);

        // Act
        var summary = QualityGate.Evaluate(_session, contract, _schema);

        // Assert
        var duplicates = summary.Rules.Single(r => r.Name == "id.unique").Samples;
        Assert.Equal(["4", "4"], duplicates.Select(row => row["id"]));
        Assert.All(duplicates, row => Assert.Equal("***", row["email"]));
        var invalid = Assert.Single(summary.Rules.Single(r => r.Name == "currency.invalidValues").Samples);
        Assert.Equal("usd", invalid["currency"]);
        Assert.Empty(summary.Rules.Single(r => r.Metric == "sql").Samples);
        Assert.Empty(summary.Rules.Single(r => r.Name == "orders.rowCount").Samples);
    }

    [Theory]
    [InlineData("classification: confidential")]
    [InlineData("classification: sensitive")]
    [InlineData("classification: secret")]
    [InlineData("customProperties: [{ property: masking, value: truncate }]")]
    public void Evaluate_FailedRules_SampleEveryClassifiedOrMaskedColumnMasked(string protection)
    {
        // Arrange: the email column protected otherwise than as pii (an unknown label counts as protective).
        var contract = Load(Contract.Replace("classification: pii", protection, StringComparison.Ordinal));

        // Act
        var summary = QualityGate.Evaluate(_session, contract, _schema);

        // Assert
        var duplicates = summary.Rules.Single(r => r.Name == "id.unique").Samples;
        Assert.All(duplicates, row => Assert.Equal("***", row["email"]));
        Assert.All(duplicates, row => Assert.NotEqual("***", row["currency"]));
    }

    [Fact]
    public void Evaluate_MissingAndMistypedColumns_FailSchemaConformanceAndSkipTheirRules()
    {
        // Arrange
        var contract = Load(Contract.Replace("physicalType: 'DECIMAL(10,2)'", "physicalType: DATE", StringComparison.Ordinal)
            .Replace("- name: currency", "- name: country", StringComparison.Ordinal));

        // Act
        var summary = QualityGate.Evaluate(_session, contract, _schema);

        // Assert
        var schemaResults = summary.Rules.Where(r => r.Metric == "schema").ToList();
        Assert.Equal(["schema.country", "schema.amount"], schemaResults.Select(r => r.Name));
        Assert.All(schemaResults, r => Assert.Equal(("error", false), (r.Severity, r.Passed)));
        Assert.Contains("missing from the output", schemaResults[0].Expectation, StringComparison.Ordinal);
        Assert.DoesNotContain(summary.Rules, r => r.Property == "country" && r.Metric != "schema");
        Assert.False(summary.Passed);
    }

    [Fact]
    public void Judge_MeasurementTakenInAnotherSession_GivesWhatEvaluateGivesWithoutSamples()
    {
        // Arrange
        var contract = Load(Contract);
        var measurement = QualityGate.Measure(_session, contract, _schema);

        // Act
        var judged = QualityGate.Judge(contract, _schema, measurement);
        var sampled = QualityGate.WithSamples(_session, contract, _schema, judged);

        // Assert
        Assert.True(QualityGate.Matches(measurement, contract, _schema));
        Assert.All(judged.Rules, r => Assert.Empty(r.Samples));
        Assert.True(QualityGate.NeedsSamples(contract, _schema, judged));
        var evaluated = QualityGate.Evaluate(_session, contract, _schema);
        Assert.Equal((evaluated.Passed, evaluated.Rows), (sampled.Passed, sampled.Rows));
        Assert.Equal(evaluated.Rules, sampled.Rules);
    }

    [Fact]
    public void Judge_UsesTheMeasuredValuesItIsGiven_NotTheData()
    {
        // Arrange: every measure 0, as if the output had no duplicate, no invalid value — and no row.
        var contract = Load(Contract);
        var measured = QualityGate.Measure(_session, contract, _schema);
        var zeros = measured with { Values = measured.Values.Select(_ => 0m).ToList() };

        // Act
        var summary = QualityGate.Judge(contract, _schema, zeros);

        // Assert
        var failed = Assert.Single(summary.Rules, r => !r.Passed);
        Assert.Equal(("orders.rowCount", 0m), (failed.Name, failed.Measured));
        Assert.False(QualityGate.NeedsSamples(contract, _schema, summary));
    }

    [Fact]
    public void Matches_ContractChangedSinceTheMeasurement_IsFalse()
    {
        // Arrange
        var measurement = QualityGate.Measure(_session, Load(Contract), _schema);
        var changed = Load(Contract.Replace("mustBeLessThan: 2", "mustBeLessThan: 3", StringComparison.Ordinal)
            .Replace("- { name: amount, physicalType: 'DECIMAL(10,2)' }", "- { name: amount, physicalType: 'DECIMAL(10,2)', required: true }", StringComparison.Ordinal));

        // Act
        var matches = QualityGate.Matches(measurement, changed, _schema);

        // Assert: a threshold alone does not change the query; a new implied check does.
        Assert.True(QualityGate.Matches(measurement, Load(Contract.Replace("mustBeLessThan: 2", "mustBeLessThan: 3", StringComparison.Ordinal)), _schema));
        Assert.False(matches);
        Assert.Throws<InvalidOperationException>(() => QualityGate.Judge(changed, _schema, measurement));
    }

    private DataContract Load(string yaml) => ContractLoader.Load(_temp.Write($"c{Guid.NewGuid():N}.odcs.yaml", yaml));
}
