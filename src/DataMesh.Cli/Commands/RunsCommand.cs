using System.CommandLine;
using System.Globalization;
using DataMesh.Catalog;
using DataMesh.Local;
using Spectre.Console;

namespace DataMesh.Cli.Commands;

/// <summary>
/// <c>datamesh runs list [PRODUCT_ID]</c> / <c>datamesh runs show RUN_ID</c>: the run history the catalog records
/// (outcome, stage timeline, inputs and their drift, duration), newest first, a page at a time.
/// </summary>
internal static class RunsCommand
{
    private const int DefaultLimit = 20;

    public static Command Create()
    {
        var command = new Command("runs", "Run history of the local mesh (each run's outcome, inputs and drift, duration and stage timeline), and cancelling a run.");
        command.Subcommands.Add(List());
        command.Subcommands.Add(Show());
        command.Subcommands.Add(RunsCancelCommand.Create());
        return command;
    }

    private static Command List()
    {
        var product = new Argument<string?>("PRODUCT_ID") { Description = "Product id, <domain>.<name>; every product's runs when left out.", Arity = ArgumentArity.ZeroOrOne };
        var limit = new Option<int>("--limit") { Description = $"Runs per page, 1 to {CatalogHttpApi.MaxRuns}.", DefaultValueFactory = _ => DefaultLimit };
        var after = new Option<string?>("--after") { Description = "The cursor the previous page printed: list the runs after it." };
        var json = CommonOptions.Json();
        var command = new Command("list", "List runs, newest first, a page at a time.") { product, limit, after, json };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var productId = parse.GetValue(product);
            var pageSize = parse.GetValue(limit);
            if (pageSize < 1 || pageSize > CatalogHttpApi.MaxRuns)
            {
                await Console.Error.WriteLineAsync($"error: --limit {pageSize} is out of range; give 1 to {CatalogHttpApi.MaxRuns}.").ConfigureAwait(false);
                return ExitCodes.UsageOrEnvironment;
            }

            await using var storage = await LocalStorage.OpenAsync(new LocalMeshOptions(), cancellationToken).ConfigureAwait(false);
            var reader = new CatalogReader(storage.Storage);
            CatalogPage<CatalogRun> page;
            try
            {
                page = productId is null
                    ? await AllProductsPageAsync(reader, pageSize, parse.GetValue(after), cancellationToken).ConfigureAwait(false)
                    : await ProductPageAsync(reader, productId, pageSize, parse.GetValue(after), cancellationToken).ConfigureAwait(false);
            }
            catch (CatalogContinuationException)
            {
                await Console.Error.WriteLineAsync($"error: --after '{parse.GetValue(after)}' is not a cursor `datamesh runs list{(productId is null ? "" : " " + productId)}` printed; start again without --after.").ConfigureAwait(false);
                return ExitCodes.UsageOrEnvironment;
            }
            catch (ArgumentException ex)
            {
                await Console.Error.WriteLineAsync($"error: {ex.Message}").ConfigureAwait(false);
                return ExitCodes.UsageOrEnvironment;
            }

            if (parse.GetValue(json))
            {
                CliJson.Write(new { items = page.Items, next = page.ContinuationToken });
                return ExitCodes.Success;
            }

            if (page.Items.Count == 0)
            {
                AnsiConsole.MarkupLine(productId is null ? "No runs recorded yet." : $"No runs of {Markup.Escape(productId)} recorded (see `datamesh catalog list`).");
                return ExitCodes.Success;
            }

            var table = new Table().Border(TableBorder.Rounded).AddColumns("ended", "product", "run", "outcome", "stage", "release", "duration", "drift");
            foreach (var run in page.Items)
            {
                var drift = run.Inputs.Sum(i => i.Drift.Count);
                table.AddRow(
                    run.At.ToString("u", CultureInfo.InvariantCulture),
                    Markup.Escape(run.ProductId),
                    Markup.Escape(run.RunId),
                    Status(run.Status),
                    Markup.Escape(run.Stage ?? ""),
                    run.Release is { } release ? $"{Markup.Escape(run.Version)} #{release}" : "-",
                    Duration(run) is { } duration ? Seconds(duration) : "-",
                    drift == 0 ? "-" : $"[yellow]{drift}[/]");
            }

            AnsiConsole.Write(table);
            if (page.ContinuationToken is { } next)
            {
                // Plain text: a console width must not wrap the cursor a user copies.
                await Console.Out.WriteLineAsync($"More runs: datamesh runs list{(productId is null ? "" : " " + productId)} --limit {pageSize} --after {next}").ConfigureAwait(false);
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Show()
    {
        var id = new Argument<string>("RUN_ID") { Description = "A run id, as `datamesh runs list` or `run --json` print it." };
        var json = CommonOptions.Json();
        var command = new Command("show", "Show one run: outcome, duration, stage timeline, inputs and drift, quality warnings.") { id, json };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var runId = parse.GetValue(id)!;
            await using var storage = await LocalStorage.OpenAsync(new LocalMeshOptions(), cancellationToken).ConfigureAwait(false);
            var run = await new CatalogReader(storage.Storage).FindRunAsync(runId, cancellationToken).ConfigureAwait(false);
            if (run is null)
            {
                await Console.Error.WriteLineAsync($"error: run '{runId}' is not in the catalog (see `datamesh runs list`).").ConfigureAwait(false);
                return ExitCodes.CheckFailed;
            }

            var duration = Duration(run);
            if (parse.GetValue(json))
            {
                CliJson.Write(new { run, durationSeconds = duration?.TotalSeconds });
                return ExitCodes.Success;
            }

            AnsiConsole.MarkupLine($"[bold]{Markup.Escape(run.ProductId)}[/] {Markup.Escape(run.Version)}: {Status(run.Status)}  (run {Markup.Escape(run.RunId)})");
            AnsiConsole.MarkupLine($"  ended {run.At.ToString("u", CultureInfo.InvariantCulture)}, took {(duration is { } d ? Seconds(d) : "an unrecorded time")}"
                + (run.Release is { } release ? $", release [bold]{release}[/]" : ""));
            if (run.Status != CatalogRunStatus.Published)
            {
                AnsiConsole.MarkupLine($"  stopped at [bold]{Markup.Escape(run.Stage ?? "?")}[/]: {Markup.Escape(run.Error ?? "")}");
            }
            else if (run.Error is { } note)
            {
                // Said with the release: its inputs not archived, or a cancellation that came too late.
                AnsiConsole.MarkupLine($"  [yellow]note[/]: {Markup.Escape(note)}");
            }

            foreach (var blob in run.Quarantined)
            {
                AnsiConsole.MarkupLine(RunReport.QuarantinedLine(blob));
            }

            foreach (var input in run.Inputs)
            {
                AnsiConsole.MarkupLine($"  input [bold]{Markup.Escape(input.Name)}[/]: {(input.Read is { } read ? Markup.Escape(read) : $"{input.Files} file(s), {(input.AutoDetected ? "schema auto-detected" : "declared columns")}")}");
            }

            foreach (var line in RunReport.DriftLines(run.Inputs))
            {
                AnsiConsole.MarkupLine($"  [yellow]drift[/] {Markup.Escape(line)}");
            }

            foreach (var rule in (run.Quality?.Rules ?? []).Where(r => !r.Passed))
            {
                AnsiConsole.MarkupLine($"  {(rule.Severity == "error" ? "[red]failed[/]" : "[yellow]warning[/]")} {Markup.Escape(rule.Name)}: measured {rule.Measured} {Markup.Escape(rule.Unit)}, expected {Markup.Escape(rule.Expectation)}");
            }

            if (run.Stages.Count > 0)
            {
                var begin = run.Stages.Min(s => s.StartedAt);
                var table = new Table().Border(TableBorder.Rounded).AddColumns("stage", "attempt", "start", "duration", "outcome");
                foreach (var stage in run.Stages)
                {
                    table.AddRow(
                        Markup.Escape(stage.Stage),
                        stage.Attempt.ToString(CultureInfo.InvariantCulture),
                        "+" + Seconds(stage.StartedAt - begin),
                        Seconds(stage.EndedAt - stage.StartedAt),
                        stage.Outcome == "succeeded" ? "[green]succeeded[/]" : $"[red]{Markup.Escape(stage.Outcome)}[/]" + (stage.Error is { } error ? $": {Markup.Escape(InputBinderShorten(error))}" : ""));
                }

                AnsiConsole.Write(table);
                if (run.StagesOmitted > 0)
                {
                    AnsiConsole.MarkupLine($"  [grey]{run.StagesOmitted} later stage attempt(s) not kept by the catalog[/]");
                }
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static Task<CatalogPage<CatalogRun>> ProductPageAsync(CatalogReader reader, string productId, int pageSize, string? after, CancellationToken cancellationToken) =>
        reader.GetRunsPageAsync(productId, pageSize, after, cancellationToken);

    /// <summary>
    /// A page of every product's runs, newest first, from the catalog's mesh-wide runs-by-time partition: one table
    /// request a page, whatever the history's length, with the table's continuation as the cursor.
    /// </summary>
    private static Task<CatalogPage<CatalogRun>> AllProductsPageAsync(CatalogReader reader, int pageSize, string? after, CancellationToken cancellationToken) =>
        reader.GetMeshRunsPageAsync(pageSize, after, cancellationToken);

    /// <summary>From the first stage's start to the last stage's end, as the run's timeline records them.</summary>
    private static TimeSpan? Duration(CatalogRun run) =>
        run.Stages.Count == 0 ? null : run.Stages.Max(s => s.EndedAt) - run.Stages.Min(s => s.StartedAt);

    private static string Seconds(TimeSpan span) => span.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture) + " s";

    private static string Status(string status) => status switch
    {
        CatalogRunStatus.Published => "[green]Published[/]",
        CatalogRunStatus.QualityFailed => "[yellow]QualityFailed[/]",
        _ => $"[red]{Markup.Escape(status)}[/]",
    };

    private static string InputBinderShorten(string text) => Engine.InputBinder.Shorten(text, 160);
}
