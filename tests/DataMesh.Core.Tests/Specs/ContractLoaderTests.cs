using DataMesh.Contracts;
using DataMesh.Specs;

namespace DataMesh.Core.Tests.Specs;

public sealed class ContractLoaderTests : IDisposable
{
    /// <summary>Lines 1-9; a rule added by <see cref="PropertyRule"/> starts on line 10.</summary>
    private const string PropertyRuleHeader = """
        apiVersion: v3.1.0
        kind: DataContract
        id: finance.ledger
        version: 1.0.0
        schema:
          - name: ledger
            properties:
              - name: amount
                quality:

        """;

    /// <summary>Lines 1-9; a rule added by <see cref="ObjectRule"/> starts on line 10.</summary>
    private const string ObjectRuleHeader = """
        apiVersion: v3.1.0
        kind: DataContract
        id: finance.ledger
        version: 1.0.0
        schema:
          - name: ledger
            properties:
              - name: amount
            quality:

        """;

    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public void Load_FullContract_ReadsEveryUsedField()
    {
        // Arrange
        var path = _temp.Write("contract.odcs.yaml", ProductFixtures.Contract);

        // Act
        var contract = ContractLoader.Load(path);

        // Assert
        Assert.Equal("v3.1.0", contract.ApiVersion);
        Assert.Equal("DataContract", contract.Kind);
        Assert.Equal("finance.ledger-emea", contract.Id);
        Assert.Equal("Ledger EMEA", contract.Name);
        Assert.Equal("1.2.0", contract.Version);
        Assert.Equal("active", contract.Status);
        Assert.Equal(path, contract.Path);
        var table = Assert.Single(contract.Schema);
        Assert.Equal("ledger_emea", table.Name);
        Assert.Equal("ledger_emea", table.PhysicalName);
        Assert.Equal("One row per ledger entry.", table.Description);
        var id = table.Properties[0];
        Assert.Equal(
            new ContractProperty
            {
                Name = "entry_id",
                LogicalType = "string",
                PhysicalType = "varchar",
                Required = true,
                Unique = true,
                PrimaryKey = true,
                Classification = "internal",
                Description = "Entry identifier.",
                Quality = id.Quality,
            },
            id);
        Assert.Empty(id.Quality);
        var nulls = Assert.Single(table.Properties[1].Quality);
        Assert.Equal(("amount.nullValues", "amount", QualityMetrics.NullValues), (nulls.Name, nulls.Property, nulls.Metric));
        var rows = Assert.Single(table.Quality);
        Assert.Equal(("ledger_emea.rowCount", null, QualityMetrics.RowCount), (rows.Name, rows.Property, rows.Metric));
        Assert.Equal(new QualityComparison(QualityOperator.GreaterThan, 0), rows.Comparison);
        Assert.Empty(contract.UnsupportedQuality);
    }

    [Fact]
    public void Load_V31MetricForm_ParsesArgumentsUnitAndSeverity()
    {
        // Arrange
        var path = PropertyRule(
            "metric: invalidValues",
            "mustBeLessOrEqualTo: 5",
            "unit: percent",
            "arguments:",
            "  validValues: ['', null, 'n/a']",
            "severity: info",
            "dimension: conformity",
            "description: Filled in 95% of the time.");

        // Act
        var rule = Assert.Single(ContractLoader.Load(path).Schema[0].Properties[0].Quality);

        // Assert
        Assert.Equal("amount.invalidValues", rule.Name);
        Assert.Equal("amount", rule.Property);
        Assert.Equal(QualityRuleType.Library, rule.Type);
        Assert.Equal(QualityMetrics.InvalidValues, rule.Metric);
        Assert.Equal(new QualityComparison(QualityOperator.LessOrEqual, 5), rule.Comparison);
        Assert.Equal(QualityUnit.Percent, rule.Unit);
        Assert.Equal(["", null, "n/a"], rule.ValidValues!);
        Assert.Equal(QualitySeverity.Warning, rule.Severity);
        Assert.Equal("conformity", rule.Dimension);
        Assert.Equal("Filled in 95% of the time.", rule.Description);
    }

