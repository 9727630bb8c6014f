namespace DataMesh.EndToEnd.Tests;

/// <summary>
/// The corpus of broken transforms, rules, contracts and input declarations (issue 17): each case under
/// <c>Corpus/&lt;case&gt;/</c> is a tiny mesh with an <c>expected.txt</c> of <c>file:line:col code message-fragment</c>
/// lines, and <c>datamesh validate</c> must report exactly those errors — no fewer, and no echo of the same mistake —
/// whether or not the official ODCS schemas are at hand.
/// </summary>
public sealed class ValidateCorpusTests(ValidateCorpusFixture corpus) : IClassFixture<ValidateCorpusFixture>
{
    public static TheoryData<string> Cases() => new(ValidateCorpusFixture.Cases());

    [Theory]
    [MemberData(nameof(Cases))]
    public void Validate_CorpusCase_ReportsExactlyTheExpectedErrors(string name)
    {
        // Arrange
        var expected = Expected(name);

        // Act: one validate run over the whole corpus without the ODCS schemas, one with them where they are at hand.
        var without = ErrorsOf(corpus.WithoutSchemas, name);
        var with = corpus.WithSchemas is { } checkedAgainstSchemas ? ErrorsOf(checkedAgainstSchemas, name) : null;

        // Assert: the same errors either way (the schema check adds no echo of a mistake already reported).
        Matches(expected, without);
        if (with is not null)
        {
            Matches(expected, with);
        }
    }

    [Fact]
    public void Corpus_HasAtLeastThirtyCases()
    {
        Assert.True(ValidateCorpusFixture.Cases().Count() >= 30, "the corpus must hold at least 30 broken meshes");
    }

    [Fact]
    public async Task Validate_SampleProducts_ZeroErrors()
    {
        // Act: the repository's own pipelines, as CI validates them.
        var environment = new Dictionary<string, string> { ["DATAMESH_HOME"] = Path.Combine(Path.GetTempPath(), "dm-samples-" + Guid.NewGuid().ToString("N")) };
        if (ValidateCorpusFixture.OdcsSchemas is { } schemas)
        {
            environment["DATAMESH_ODCS_SCHEMAS"] = schemas;
        }

        var result = await CliRunner.RunAsync(ValidateCorpusFixture.Repository, environment, "validate", "pipelines");

        // Assert
        Assert.True(result.ExitCode == 0, result.StdOut + result.StdErr);
        Assert.Contains(" 0 error(s)", result.StdErr, StringComparison.Ordinal);
    }

    private static List<(string File, int Line, int Column, string Code, string Fragment)> Expected(string name)
    {
        var lines = File.ReadAllLines(Path.Combine(ValidateCorpusFixture.Corpus, name, "expected.txt"))
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .ToList();
        Assert.NotEmpty(lines);
        return lines.Select(line =>
        {
            var space = line.IndexOf(' ', StringComparison.Ordinal);
            var location = line[..space].Split(':');
            var rest = line[(space + 1)..];
            var codeEnd = rest.IndexOf(' ', StringComparison.Ordinal);
            return (name + "/" + location[0], int.Parse(location[1], System.Globalization.CultureInfo.InvariantCulture),
                int.Parse(location[2], System.Globalization.CultureInfo.InvariantCulture), rest[..codeEnd], rest[(codeEnd + 1)..]);
        }).ToList();
    }

    private static List<CorpusDiagnostic> ErrorsOf(IReadOnlyList<CorpusDiagnostic> all, string name) =>
        all.Where(d => d.Severity == "error" && d.File.StartsWith(name + "/", StringComparison.Ordinal)).ToList();

    private static void Matches(List<(string File, int Line, int Column, string Code, string Fragment)> expected, List<CorpusDiagnostic> errors)
    {
        var shown = string.Join("\n", errors);
        Assert.True(expected.Count == errors.Count, $"expected {expected.Count} error(s), validate reported {errors.Count}:\n{shown}");
        foreach (var e in expected)
        {
            Assert.True(
                errors.Exists(d => d.File == e.File && d.Line == e.Line && d.Column == e.Column && d.Code == e.Code && d.Message.Contains(e.Fragment, StringComparison.Ordinal)),
                $"expected {e.File}:{e.Line}:{e.Column} {e.Code} '{e.Fragment}'; validate reported:\n{shown}");
        }
    }
}
