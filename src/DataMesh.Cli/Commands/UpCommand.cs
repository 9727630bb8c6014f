using System.CommandLine;
using System.Runtime.InteropServices;
using DataMesh.Local;
using DataMesh.Specs;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Spectre.Console;

namespace DataMesh.Cli.Commands;

/// <summary>
/// <c>datamesh up</c>: the local mesh of the current directory until stopped (Ctrl+C): Azurite, the durable worker,
/// a watcher on every landing container, triggers, the catalog projection, the freshness check, and the catalog API
/// on <c>http://127.0.0.1:7071/api</c>.
/// </summary>
internal static class UpCommand
{
    public static Command Create()
    {
        var port = new Option<int>("--port") { Description = "Loopback port of the catalog API.", DefaultValueFactory = _ => 7071 };
        var verbose = CommonOptions.Verbose();
        var command = new Command("up", "Run the local mesh (storage, pipelines, events, catalog API) until stopped with Ctrl+C.") { port, verbose };
        command.SetAction(async (parse, invocationToken) =>
        {
            // Stop cleanly on Ctrl+C, SIGINT and SIGTERM (also when started in the background, where the shell ignores SIGINT).
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(invocationToken);
            using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, context => { context.Cancel = true; stop.Cancel(); });
            using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => { context.Cancel = true; stop.Cancel(); });
            var cancellationToken = stop.Token;
            using var loggerFactory = CliLogging.Create(parse.GetValue(verbose), meshActivity: true);
            LocalMesh mesh;
            try
            {
                mesh = await LocalMesh.StartAsync(new LocalMeshOptions { LoggerFactory = loggerFactory }, cancellationToken).ConfigureAwait(false);
            }
            catch (SpecValidationException ex)
            {
                Diagnostics.Print(ex.Diagnostics);
                return ExitCodes.CheckFailed;
            }

            await using (mesh)
            {
                var url = $"http://127.0.0.1:{parse.GetValue(port)}";
                var app = CatalogApi(mesh, url);
                await app.StartAsync(CancellationToken.None).ConfigureAwait(false);
                var marker = UpMarker.Write(new LocalMeshOptions().ResolveStateDirectory(), url);
                AnsiConsole.MarkupLine($"[green]Mesh up[/]: {mesh.Products.All.Count} product(s); catalog API at [link]{url}/api/products[/]. Drop files into the landing containers (e.g. [grey]datamesh drop[/] from another terminal, Azure Storage Explorer, azcopy). Ctrl+C stops.");
                try
                {
                    await mesh.ServeAsync(cancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    File.Delete(marker);
                }

                await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
                await app.DisposeAsync().ConfigureAwait(false);
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static WebApplication CatalogApi(LocalMesh mesh, string url)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(url);
        builder.Logging.ClearProviders();
        builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace).SetMinimumLevel(LogLevel.Warning);
        var app = builder.Build();
        app.MapGet("/api/products", async (CancellationToken ct) =>
            Results.Json(await mesh.Catalog.ListProductsAsync(ct).ConfigureAwait(false), CliJson.Options));
        app.MapGet("/api/products/{id}", async (string id, CancellationToken ct) =>
        {
            if (!ProductIds.TrySplit(id, out _, out _))
            {
                return Results.Json(new { error = $"'{id}' is not a product id: use <domain>.<name>.", productId = id }, CliJson.Options, statusCode: 400);
            }

            var product = await mesh.Catalog.GetProductAsync(id, ct).ConfigureAwait(false);
            if (product is null)
            {
                return Results.Json(new { error = $"Product '{id}' is not in the catalog.", productId = id }, CliJson.Options, statusCode: 404);
            }

            var releases = await mesh.Catalog.GetReleasesAsync(id, ct).ConfigureAwait(false);
            var runs = await mesh.Catalog.GetRunsAsync(id, ct).ConfigureAwait(false);
            return Results.Json(new { product, freshness = product.FreshnessStatusAt(DateTimeOffset.UtcNow), releases, runs }, CliJson.Options);
        });
        return app;
    }
}
