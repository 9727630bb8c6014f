using DataMesh.Specs;

namespace DataMesh.Core.Tests.Specs;

/// <summary>
/// The bad-spec corpus of issue 8: one valid product (<see cref="ProductFixtures"/>) broken one way per case, in its
/// <c>product.yaml</c> or its contract, each reported with its own code at the exact file, line and column.
/// </summary>
[Trait("Category", "BadInput")]
public sealed class BrokenSpecCorpusTests : IDisposable
{
    private const string Spec = "product.yaml";
    private const string Contract = "contract.odcs.yaml";

    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    /// <summary>Kind, file broken, text replaced, replacement, then the diagnostic expected: code, line, column.</summary>
    public static TheoryData<string, string, string, string, string, int, int> BrokenSpecs() => new()
    {
        { "yaml-unclosed-flow-mapping", Spec, "format: csv }", "format: csv", "DM1001", 9, 1 },
        { "yaml-duplicate-key", Spec, "version: 1.2.0\n", "version: 1.2.0\nname: ledger-apac\n", "DM1001", 6, 1 },
        { "unknown-top-level-key", Spec, "output: { contract: contract.odcs.yaml }\n", "output: { contract: contract.odcs.yaml }\ncolour: blue\n", "DM1002", 11, 1 },
        { "unknown-landing-key", Spec, "format: csv }", "format: csv, compresion: gzip }", "DM1002", 8, 49 },
        { "missing-kind", Spec, "kind: DataProduct\n", "", "DM1003", 1, 1 },
        { "name-empty-string", Spec, "name: ledger-emea", "name: ''", "DM1008", 4, 7 },
        { "inputs-not-a-list", Spec, "inputs:\n  - name: gl_entries\n    landing: { path: ledger/emea/, format: csv }", "inputs: gl_entries", "DM1004", 6, 9 },
        { "version-not-semver", Spec, "version: 1.2.0", "version: 1.2", "DM1005", 5, 10 },
        { "unsupported-api-version", Spec, "apiVersion: datamesh/v1", "apiVersion: datamesh/v2", "DM1006", 1, 13 },
        { "wrong-kind", Spec, "kind: DataProduct", "kind: DataContract", "DM1007", 2, 7 },
        { "name-not-kebab-case", Spec, "name: ledger-emea", "name: Ledger_EMEA", "DM1008", 4, 7 },
        { "freshness-not-iso8601", Spec, "output: { contract: contract.odcs.yaml }\n", "output: { contract: contract.odcs.yaml }\nsla: { freshness: 24h }\n", "DM1010", 11, 19 },
        { "limit-not-iso8601", Spec, "output: { contract: contract.odcs.yaml }\n", "output: { contract: contract.odcs.yaml }\nlimits: { transform: 30m }\n", "DM1050", 11, 22 },
        { "limit-not-positive", Spec, "output: { contract: contract.odcs.yaml }\n", "output: { contract: contract.odcs.yaml }\nlimits: { quality: PT0S }\n", "DM1050", 11, 20 },
        { "limit-unknown-stage", Spec, "output: { contract: contract.odcs.yaml }\n", "output: { contract: contract.odcs.yaml }\nlimits: { transfrom: PT1H }\n", "DM1002", 11, 11 },
        { "input-name-not-identifier", Spec, "- name: gl_entries", "- name: gl-entries", "DM1011", 7, 11 },
        { "landing-and-product", Spec, "format: csv }\n", "format: csv }\n    product: treasury.fx-rates\n", "DM1013", 9, 5 },
        { "landing-format-unknown", Spec, "format: csv", "format: xlsx", "DM1014", 8, 44 },
        { "landing-path-traversal", Spec, "path: ledger/emea/", "path: ledger/../../secrets/", "DM1015", 8, 22 },
        { "product-reference-not-an-id", Spec, "landing: { path: ledger/emea/, format: csv }", "product: fx-rates", "DM1016", 8, 14 },
        { "version-range-invalid", Spec, "landing: { path: ledger/emea/, format: csv }", "product: treasury.fx-rates\n    versions: bogus", "DM1017", 9, 15 },
        { "visibility-unknown", Spec, "output: { contract: contract.odcs.yaml }\n", "output: { contract: contract.odcs.yaml }\naccess: { visibility: everyone }\n", "DM1018", 11, 23 },
        { "contract-file-missing", Spec, "contract: contract.odcs.yaml", "contract: missing.odcs.yaml", "DM1019", 10, 21 },
        { "landing-option-invalid", Spec, "format: csv }", "format: csv, delimiter: '' }", "DM1021", 8, 60 },
        { "output-format-unknown", Spec, "contract: contract.odcs.yaml }", "contract: contract.odcs.yaml, format: xlsx }", "DM1023", 10, 49 },
        { "partition-by-unknown-column", Spec, "contract: contract.odcs.yaml }", "contract: contract.odcs.yaml, partitionBy: [region] }", "DM1024", 10, 55 },
        { "product-and-contract-versions-differ", Spec, "version: 1.2.0", "version: 1.3.0", "DM1020", 5, 10 },
        { "contract-yaml-syntax", Contract, "name: Ledger EMEA", "name: [Ledger EMEA", "DM1101", 5, 1 },
        { "contract-wrong-kind", Contract, "kind: DataContract", "kind: DataProduct", "DM1107", 2, 7 },
        { "contract-api-version", Contract, "apiVersion: v3.1.0", "apiVersion: v2.2.0", "DM1106", 1, 13 },
        { "contract-unknown-metric", Contract, "metric: nullValues", "metric: nullCount", "DM1109", 24, 21 },
        { "contract-threshold-not-a-number", Contract, "mustBe: 0", "mustBe: lots", "DM1111", 25, 21 },
        { "contract-duplicate-property", Contract, "- name: amount", "- name: entry_id", "DM1120", 20, 15 },
        { "contract-logical-type-unknown", Contract, "logicalType: string\n        physicalType: varchar", "logicalType: text\n        physicalType: varchar", "DM1121", 13, 22 },
    };