    [Fact]
    public void Load_V30RuleForm_ParsesLegacyRulesAndTopLevelArguments()
    {
        // Arrange
        var yaml = """
            apiVersion: v3.0.2
            kind: DataContract
            id: finance.ledger
            version: 1.0.0
            status: active
            schema:
              - name: ledger
                properties:
                  - name: currency
                    quality:
                      - rule: validValues
                        validValues: ['EUR', 'USD']
                        mustBe: 0
                      - rule: nullCheck
                        mustBe: 0
                      - rule: duplicateCount
                        mustBeLessThan: 10
                        unit: rows
                      - rule: missingValues
                        missingValues: [null, '', 'N/A']
                        mustBeLessThan: 1
                        unit: percent
                      - rule: invalidValues
                        pattern: '^[A-Z]{3}$'
                        mustBe: 0
                quality:
                  - rule: rowCount
                    mustBeBetween: [100, 120]

            """;
        var path = _temp.Write("legacy.odcs.yaml", yaml);

        // Act
        var result = ContractLoader.Read(path);

        // Assert
        Assert.Empty(result.Diagnostics);
        var rules = result.Contract!.Schema[0].Properties[0].Quality;
        Assert.Equal(
            [QualityMetrics.InvalidValues, QualityMetrics.NullValues, QualityMetrics.DuplicateValues, QualityMetrics.MissingValues, QualityMetrics.InvalidValues],
            rules.Select(r => r.Metric));
        Assert.Equal(["EUR", "USD"], rules[0].ValidValues!);
        Assert.Equal(new QualityComparison(QualityOperator.LessThan, 10), rules[2].Comparison);
        Assert.Equal([null, "", "N/A"], rules[3].MissingValues!);
        Assert.Equal("^[A-Z]{3}$", rules[4].Pattern);
        Assert.Equal(
            ["currency.invalidValues", "currency.nullValues", "currency.duplicateValues", "currency.missingValues", "currency.invalidValues_2"],
            rules.Select(r => r.Name));
        var rowCount = Assert.Single(result.Contract.Schema[0].Quality);
        Assert.Equal(new QualityComparison(QualityOperator.Between, 100, 120), rowCount.Comparison);
    }

    [Fact]
    public void Load_MetricAndRuleForms_ProduceTheSameRule()
    {
        // Arrange
        var modern = PropertyRule("metric: duplicateValues", "mustBe: 0");
        var legacy = _temp.Write("legacy.odcs.yaml", File.ReadAllText(modern).Replace("v3.1.0", "v3.0.2", StringComparison.Ordinal).Replace("metric: duplicateValues", "rule: duplicateCount", StringComparison.Ordinal));

        // Act
        var fromMetric = Assert.Single(ContractLoader.Load(modern).Schema[0].Properties[0].Quality);
        var fromRule = Assert.Single(ContractLoader.Load(legacy).Schema[0].Properties[0].Quality);

        // Assert
        Assert.Equal(fromMetric, fromRule);
    }

    [Fact]
    public void Load_RuleNames_AreExplicitOrDerivedAndUnique()
    {
        // Arrange
        var yaml = """
            apiVersion: v3.1.0
            kind: DataContract
            id: finance.ledger
            version: 1.0.0
            schema:
              - name: ledger
                properties:
                  - name: amount
                    quality:
                      - metric: nullValues
                        mustBe: 0
                      - metric: nullValues
                        mustBeLessThan: 5
                        unit: percent
                        severity: warning
                      - type: sql
                        query: SELECT count(*) FROM {object} WHERE amount < 0
                        mustBe: 0
                quality:
                  - type: sql
                    query: SELECT count(*) FROM {object}
                    mustBeGreaterThan: 0
                  - name: amount.nullValues_2
                    metric: rowCount
                    mustBeLessThan: 1000000
                  - type: sql
                    query: SELECT 1
                    mustBe: 1

            """;
        var path = _temp.Write("names.odcs.yaml", yaml);

        // Act
        var table = ContractLoader.Load(path).Schema[0];

        // Assert
        Assert.Equal(["amount.nullValues", "amount.nullValues_3", "amount.sql1"], table.Properties[0].Quality.Select(r => r.Name));
        Assert.Equal(["ledger.sql1", "amount.nullValues_2", "ledger.sql2"], table.Quality.Select(r => r.Name));
        Assert.Equal("SELECT count(*) FROM {object} WHERE amount < 0", table.Properties[0].Quality[2].Query);
        Assert.Equal(QualityRuleType.Sql, table.Quality[0].Type);
    }

