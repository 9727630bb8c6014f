using System.CommandLine;
using System.Globalization;
using DataMesh.Local;
using DataMesh.Pipeline;
using DataMesh.Quarantine;
using DataMesh.Specs;
using Spectre.Console;

namespace DataMesh.Cli.Commands;

/// <summary>
/// <c>datamesh quarantine list|show|replay</c>: the inputs runs moved to each domain's <c>quarantine</c> container, why,
/// and putting one back in landing to run again once the file, the contract or the SQL is fixed.
/// </summary>
internal static class QuarantineCommand
{
    public static Command Create()
    {
        var command = new Command("quarantine", "List, show and replay the inputs runs quarantined (each domain's quarantine container).");
        command.Subcommands.Add(List());
        command.Subcommands.Add(Show());
        command.Subcommands.Add(Replay());
        return command;
    }

    private static Command List()
    {
        var product = new Argument<string?>("PRODUCT_ID") { Description = "Only this product's files, <domain>.<name> (default: every product's).", Arity = ArgumentArity.ZeroOrOne };
        var json = CommonOptions.Json();
        var command = new Command("list", "List quarantined files: file, product, when, stage and reason.") { product, json };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var productId = parse.GetValue(product);
            return await WithQuarantineAsync(productId, async client =>
            {
                var files = await client.ListAsync(productId, cancellationToken).ConfigureAwait(false);
                if (parse.GetValue(json))
                {
                    CliJson.Write(files);
                    return ExitCodes.Success;
                }

                if (files.Count == 0)
                {
                    Console.WriteLine(productId is null ? "Nothing is quarantined." : $"Nothing of {productId} is quarantined.");
                    return ExitCodes.Success;
                }

                foreach (var file in files)
                {
                    AnsiConsole.MarkupLine($"[bold]{Markup.Escape(file.File)}[/]  {Markup.Escape(file.ProductId ?? "?")}  {When(file)}  stage {Markup.Escape(file.Stage ?? "?")}");
                    AnsiConsole.MarkupLine($"  reason: {Markup.Escape(file.Reason ?? "(no .error.json)")}");
                }

                Console.WriteLine($"{files.Count} quarantined file(s). `datamesh quarantine show FILE` for one, `datamesh quarantine replay FILE` to run it again.");
                return ExitCodes.Success;
            }, cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    private static Command Show()
    {
        var file = new Argument<string>("FILE") { Description = "The file's name in quarantine, as `quarantine list` shows it (e.g. orders/2026-10.csv)." };
        var domain = Domain();
        var json = CommonOptions.Json();
        var command = new Command("show", "Show one quarantined file's .error.json: product, run, stage, reason and failed rules.") { file, domain, json };
        command.SetAction(async (parse, cancellationToken) =>
        {
            return await WithQuarantineAsync(null, async client =>
            {
                if (await FindAsync(client, parse.GetValue(file)!, parse.GetValue(domain), cancellationToken).ConfigureAwait(false) is not { } found)
                {
                    return ExitCodes.UsageOrEnvironment;
                }

                if (parse.GetValue(json))
                {
                    CliJson.Write(found);
                    return ExitCodes.Success;
                }

                AnsiConsole.MarkupLine($"[bold]{Markup.Escape(found.File)}[/] in the quarantine of domain {Markup.Escape(found.Domain)} ({found.Size.ToString("N0", CultureInfo.InvariantCulture)} bytes)");
                AnsiConsole.MarkupLine($"  product:     {Markup.Escape(found.ProductId ?? "?")} {Markup.Escape(found.Version ?? "")}");
                AnsiConsole.MarkupLine($"  landing:     {Markup.Escape(found.LandingName is { } landing ? LandingBlobNames.Printable(landing) : "?")}");
                AnsiConsole.MarkupLine($"  run:         {Markup.Escape(found.RunId ?? "?")}");
                AnsiConsole.MarkupLine($"  when:        {When(found)}");
                AnsiConsole.MarkupLine($"  stage:       {Markup.Escape(found.Stage ?? "?")}");
                AnsiConsole.MarkupLine($"  reason:      {Markup.Escape(found.Reason ?? "(no .error.json)")}");
                foreach (var rule in found.FailedRules)
                {
                    AnsiConsole.MarkupLine($"  failed rule: {Markup.Escape(rule["name"]?.ToString() ?? "?")} ({Markup.Escape(rule["severity"]?.ToString() ?? "")}): measured {Markup.Escape(rule["measured"]?.ToString() ?? "")} {Markup.Escape(rule["unit"]?.ToString() ?? "")}, expected {Markup.Escape(rule["expectation"]?.ToString() ?? "")}");
                }

                AnsiConsole.MarkupLine(found.NotReplayable is { } why
                    ? $"  replay:      not possible: {Markup.Escape(why)}"
                    : $"  replay:      datamesh quarantine replay {Markup.Escape(found.File)}");
                return ExitCodes.Success;
            }, cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    private static Command Replay()
    {
        var file = new Argument<string?>("FILE") { Description = "The quarantined file to replay, as `quarantine list` shows it.", Arity = ArgumentArity.ZeroOrOne };
        var product = new Option<string?>("--product") { Description = "Replay every quarantined file of this product instead, each as its own run." };
        var domain = Domain();
        var json = CommonOptions.Json();
        var verbose = CommonOptions.Verbose();
        var command = new Command("replay", "Move a quarantined file back to landing and run it (a new run); a file that fails again goes back to quarantine with the new reason.")
        {
            file, product, domain, json, verbose,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var name = parse.GetValue(file);
            var productId = parse.GetValue(product);
            if ((name is null) == (productId is null))
            {
                await Console.Error.WriteLineAsync("error: name one quarantined FILE or --product ID (see `datamesh quarantine list`).").ConfigureAwait(false);
                return ExitCodes.UsageOrEnvironment;
            }

            using var loggerFactory = CliLogging.Create(parse.GetValue(verbose));
            if (await CliMesh.StartAsync(loggerFactory, interruptedBy: null, cancellationToken).ConfigureAwait(false) is not { } mesh)
            {
                return ExitCodes.CheckFailed;
            }

            await using (mesh)
            {
                List<QuarantinedFile> files;
                if (productId is not null)
                {
                    if (await CliMesh.IsUnknownAsync(mesh.Products, productId).ConfigureAwait(false))
                    {
                        return ExitCodes.UsageOrEnvironment;
                    }

                    files = [.. (await mesh.Quarantine.ListAsync(productId, cancellationToken).ConfigureAwait(false)).Where(f => f.NotReplayable is null)];
                    if (files.Count == 0)
                    {
                        await Console.Error.WriteLineAsync($"error: nothing of {productId} is quarantined that can be replayed (see `datamesh quarantine list {productId}`).").ConfigureAwait(false);
                        return ExitCodes.UsageOrEnvironment;
                    }
                }
                else if (await FindAsync(mesh.Quarantine, name!, parse.GetValue(domain), cancellationToken).ConfigureAwait(false) is { } found)
                {
                    files = [found];
                }
                else
                {
                    return ExitCodes.UsageOrEnvironment;
                }

                var results = new List<PipelineResult>();
                foreach (var quarantined in files)
                {
                    try
                    {
                        var (replay, result) = await CliProgress.RunAsync(parse.GetValue(json), $"replaying {quarantined.File}", progress =>
                            mesh.ReplayAsync(quarantined, cancellationToken: cancellationToken, progress: progress)).ConfigureAwait(false);
                        await Console.Error.WriteLineAsync($"Replayed {quarantined.File}: moved back to landing as {replay.Request.LandingBlobs[0]}, a new run {replay.Request.RunId} (trigger {replay.Request.Trigger}).").ConfigureAwait(false);
                        if (result.Status != PipelineStatus.Published && result.Quarantined.Count > 0)
                        {
                            await Console.Error.WriteLineAsync($"It failed again and is back in quarantine with the new reason (`datamesh quarantine show {quarantined.File}`).").ConfigureAwait(false);
                        }

                        results.Add(result);
                        if (!parse.GetValue(json))
                        {
                            RunReport.Print(result);
                        }
                    }
                    catch (InvalidOperationException ex)
                    {
                        await Console.Error.WriteLineAsync($"error: {ex.Message}").ConfigureAwait(false);
                        return ExitCodes.UsageOrEnvironment;
                    }
                }

                if (parse.GetValue(json))
                {
                    CliJson.Write(results);
                }

                return results.All(r => r.Status == PipelineStatus.Published) ? ExitCodes.Success : ExitCodes.CheckFailed;
            }
        });
        return command;
    }

    private static Option<string?> Domain() => new("--domain") { Description = "The domain whose quarantine holds the file, when several hold one of that name." };

    /// <summary>The quarantine of the mesh of the current directory, read without starting its worker.</summary>
    private static async Task<int> WithQuarantineAsync(string? productId, Func<QuarantineClient, Task<int>> action, CancellationToken cancellationToken)
    {
        ProductRegistry products;
        try
        {
            products = ProductRegistry.LoadFrom(Path.Combine(Environment.CurrentDirectory, "pipelines"));
        }
        catch (SpecValidationException ex)
        {
            Diagnostics.Print(ex.Diagnostics);
            return ExitCodes.CheckFailed;
        }

        if (productId is not null && await CliMesh.IsUnknownAsync(products, productId).ConfigureAwait(false))
        {
            return ExitCodes.UsageOrEnvironment;
        }

        await using var storage = await LocalStorage.OpenAsync(new LocalMeshOptions(), cancellationToken).ConfigureAwait(false);
        return await action(new QuarantineClient(storage.Storage, products)).ConfigureAwait(false);
    }

    private static async Task<QuarantinedFile?> FindAsync(QuarantineClient client, string file, string? domain, CancellationToken cancellationToken)
    {
        try
        {
            if (await client.FindAsync(file, domain, cancellationToken).ConfigureAwait(false) is { } found)
            {
                return found;
            }
        }
        catch (InvalidOperationException ex)
        {
            await Console.Error.WriteLineAsync($"error: {ex.Message}").ConfigureAwait(false);
            return null;
        }

        await Console.Error.WriteLineAsync($"error: no quarantined file '{file}'{(domain is null ? "" : $" in domain {domain}")} (see `datamesh quarantine list`).").ConfigureAwait(false);
        return null;
    }

    private static string When(QuarantinedFile file) =>
        file.QuarantinedAt?.ToUniversalTime().ToString("u", CultureInfo.InvariantCulture) ?? "?";
}
