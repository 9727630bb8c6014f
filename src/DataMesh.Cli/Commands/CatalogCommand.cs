using System.CommandLine;
using DataMesh.Catalog;
using DataMesh.Local;
using Spectre.Console;

namespace DataMesh.Cli.Commands;

/// <summary><c>datamesh catalog list</c> / <c>datamesh catalog show ID</c>: read the local mesh's catalog.</summary>
internal static class CatalogCommand
{
    public static Command Create()
    {
        var command = new Command("catalog", "Read the catalog of the local mesh in the current directory.");
        command.Subcommands.Add(List());
        command.Subcommands.Add(Show());
        return command;
    }

    private static Command List()
    {
        var json = CommonOptions.Json();
        var command = new Command("list", "List the products the catalog knows, with their latest release.") { json };
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (MeshFolder.Missing(new LocalMeshOptions()) is { } missing)
            {
                await Console.Error.WriteLineAsync(missing).ConfigureAwait(false);
                return ExitCodes.UsageOrEnvironment;
            }

            await using var storage = await LocalStorage.OpenAsync(new LocalMeshOptions(), cancellationToken).ConfigureAwait(false);
            var products = await new CatalogReader(storage.Storage).ListProductsAsync(cancellationToken).ConfigureAwait(false);
            if (parse.GetValue(json))
            {
                CliJson.Write(products);
                return ExitCodes.Success;
            }

            var now = DateTimeOffset.UtcNow;
            var table = new Table().Border(TableBorder.Rounded).AddColumns("product", "owner", "latest", "rows", "published", "freshness");
            foreach (var p in products)
            {
                table.AddRow(
                    Markup.Escape(p.ProductId),
                    Markup.Escape(p.OwnerTeam ?? ""),
                    p.LatestRelease is null ? "[grey]none[/]" : $"{Markup.Escape(p.LatestVersion ?? "")} #{p.LatestRelease}",
                    p.Rows?.ToString("N0", System.Globalization.CultureInfo.InvariantCulture) ?? "",
                    p.PublishedAt?.ToString("u", System.Globalization.CultureInfo.InvariantCulture) ?? "",
                    p.FreshnessStatusAt(now) switch { "fresh" => "[green]fresh[/]", "stale" => "[red]stale[/]", _ => "[grey]no SLA[/]" });
            }

            AnsiConsole.Write(table);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Show()
    {
        var id = new Argument<string>("ID") { Description = "Product id, <domain>.<name>." };
        var json = CommonOptions.Json();
        var command = new Command("show", "Show one product: its declaration, releases and runs.") { id, json };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var productId = parse.GetValue(id)!;
            if (MeshFolder.Missing(new LocalMeshOptions()) is { } missing)
            {
                await Console.Error.WriteLineAsync(missing).ConfigureAwait(false);
                return ExitCodes.UsageOrEnvironment;
            }

            await using var storage = await LocalStorage.OpenAsync(new LocalMeshOptions(), cancellationToken).ConfigureAwait(false);
            var reader = new CatalogReader(storage.Storage);
            var product = await reader.GetProductAsync(productId, cancellationToken).ConfigureAwait(false);
            if (product is null)
            {
                await Console.Error.WriteLineAsync($"error: product '{productId}' is not in the catalog (see `datamesh catalog list`).").ConfigureAwait(false);
                return ExitCodes.CheckFailed;
            }

            var releases = await reader.GetReleasesAsync(productId, cancellationToken).ConfigureAwait(false);
            var runs = await reader.GetRunsAsync(productId, cancellationToken).ConfigureAwait(false);
            // One hop each way, with each declared range judged against its upstream's newest version.
            var lineage = await reader.GetLineageAsync(productId, "both", 1, cancellationToken).ConfigureAwait(false);
            var pinned = lineage.Edges.Where(e => e.Status is CatalogLineageEdge.Behind or CatalogLineageEdge.Unsatisfied).ToList();
            if (parse.GetValue(json))
            {
                CliJson.Write(new { product, freshness = product.FreshnessStatusAt(DateTimeOffset.UtcNow), releases, runs, edges = lineage.Edges });
                return ExitCodes.Success;
            }

            AnsiConsole.MarkupLine($"[bold]{Markup.Escape(product.ProductId)}[/] {Markup.Escape(product.DeclaredVersion ?? "")} — {Markup.Escape(product.Description ?? "")}");
            AnsiConsole.MarkupLine($"owner: {Markup.Escape(product.OwnerTeam ?? "")} <{Markup.Escape(product.OwnerEmail ?? "")}>, visibility {Markup.Escape(product.Visibility ?? "")}, freshness {Markup.Escape(product.Freshness ?? "no SLA")}: {product.FreshnessStatusAt(DateTimeOffset.UtcNow)}");
            var table = new Table().Border(TableBorder.Rounded)
                .AddColumns("version", "release", "total rows", "mode", "added", "replaced", "removed", "partitions", "quality", "published", "location");
            foreach (var r in releases)
            {
                // Releases announced before output modes record no changes: their change columns stay empty.
                var changes = r.Changes;
                table.AddRow(
                    Markup.Escape(r.Version),
                    r.Release.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    Count(r.Rows),
                    changes is null ? "[grey]–[/]" : Markup.Escape(changes.BasedOn is { } basedOn ? $"{changes.Mode} on #{basedOn}" : changes.Mode),
                    changes is null ? "" : "+" + Count(changes.RowsAdded),
                    changes is null ? "" : Count(changes.RowsReplaced),
                    changes is null ? "" : Count(changes.RowsRemoved),
                    changes is null ? "" : Partitions(changes),
                    r.QualityPassed ? "[green]passed[/]" : "[red]failed[/]",
                    r.PublishedAt.ToString("u", System.Globalization.CultureInfo.InvariantCulture),
                    Markup.Escape(r.Location));
            }

            AnsiConsole.Write(table);
            foreach (var edge in pinned)
            {
                var consumer = Markup.Escape(edge.Downstream);
                AnsiConsole.MarkupLine(edge.Status == CatalogLineageEdge.Behind
                    ? $"[yellow]behind its upstream[/]: {consumer} reads {Markup.Escape(edge.Upstream)} {Markup.Escape(edge.Versions ?? "")}, which is at {Markup.Escape(edge.UpstreamVersion ?? "")} (see `datamesh impact {Markup.Escape(edge.Upstream)}`)"
                    : $"[red]unsatisfied[/]: {consumer} reads {Markup.Escape(edge.Upstream)} {Markup.Escape(edge.Versions ?? "")}, nothing published in that range ({Markup.Escape(edge.Upstream)} is at {Markup.Escape(edge.UpstreamVersion ?? "")})");
            }

            foreach (var run in runs.Where(r => r.Status != "Published"))
            {
                AnsiConsole.MarkupLine($"[yellow]{Markup.Escape(run.Status)}[/] run {Markup.Escape(run.RunId)} at {Markup.Escape(run.Stage ?? "")}: {Markup.Escape(run.Error ?? "")}");
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static string Count(long value) => value.ToString("N0", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>How many partitions a release wrote, with the first names the catalog keeps.</summary>
    private static string Partitions(Events.ReleaseChangeSummary changes)
    {
        var count = changes.Partitions.Count + changes.PartitionsOmitted;
        if (count == 0)
        {
            return "";
        }

        var names = string.Join(", ", changes.Partitions.Take(3)) + (count > 3 ? ", …" : "");
        return Markup.Escape(changes.Partitions.Count == 0 ? Count(count) : $"{Count(count)}: {names}");
    }
}
