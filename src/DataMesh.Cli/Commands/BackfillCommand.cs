using System.Globalization;
using System.CommandLine;
using DataMesh.Local;
using DataMesh.Pipeline;
using DataMesh.Specs;

namespace DataMesh.Cli.Commands;

/// <summary>
/// <c>datamesh backfill PRODUCT_ID [--from DATE --to DATE] [--partitions col=value,...]</c>: rebuilds a product from
/// its archived landing inputs (those that arrived in the range) as one run into one new release, on the local mesh of
/// the current directory.
/// </summary>
internal static class BackfillCommand
{
    public static Command Create()
    {
        var product = new Argument<string>("PRODUCT_ID") { Description = "The product to rebuild, <domain>.<name>." };
        var from = new Option<string?>("--from") { Description = "Replay archived inputs that arrived in landing on or after this date (UTC, yyyy-MM-dd) or instant (ISO 8601)." };
        var to = new Option<string?>("--to") { Description = "Replay archived inputs that arrived up to this date, inclusive (UTC, yyyy-MM-dd), or before this instant (ISO 8601)." };
        var partitions = new Option<string?>("--partitions") { Description = "A partitions-mode product: the partitions to rebuild, as column=value,... (columns of output.partitionBy)." };
        var json = CommonOptions.Json();
        var verbose = CommonOptions.Verbose();
        var command = new Command("backfill", "Rebuild a product from its archived landing inputs (by their original arrival time) as one run into one new release.")
        {
            product, from, to, partitions, json, verbose,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var productId = parse.GetValue(product)!;
            if (!TryParseBound(parse.GetValue(from), endOfDay: false, out var start) || !TryParseBound(parse.GetValue(to), endOfDay: true, out var end))
            {
                await Console.Error.WriteLineAsync("error: --from and --to take a date (2026-10-31, UTC) or an ISO 8601 instant (2026-10-31T12:00:00Z).").ConfigureAwait(false);
                return ExitCodes.UsageOrEnvironment;
            }

            var selection = BackfillPlanner.ParsePartitions(parse.GetValue(partitions), out var partitionProblem);
            if (selection is null)
            {
                await Console.Error.WriteLineAsync($"error: {partitionProblem}").ConfigureAwait(false);
                return ExitCodes.UsageOrEnvironment;
            }

            using var loggerFactory = CliLogging.Create(parse.GetValue(verbose));
            if (await CliMesh.StartAsync(loggerFactory, "Ctrl+C in datamesh backfill", cancellationToken).ConfigureAwait(false) is not { } mesh)
            {
                return ExitCodes.CheckFailed;
            }

            await using (mesh)
            {
                if (await CliMesh.IsUnknownAsync(mesh.Products, productId).ConfigureAwait(false))
                {
                    return ExitCodes.UsageOrEnvironment;
                }

                var range = new BackfillRange { From = start, To = end, Partitions = selection };
                var (plan, result) = await CliProgress.RunAsync(parse.GetValue(json), $"backfilling {productId}", progress =>
                    mesh.BackfillAsync(productId, range, cancellationToken: cancellationToken, progress: progress)).ConfigureAwait(false);
                if (result is null)
                {
                    // Nothing to replay is a usage matter (the range or the product), not a failed run.
                    await Console.Error.WriteLineAsync($"error: {plan.Problem}").ConfigureAwait(false);
                    return ExitCodes.UsageOrEnvironment;
                }

                await Console.Error.WriteLineAsync($"Replayed {plan.Inputs.Count} archived input(s): {string.Join(", ", plan.Inputs)}").ConfigureAwait(false);
                if (parse.GetValue(json))
                {
                    CliJson.Write(result);
                }
                else
                {
                    RunReport.Print(result);
                }

                return result.Status == PipelineStatus.Published ? ExitCodes.Success : ExitCodes.CheckFailed;
            }
        });
        return command;
    }

    /// <summary>A date (its start, or with <paramref name="endOfDay"/> the start of the next day) or an instant; null when absent.</summary>
    private static bool TryParseBound(string? text, bool endOfDay, out DateTimeOffset? bound)
    {
        bound = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return true;
        }

        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
        {
            bound = new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero).AddDays(endOfDay ? 1 : 0);
            return true;
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var instant) && text.Contains('T', StringComparison.Ordinal))
        {
            bound = instant;
            return true;
        }

        return false;
    }
}