    [Theory]
    [InlineData("metric: nullCount|mustBe: 0", "DM1109", 10, "schema[0].properties[0].quality[0].metric: 'nullCount' is not a supported metric")]
    [InlineData("metric: nullValues|rule: duplicateCount|mustBe: 0", "DM1109", 11, "schema[0].properties[0].quality[0].rule: 'duplicateCount' disagrees with metric")]
    [InlineData("metric: nullValues", "DM1110", 10, "schema[0].properties[0].quality[0]: no comparison; add exactly one of mustBe")]
    [InlineData("metric: nullValues|mustBe: 0|mustBeLessThan: 2", "DM1110", 12, "schema[0].properties[0].quality[0]: mustBe and mustBeLessThan in one rule")]
    [InlineData("metric: nullValues|mustBe: zero", "DM1111", 11, "schema[0].properties[0].quality[0].mustBe: must be a number")]
    [InlineData("metric: nullValues|mustBe: '0'", "DM1111", 11, "schema[0].properties[0].quality[0].mustBe: must be a number")]
    [InlineData("metric: nullValues|mustBeBetween: [5, 1]", "DM1111", 11, "schema[0].properties[0].quality[0].mustBeBetween: [5, 1] has the larger number first")]
    [InlineData("metric: nullValues|mustNotBeBetween: 3", "DM1111", 11, "schema[0].properties[0].quality[0].mustNotBeBetween: must be a list of two numbers")]
    [InlineData("metric: nullValues|mustBe: 0|unit: lines", "DM1112", 12, "schema[0].properties[0].quality[0].unit: 'lines' is not a unit")]
    [InlineData("metric: nullValues|mustBe: 0|severity: fatal", "DM1113", 12, "schema[0].properties[0].quality[0].severity: 'fatal' is not a severity")]
    [InlineData("type: sql|mustBe: 0", "DM1114", 10, "schema[0].properties[0].quality[0].query: a type: sql rule needs a query")]
    [InlineData("type: great|mustBe: 0", "DM1116", 10, "schema[0].properties[0].quality[0].type: 'great' is not an ODCS rule type")]
    [InlineData("metric: invalidValues|mustBe: 0", "DM1117", 10, "schema[0].properties[0].quality[0]: invalidValues needs the accepted values")]
    [InlineData("metric: invalidValues|mustBe: 0|arguments:|  pattern: '[a-'", "DM1117", 13, "schema[0].properties[0].quality[0].arguments.pattern: not a valid regular expression")]
    [InlineData("metric: invalidValues|mustBe: 0|validValues: [a]|arguments:|  validValues: [b]", "DM1117", 12, "schema[0].properties[0].quality[0].validValues: given twice")]
    [InlineData("metric: rowCount|mustBeGreaterThan: 0", "DM1118", 10, "schema[0].properties[0].quality[0].metric: rowCount counts the object's rows")]
    [InlineData("mustBe: 0", "DM1103", 10, "schema[0].properties[0].quality[0].metric: missing required field")]
    [InlineData("metric: missingValues|mustBe: 0|arguments:|  missingValues: n/a", "DM1104", 13, "schema[0].properties[0].quality[0].arguments.missingValues: must be a list of values")]
    [InlineData("metric: [nullValues]|mustBe: 0", "DM1104", 10, "schema[0].properties[0].quality[0].metric: must be a single value")]
    public void Read_BadPropertyRule_ReportsCodeAtLine(string ruleLines, string code, int line, string message)
    {
        // Arrange
        var path = PropertyRule(ruleLines.Split('|'));

        // Act
        var result = ContractLoader.Read(path);

        // Assert
        var diagnostic = Assert.Single(result.Diagnostics);
        Assert.Equal((code, line), (diagnostic.Code, diagnostic.Line));
        Assert.StartsWith(message, diagnostic.Message, StringComparison.Ordinal);
        Assert.Null(result.Contract);
    }

