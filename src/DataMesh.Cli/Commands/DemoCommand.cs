using System.CommandLine;
using DataMesh.Local;
using DataMesh.Pipeline;
using DataMesh.Specs;
using Spectre.Console;

namespace DataMesh.Cli.Commands;

/// <summary>
/// <c>datamesh demo</c>: runs the sample mesh under <c>pipelines/</c> once: every product's <c>samples/</c> files must
/// publish, every <c>samples/rejected/</c> file must be stopped by the quality gate and quarantined.
/// </summary>
internal static class DemoCommand
{
    public static Command Create()
    {
        var json = CommonOptions.Json();
        var verbose = CommonOptions.Verbose();
        var keep = new Option<bool>("--keep") { Description = "Leave the mesh running afterwards (as `datamesh up`) to browse the web catalog; Ctrl+C stops it." };
        var port = new Option<int>("--port") { Description = "With --keep: loopback port of the catalog API and web catalog.", DefaultValueFactory = _ => 7071 };
        var command = new Command("demo", "Run the sample mesh end to end once and print what was published and what was quarantined.") { json, verbose, keep, port };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var asJson = parse.GetValue(json);
            using var loggerFactory = CliLogging.Create(parse.GetValue(verbose));
            if (await CliMesh.StartAsync(loggerFactory, "Ctrl+C in datamesh demo", cancellationToken).ConfigureAwait(false) is not { } mesh)
            {
                return ExitCodes.CheckFailed;
            }

            await using (mesh)
            {
                if (mesh.Products.All.Count == 0)
                {
                    await Console.Error.WriteLineAsync($"error: no products under {Path.Combine(Environment.CurrentDirectory, "pipelines")}; run the demo from a clone's root.").ConfigureAwait(false);
                    return ExitCodes.UsageOrEnvironment;
                }

                var outcomes = new List<DemoOutcome>();
                // Upstream products first: a consumer's own landing files wait for its upstream's first release.
                foreach (var spec in mesh.Products.All.OrderBy(p => Depth(mesh.Products, p.Id, 0)).ThenBy(p => p.Id, StringComparer.Ordinal))
                {
                    var (publish, rejected) = LocalMesh.SampleFiles(spec);
                    foreach (var file in publish)
                    {
                        outcomes.Add(await RunOneAsync(mesh, spec, file, PipelineStatus.Published, asJson, cancellationToken).ConfigureAwait(false));
                    }

                    foreach (var file in rejected)
                    {
                        outcomes.Add(await RunOneAsync(mesh, spec, file, PipelineStatus.QualityFailed, asJson, cancellationToken).ConfigureAwait(false));
                    }
                }

                // Releases announce themselves: consumers of the products just published rebuild (a roll-up runs
                // once every region it reads has a release). Wait for all of them, however deep the chain.
                if (!asJson)
                {
                    AnsiConsole.MarkupLine("[grey]→ waiting for the runs that upstream releases triggered[/]");
                }

                foreach (var result in await mesh.SettleAsync(cancellationToken: cancellationToken).ConfigureAwait(false))
                {
                    outcomes.Add(new DemoOutcome("(upstream release)", PipelineStatus.Published, result.Status == PipelineStatus.Published, result));
                }

                // Day 2: the next files of the products that have some. Each release builds on the one before it (its
                // output mode: a new period, a day's partition, changed employees merged) and their consumers rebuild.
                var firstDay = outcomes.Count;
                foreach (var spec in mesh.Products.All.OrderBy(p => Depth(mesh.Products, p.Id, 0)).ThenBy(p => p.Id, StringComparer.Ordinal))
                {
                    foreach (var file in LocalMesh.NextDaySampleFiles(spec))
                    {
                        outcomes.Add(await RunOneAsync(mesh, spec, file, PipelineStatus.Published, asJson, cancellationToken, "day 2").ConfigureAwait(false));
                    }
                }

                if (outcomes.Count > firstDay)
                {
                    if (!asJson)
                    {
                        AnsiConsole.MarkupLine("[grey]→ waiting for the consumers of day 2's releases[/]");
                    }

                    foreach (var result in await mesh.SettleAsync(cancellationToken: cancellationToken).ConfigureAwait(false))
                    {
                        outcomes.Add(new DemoOutcome("(upstream release, day 2)", PipelineStatus.Published, result.Status == PipelineStatus.Published, result));
                    }
                }

                var consumers = mesh.Products.All.Where(p => p.Inputs.Any(i => !i.IsLanding)).Select(p => p.Id).ToList();
                var neverBuilt = consumers.Where(id => outcomes.All(o => o.Result.Product != id || o.Result.Status != PipelineStatus.Published)).ToList();
                foreach (var id in neverBuilt)
                {
                    await Console.Error.WriteLineAsync($"error: {id} reads other products but was never rebuilt from their releases.").ConfigureAwait(false);
                }

                var ok = outcomes.All(o => o.AsExpected) && neverBuilt.Count == 0;
                if (asJson)
                {
                    CliJson.Write(new { passed = ok, runs = outcomes });
                }
                else
                {
                    PrintSummary(outcomes);
                    AnsiConsole.MarkupLine(ok
                        ? "[green]Demo passed:[/] every sample published, every rejected sample was quarantined, every consumer rebuilt from its upstream releases."
                        : "[red]Demo failed:[/] some runs did not end as expected (see above).");
                    if (!parse.GetValue(keep))
                    {
                        AnsiConsole.MarkupLine($"Browse it: [grey]datamesh up[/] (or [grey]datamesh demo --keep[/]), then open [link]http://127.0.0.1:{parse.GetValue(port)}/[/]; or [grey]datamesh catalog list[/].");
                    }
                }

                if (parse.GetValue(keep))
                {
                    await UpCommand.ServeUntilStoppedAsync(mesh, parse.GetValue(port), cancellationToken).ConfigureAwait(false);
                }

                return ok ? ExitCodes.Success : ExitCodes.CheckFailed;
            }
        });
        return command;
    }

    /// <summary>How many product hops lie under a product (0 for one that reads landing files only); specs are validated acyclic.</summary>
    private static int Depth(IProductRegistry products, string productId, int guard) =>
        guard > products.All.Count || products.All.FirstOrDefault(p => p.Id == productId) is not { } spec ? 0
        : spec.Inputs.Where(i => i.Product is not null).Select(i => 1 + Depth(products, i.Product!, guard + 1)).DefaultIfEmpty(0).Max();

    private static async Task<DemoOutcome> RunOneAsync(LocalMesh mesh, ProductSpec spec, string file, PipelineStatus expected, bool quiet, CancellationToken cancellationToken, string? day = null)
    {
        if (!quiet)
        {
            AnsiConsole.MarkupLine($"[grey]→ {(day is null ? "" : day + ": ")}dropping {Markup.Escape(Path.GetFileName(file))} into {Markup.Escape(spec.Id)} (expect {expected})[/]");
        }

        var result = await CliProgress.RunAsync(quiet, $"{spec.Id} ← {Path.GetFileName(file)}", progress =>
            mesh.RunAsync(spec.Id, [file], cancellationToken: cancellationToken, progress: progress)).ConfigureAwait(false);
        var sample = day is null ? Path.GetFileName(file) : $"{Path.GetFileName(file)} ({day})";
        return new DemoOutcome(sample, expected, result.Status == expected && (expected != PipelineStatus.QualityFailed || result.Quarantined.Count > 0), result);
    }

    private static void PrintSummary(IReadOnlyList<DemoOutcome> outcomes)
    {
        var table = new Table().Border(TableBorder.Rounded).AddColumns("product", "version", "release", "rows", "sample", "upstream releases", "outcome");
        foreach (var o in outcomes)
        {
            var r = o.Result;
            var failed = r.Quality.Where(q => !q.Passed).ToList();
            var outcome = r.Status switch
            {
                PipelineStatus.Published => $"[green]published[/], {r.Quality.Count - failed.Count}/{r.Quality.Count} rules passed",
                PipelineStatus.QualityFailed => "[yellow]quality gate failed, input quarantined[/]",
                _ => $"[red]failed[/] at {Markup.Escape(r.Stage ?? "?")}: {Markup.Escape(r.Error ?? "")}",
            };
            foreach (var q in failed)
            {
                var measured = q.Metric is "sql" or "rowCount" || q.Unit == "percent" ? $"measured {q.DescribeMeasured()}" : $"{q.FailedRows} row(s)";
                outcome += $"\n  {(q.Severity == "error" ? "[red]✗[/]" : "[yellow]![/]")} {Markup.Escape(q.Name)}: {measured}, expected {Markup.Escape(q.Expectation)}";
            }

            foreach (var line in RunReport.DriftLines(r.Inputs))
            {
                outcome += $"\n  [yellow]drift[/] {Markup.Escape(line)}";
            }

            table.AddRow(
                Markup.Escape(r.Product),
                Markup.Escape(r.Version),
                r.Release?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-",
                r.Rows?.ToString("N0", System.Globalization.CultureInfo.InvariantCulture) ?? "-",
                Markup.Escape(o.Sample),
                r.Upstream.Count == 0 ? "-" : Markup.Escape(string.Join("\n", r.Upstream.Select(u => $"{u.ProductId} {u.Version}#{u.Release}"))),
                outcome + (o.AsExpected ? "" : "\n[red](not what this sample expects)[/]"));
        }

        AnsiConsole.Write(table);
    }

    private sealed record DemoOutcome(string Sample, PipelineStatus Expected, bool AsExpected, PipelineResult Result);
}
