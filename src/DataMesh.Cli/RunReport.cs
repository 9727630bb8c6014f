using DataMesh.Pipeline;
using Spectre.Console;

namespace DataMesh.Cli;

/// <summary>Human-readable account of a run.</summary>
internal static class RunReport
{
    public static void Print(PipelineResult result)
    {
        var colour = result.Status switch
        {
            PipelineStatus.Published => "green",
            PipelineStatus.QualityFailed => "yellow",
            _ => "red",
        };
        AnsiConsole.MarkupLine($"[bold]{Markup.Escape(result.Product)}[/] {Markup.Escape(result.Version)}: [{colour}]{result.Status}[/]  (run {Markup.Escape(result.RunId)})");
        if (result.Status == PipelineStatus.Published)
        {
            AnsiConsole.MarkupLine($"  release [bold]{result.Release}[/], {result.Rows:N0} rows at {Markup.Escape(result.Location ?? "")}");
        }
        else
        {
            AnsiConsole.MarkupLine($"  stopped at [bold]{Markup.Escape(result.Stage ?? "?")}[/]: {Markup.Escape(result.Error ?? "")}");
            foreach (var blob in result.Quarantined)
            {
                AnsiConsole.MarkupLine($"  quarantined [bold]{Markup.Escape(blob)}[/] (reason in {Markup.Escape(blob)}.error.json)");
            }
        }

        if (result.Quality.Count > 0)
        {
            var table = new Table().Border(TableBorder.Rounded).AddColumns("rule", "severity", "measured", "expected", "result");
            foreach (var rule in result.Quality)
            {
                table.AddRow(
                    Markup.Escape(rule.Name),
                    rule.Severity,
                    rule.DescribeMeasured(),
                    Markup.Escape(rule.Expectation),
                    rule.Passed ? "[green]pass[/]" : rule.Severity == "error" ? "[red]FAIL[/]" : "[yellow]warn[/]");
            }

            AnsiConsole.Write(table);
        }
    }
}