    [Theory]
    [InlineData("metric: nullValues|mustBe: 0", "DM1118", 10, "schema[0].quality[0].metric: nullValues measures one column")]
    [InlineData("metric: rowCount|mustBeGreaterThan: 0|unit: percent", "DM1112", 12, "schema[0].quality[0].unit: rowCount counts rows")]
    public void Read_BadObjectRule_ReportsCodeAtLine(string ruleLines, string code, int line, string message)
    {
        // Arrange
        var path = ObjectRule(ruleLines.Split('|'));

        // Act
        var diagnostic = Assert.Single(ContractLoader.Validate(path));

        // Assert
        Assert.Equal((code, line), (diagnostic.Code, diagnostic.Line));
        Assert.StartsWith(message, diagnostic.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_CustomRule_WarnsAndKeepsItOutOfTheEvaluatedRules()
    {
        // Arrange
        var path = PropertyRule("type: custom", "engine: soda", "implementation: |", "  type: duplicate_percent");

        // Act
        var result = ContractLoader.Read(path);

        // Assert
        var diagnostic = Assert.Single(result.Diagnostics);
        Assert.Equal(("DM1115", DiagnosticSeverity.Warning, 10), (diagnostic.Code, diagnostic.Severity, diagnostic.Line));
        Assert.Empty(result.Contract!.Schema[0].Properties[0].Quality);
        var kept = Assert.Single(result.Contract.UnsupportedQuality);
        Assert.Equal(("amount.custom1", "amount", QualityRuleType.Custom), (kept.Name, kept.Property, kept.Type));
    }

    [Theory]
    [InlineData("apiVersion: v3.1.0", "apiVersion: v2.2.0", "DM1106", 1)]
    [InlineData("kind: DataContract", "kind: DataProduct", "DM1107", 2)]
    [InlineData("version: 1.0.0", "version: '1.0'", "DM1105", 4)]
    [InlineData("id: finance.ledger\n", "", "DM1103", 1)]
    [InlineData("      - name: amount\n", "      - name: amount\n        required: yes\n", "DM1104", 9)]
    [InlineData("      - name: amount\n", "      - name: amount\n        logicalType: decimal\n", "DM1121", 9)]
    [InlineData("      - name: amount\n", "      - name: amount\n      - name: AMOUNT\n", "DM1120", 9)]
    [InlineData("      - name: amount\n", "      - name: amount\n        customProperties:\n          - { property: masking, value: redact }\n          - { property: maskingScope, value: customer-email }\n", "DM1122", 11)]
    [InlineData("      - name: amount\n", "      - name: amount\n        customProperties:\n          - { property: maskingScope, value: customer-email }\n", "DM1122", 10)]
    [InlineData("schema:\n  - name: ledger\n    properties:\n      - name: amount\n", "schema: []\n", "DM1108", 5)]
    [InlineData("    properties:\n      - name: amount\n", "    description: no columns\n", "DM1108", 6)]
    [InlineData("schema:\n  - name: ledger\n    properties:\n      - name: amount\n", "", "DM1108", 1)]
    [InlineData("kind: DataContract", "kind: [DataContract", "DM1101", 3)]
    public void Read_BadContract_ReportsCodeAtLine(string find, string replace, string code, int line)
    {
        // Arrange
        var yaml = """
            apiVersion: v3.1.0
            kind: DataContract
            id: finance.ledger
            version: 1.0.0
            schema:
              - name: ledger
                properties:
                  - name: amount

            """;
        Assert.Contains(find, yaml, StringComparison.Ordinal);
        var path = _temp.Write("contract.odcs.yaml", yaml.Replace(find, replace, StringComparison.Ordinal));

        // Act
        var diagnostic = Assert.Single(ContractLoader.Validate(path));

        // Assert
        Assert.Equal((code, line), (diagnostic.Code, diagnostic.Line));
        Assert.Equal(path, diagnostic.File);
    }

    [Fact]
    public void Read_DuplicateExplicitRuleNames_ReportsDM1119OnTheSecond()
    {
        // Arrange
        var path = ObjectRule("name: volume", "metric: rowCount", "mustBeGreaterThan: 0", "- name: volume", "metric: rowCount", "mustBeLessThan: 10");

        // Act
        var diagnostic = Assert.Single(ContractLoader.Validate(path));

        // Assert
        Assert.Equal(("DM1119", 13), (diagnostic.Code, diagnostic.Line));
    }

    [Fact]
    public void Read_EmptySchemaWhenNotRequired_HasNoDiagnostics()
    {
        // Arrange
        var path = _temp.Write("team.odcs.yaml", "apiVersion: v3.0.2\nkind: DataContract\nid: x\nversion: 1.0.0\nstatus: active\nschema: []\n");

        // Act
        var result = ContractLoader.Read(path, requireSchema: false);

        // Assert
        Assert.Empty(result.Diagnostics);
        Assert.Empty(result.Contract!.Schema);
    }

    [Fact]
    public void Read_OdcsFieldsThePlatformIgnores_AreTolerated()
    {
        // Arrange
        var yaml = """
            apiVersion: v3.1.0
            kind: DataContract
            id: finance.ledger
            version: 1.0.0
            description: { purpose: Ledger views, usage: Reporting }
            servers: [{ server: local, type: duckdb }]
            team: { name: finance }
            customProperties: [{ property: x, value: y }]
            slaProperties: [{ property: latency, value: 4, unit: d }]
            schema:
              - name: ledger
                businessName: Ledger
                tags: [finance]
                properties:
                  - name: amount
                    businessName: Amount
                    criticalDataElement: true
                    examples: [1.5, 2]
                    quality:
                      - metric: nullValues
                        mustBe: 0
                        businessImpact: operational
                        schedule: 0 20 * * *
                        customProperties: [{ property: a, value: b }]

            """;
        var path = _temp.Write("contract.odcs.yaml", yaml);

        // Act
        var diagnostics = ContractLoader.Validate(path);

        // Assert
        Assert.Empty(diagnostics);
    }

    [Fact]
    public void Load_SeveralErrors_ThrowsWithEveryDiagnostic()
    {
        // Arrange
        var path = PropertyRule("metric: nullCount", "unit: lines", "- metric: nullValues");
        File.WriteAllText(path, File.ReadAllText(path).Replace("kind: DataContract", "kind: Contract", StringComparison.Ordinal));

        // Act
        var exception = Assert.Throws<SpecValidationException>(() => ContractLoader.Load(path));

        // Assert
        Assert.Equal(
            [("DM1107", 2), ("DM1110", 10), ("DM1109", 10), ("DM1112", 11), ("DM1110", 12)],
            exception.Diagnostics.Select(d => (d.Code, d.Line)).OrderBy(d => d.Line));
    }

    [Fact]
    public void Load_MissingFile_ReportsDM1100()
    {
        // Arrange
        var path = Path.Combine(_temp.Path, "absent.odcs.yaml");

        // Act
        var exception = Assert.Throws<SpecValidationException>(() => ContractLoader.Load(path));

        // Assert
        Assert.Equal("DM1100", Assert.Single(exception.Diagnostics).Code);
    }

    /// <summary>Writes <see cref="PropertyRuleHeader"/> plus one rule (first line on line 10); lines starting with '- ' begin another rule.</summary>
    private string PropertyRule(params string[] lines) => WriteRule(PropertyRuleHeader, "          ", lines);

    /// <summary>Writes <see cref="ObjectRuleHeader"/> plus one rule (first line on line 10); lines starting with '- ' begin another rule.</summary>
    private string ObjectRule(params string[] lines) => WriteRule(ObjectRuleHeader, "      ", lines);

    private string WriteRule(string header, string indent, string[] lines)
    {
        var body = lines.Select((l, i) => i == 0 ? $"{indent}- {l}" : l.StartsWith("- ", StringComparison.Ordinal) ? $"{indent}{l}" : $"{indent}  {l}");
        return _temp.Write("contract.odcs.yaml", header + string.Join('\n', body) + "\n");
    }
}