    [Theory]
    [MemberData(nameof(BrokenSpecs))]
    public void Validate_BrokenSpec_ReportsItsCodeAtFileLineColumn(string kind, string file, string from, string to, string code, int line, int column)
    {
        // Arrange
        var spec = file == Spec ? Break(ProductFixtures.MinimalSpec, from, to, kind) : ProductFixtures.MinimalSpec;
        var contract = file == Contract ? Break(ProductFixtures.Contract, from, to, kind) : ProductFixtures.Contract;
        var folder = ProductFixtures.WriteProduct(_temp, spec, relativeFolder: kind, contract: contract);

        // Act
        var diagnostics = ProductSpecLoader.Validate(folder).Where(d => d.Severity == DiagnosticSeverity.Error).ToList();

        // Assert
        var diagnostic = Assert.Single(diagnostics);
        var path = Path.Combine(folder, file);
        Assert.Equal((code, path, line, column), (diagnostic.Code, diagnostic.File, diagnostic.Line, diagnostic.Column));
        Assert.StartsWith($"{path}:{line}:{column}: error {code}: ", diagnostic.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void BrokenSpecs_Corpus_HoldsAtLeastTwentyDistinctKindsAndCodes()
    {
        // Act
        var cases = BrokenSpecs().Select(row => (Kind: (string)row[0], Code: (string)row[4])).ToList();

        // Assert
        Assert.True(cases.Select(c => c.Kind).Distinct().Count() == cases.Count && cases.Count >= 20, $"{cases.Count} cases");
        Assert.True(cases.Select(c => c.Code).Distinct().Count() >= 20, "fewer than 20 distinct diagnostic codes");
    }

    /// <summary>Replaces <paramref name="from"/>, which must occur exactly once, so a fixture change cannot silently void a case.</summary>
    private static string Break(string text, string from, string to, string kind)
    {
        var at = text.IndexOf(from, StringComparison.Ordinal);
        Assert.True(at >= 0 && text.IndexOf(from, at + 1, StringComparison.Ordinal) < 0, $"{kind}: '{from}' must occur once in the fixture");
        return text[..at] + to + text[(at + from.Length)..];
    }
}
