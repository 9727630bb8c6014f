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
                AnsiConsole.MarkupLine(QuarantinedLine(blob));
            }
        }

        foreach (var line in DriftLines(result.Inputs))
        {
            AnsiConsole.MarkupLine($"  [yellow]drift[/] {Markup.Escape(line)}");
        }

        var warnings = result.Quality.Count(r => !r.Passed && r.Severity != "error");
        if (warnings > 0)
        {
            AnsiConsole.MarkupLine($"  [yellow]{warnings} warning rule(s) failed[/] (they do not block a release; see the table below)");
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

    /// <summary>
    /// The line that names a quarantined landing blob and its record: the name as messages show a refused one
    /// (<see cref="LandingBlobNames.Printable"/>: a control character as '?', never raw on a terminal), the record under
    /// the name the quarantine holds it by (<see cref="LandingBlobNames.QuarantineName"/>).
    /// </summary>
    public static string QuarantinedLine(string blob) =>
        $"  quarantined [bold]{Markup.Escape(LandingBlobNames.Printable(blob))}[/] (reason in {Markup.Escape(LandingBlobNames.QuarantineName(blob))}.error.json)";

    /// <summary>
    /// One line per drift finding and per input whose schema was auto-detected, by input and column name (never a
    /// value): what <c>run</c>, <c>drop</c>, <c>demo</c> and <c>runs show</c> print.
    /// </summary>
    public static IEnumerable<string> DriftLines(IReadOnlyList<InputReport> inputs)
    {
        foreach (var input in inputs)
        {
            if (input.AutoDetected)
            {
                yield return $"input {input.Name}: schema auto-detected (no declared columns)";
            }

            foreach (var drift in input.Drift)
            {
                yield return drift.Kind switch
                {
                    "missing-column" => $"input {input.Name}: column '{drift.Column}' missing, read as NULL ({drift.Detail})",
                    "unexpected-column" => $"input {input.Name}: column '{drift.Column}' not declared, read with an auto-detected type{(drift.DetectedType is { } type ? $" ({type})" : "")}",
                    _ => $"input {input.Name}: {drift.Kind} in '{drift.Column}' ({drift.Count} row(s))",
                };
            }
        }
    }
}
