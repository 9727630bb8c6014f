namespace DataMesh.EndToEnd.Tests;

/// <summary>Every command's <c>--help</c> shows examples; the root's shows the exit codes.</summary>
public sealed class CliHelpTests
{
    public static TheoryData<string> Commands => new()
    {
        "init", "validate", "new", "diff", "impact", "run", "drop", "backfill", "quarantine", "quarantine list", "quarantine show", "quarantine replay", "demo", "up", "catalog", "catalog list", "catalog show", "query", "infra", "infra app-roles",
        "infra hook", "infra hook ensure-app", "infra hook grant-domain",
        "bench", "bench latency", "bench catalog", "bench concurrency", "bench coldstart", "runs", "runs list", "runs show", "runs cancel",
    };

    [Theory]
    [MemberData(nameof(Commands))]
    public async Task Help_EveryCommand_ShowsExamplesOfItself(string command)
    {
        // Act
        var result = await CliRunner.RunAsync(Path.GetTempPath(), new Dictionary<string, string>(), [.. command.Split(' '), "--help"]);

        // Assert
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("Examples:", result.StdOut, StringComparison.Ordinal);
        Assert.Contains($"datamesh {command}", result.StdOut[result.StdOut.IndexOf("Examples:", StringComparison.Ordinal)..], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_Root_DocumentsTheExitCodes()
    {
        // Act
        var result = await CliRunner.RunAsync(Path.GetTempPath(), new Dictionary<string, string>(), "--help");

        // Assert
        Assert.Contains("Exit codes: 0 success; 1", result.StdOut, StringComparison.Ordinal);
    }
}
