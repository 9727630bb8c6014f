using System.Text.Json;
using DataMesh.Pipeline;
using DataMesh.Testing;

namespace DataMesh.EndToEnd.Tests;

/// <summary>Drift in the human output of <c>run</c>, and the run history: <c>runs list</c> a page at a time, <c>runs show</c>.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class RunsCliTests(AzuriteFixture azurite) : IDisposable
{
    private readonly TestProduct _product = new("runs" + Guid.NewGuid().ToString("N")[..6]);

    public void Dispose() => _product.Dispose();

    [Fact]
    public async Task Run_FileWithDrift_HumanOutputNamesTheDriftedColumnsAndRunsShowRepeatsIt()
    {
        var file = Path.Combine(_product.Root, "orders-drift.csv");
        File.WriteAllText(file, "order_id,customer,status,channel\n1,a,open,web\n2,b,shipped,shop\n");

        var run = await CliAsync("run", _product.Directory, "--input", file);

        Assert.True(run.ExitCode == 0, run.StdOut + run.StdErr);
        Assert.Contains("drift", run.StdOut, StringComparison.Ordinal);
        Assert.Contains("column 'channel' not declared, read with an auto-detected type (VARCHAR)", run.StdOut, StringComparison.Ordinal);
        Assert.Contains("column 'amount' missing, read as NULL", run.StdOut, StringComparison.Ordinal);
        var runId = System.Text.RegularExpressions.Regex.Match(run.StdOut, @"\(run (?<id>[^)]+)\)").Groups["id"].Value;
        Assert.NotEmpty(runId);

        var show = await CliAsync("runs", "show", runId);

        Assert.True(show.ExitCode == 0, show.StdOut + show.StdErr);
        Assert.Contains("column 'channel' not declared, read with an auto-detected type (VARCHAR)", show.StdOut, StringComparison.Ordinal);
        Assert.Contains("transform", show.StdOut, StringComparison.Ordinal);
        Assert.Contains("Published", show.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunsList_ThreeRunsTwoPerPage_PagesNewestFirstWithoutRepeatAndShowReturnsTheTimeline()
    {
        var ids = new List<string>();
        for (var i = 1; i <= 3; i++)
        {
            var run = await CliAsync("run", _product.Directory, "--input", _product.WriteOrders($"orders-{i}.csv", rows: 5 + i), "--json");
            Assert.True(run.ExitCode == 0, run.StdErr);
            using var json = JsonDocument.Parse(run.StdOut);
            ids.Add(json.RootElement.GetProperty("runId").GetString()!);
        }

        var first = await CliAsync("runs", "list", _product.Id, "--limit", "2", "--json");
        Assert.True(first.ExitCode == 0, first.StdErr);
        using var one = JsonDocument.Parse(first.StdOut);
        var next = one.RootElement.GetProperty("next").GetString();
        Assert.NotNull(next);
        var second = await CliAsync("runs", "list", _product.Id, "--limit", "2", "--after", next, "--json");
        var human = await CliAsync("runs", "list", _product.Id, "--limit", "2");
        var show = await CliAsync("runs", "show", ids[0], "--json");

        Assert.True(second.ExitCode == 0, second.StdErr);
        using var two = JsonDocument.Parse(second.StdOut);
        var listed = one.RootElement.GetProperty("items").EnumerateArray().Concat(two.RootElement.GetProperty("items").EnumerateArray())
            .Select(r => r.GetProperty("runId").GetString()).ToList();
        Assert.Equal([ids[2], ids[1], ids[0]], listed);
        Assert.Equal(JsonValueKind.Null, two.RootElement.GetProperty("next").ValueKind);
        Assert.Contains($"--after {next}", human.StdOut, StringComparison.Ordinal);
        Assert.True(show.ExitCode == 0, show.StdErr);
        using var shown = JsonDocument.Parse(show.StdOut);
        var stages = shown.RootElement.GetProperty("run").GetProperty("stages").EnumerateArray().Select(s => s.GetProperty("stage").GetString()).ToList();
        Assert.Contains("transform", stages);
        Assert.Contains("publish", stages);
        Assert.True(shown.RootElement.GetProperty("durationSeconds").GetDouble() > 0);
        Assert.Equal("declared", shown.RootElement.GetProperty("run").GetProperty("inputs")[0].GetProperty("autoDetected").GetBoolean() ? "auto" : "declared");
    }

    [Fact]
    public async Task RunAndRunsShow_FileNamedWithAnEscapeAndALineBreak_QuarantinedLineShowsThemAsQuestionMarksNeverRaw()
    {
        // Arrange: a file whose name holds an ESC (a terminal would act on it) and a line break; its landing name is refused.
        var file = _product.WriteOrders("evil\u001b[2J\nname.csv", rows: 5);
        var blob = "orders/evil\u001b[2J\nname.csv";

        // Act
        var run = await CliAsync("run", _product.Directory, "--input", file);
        var runId = System.Text.RegularExpressions.Regex.Match(run.StdOut, @"\(run (?<id>[^)]+)\)").Groups["id"].Value;
        var show = await CliAsync("runs", "show", runId);

        // Assert: the run's own report names the file as messages show refused names, and its record by the safe name it
        // is kept under; the run as the catalog holds it names the file by that safe name. Neither prints the raw name.
        Assert.True(run.ExitCode != 0, run.StdOut + run.StdErr);
        var expected = $"quarantined {LandingBlobNames.Printable(blob)} (reason in {LandingBlobNames.QuarantineName(blob)}.error.json)";
        Assert.True(run.StdOut.Contains(expected, StringComparison.Ordinal), run.StdOut);
        Assert.True(show.ExitCode == 0, show.StdOut + show.StdErr);
        Assert.True(show.StdOut.Contains($"quarantined {LandingBlobNames.QuarantineName(blob)} (reason in", StringComparison.Ordinal), show.StdOut);
        foreach (var output in new[] { run.StdOut + run.StdErr, show.StdOut + show.StdErr })
        {
            Assert.DoesNotContain('\u001b', output);
            Assert.DoesNotContain("evil\u001b", output, StringComparison.Ordinal);
            Assert.DoesNotContain("[2J\n", output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task RunsShow_UnknownRun_ExitsOneSayingWhereToLook()
    {
        var result = await CliAsync("runs", "show", "no-such-run");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("datamesh runs list", result.StdErr, StringComparison.Ordinal);
    }

    private Task<CliRunner.CliResult> CliAsync(params string[] args) =>
        CliRunner.RunAsync(_product.Root, azurite.CliEnvironment(Path.Combine(_product.Root, ".datamesh")), args);
}
