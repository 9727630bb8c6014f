using System.CommandLine;
using System.Runtime.InteropServices;
using DataMesh.Catalog;
using DataMesh.Consumption;
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
/// a watcher on every landing container, triggers, the catalog projection, the freshness check, the catalog API
/// (<see cref="CatalogHttpApi"/>) on <c>http://127.0.0.1:7071/api</c> and the web catalog (<see cref="CatalogWebAssets"/>)
/// on <c>http://127.0.0.1:7071/</c> (served from <c>/ui/</c>). An edit of <c>pipelines/</c> is reloaded without a restart
/// (<see cref="LocalMesh.ReloadSpecsAsync"/>).
/// </summary>
internal static class UpCommand
{
    /// <summary>The header a local request names its reading domain with (<c>curl -H 'X-DataMesh-Domain: sales'</c>).</summary>
    public const string LocalReaderHeader = "X-DataMesh-Domain";

    public static Command Create()
    {
        var port = new Option<int>("--port") { Description = "Loopback port of the catalog API and web catalog.", DefaultValueFactory = _ => 7071 };
        var verbose = CommonOptions.Verbose();
        var json = CommonOptions.Json();
        var command = new Command("up", "Run the local mesh (storage, pipelines, events, catalog API and web catalog) until stopped with Ctrl+C.") { port, verbose, json };
        command.SetAction(async (parse, invocationToken) =>
        {
            using var loggerFactory = CliLogging.Create(parse.GetValue(verbose), meshActivity: true);
            LocalMesh mesh;
            try
            {
                mesh = await LocalMesh.StartAsync(new LocalMeshOptions { LoggerFactory = loggerFactory }, invocationToken).ConfigureAwait(false);
            }
            catch (SpecValidationException ex)
            {
                Diagnostics.Print(ex.Diagnostics);
                return ExitCodes.CheckFailed;
            }

            await using (mesh)
            {
                await ServeUntilStoppedAsync(mesh, parse.GetValue(port), invocationToken, parse.GetValue(json), watchSpecs: true).ConfigureAwait(false);
            }

            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>
    /// Serves a started mesh until Ctrl+C, SIGINT or SIGTERM: the catalog API and web catalog on loopback, the landing
    /// watcher, triggers, catalog projection, freshness and outbox sweeps (shared by <c>up</c> and <c>demo --keep</c>); with
    /// <c>watchSpecs</c> (<c>up</c>), an edit of <c>pipelines/</c> is reloaded and what changed printed.
    /// </summary>
    internal static async Task ServeUntilStoppedAsync(LocalMesh mesh, int port, CancellationToken invocationToken, bool asJson = false, bool watchSpecs = false)
    {
        // Stop cleanly on Ctrl+C, SIGINT and SIGTERM (also when started in the background, where the shell ignores SIGINT).
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(invocationToken);
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, context => { context.Cancel = true; stop.Cancel(); });
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => { context.Cancel = true; stop.Cancel(); });
        var cancellationToken = stop.Token;
        var url = $"http://127.0.0.1:{port}";
        var app = CatalogApi(mesh, url);
        await app.StartAsync(CancellationToken.None).ConfigureAwait(false);
        var stateDirectory = new LocalMeshOptions().ResolveStateDirectory();
        var marker = UpMarker.Write(stateDirectory, url);
        // The storage addresses and keys go to this terminal only (stdout), as a local emulator shows its own: never to
        // the logger, whose output may be shipped elsewhere, nor to the catalog.
        var accounts = mesh.StorageAccounts;
        var portsFile = accounts.Any(a => a.KeyFile is not null) ? Path.Combine(stateDirectory, "storage-ports.json") : null;
        if (asJson)
        {
            // One document once serving; the mesh's activity goes to stderr.
            CliJson.Write(new
            {
                status = "up",
                catalog = $"{url}/",
                api = $"{url}/api",
                openApi = $"{url}/api/openapi.json",
                products = mesh.Products.All.Count,
                storage = new { portsFile, accounts },
            });
        }
        else
        {
            AnsiConsole.MarkupLine($"[green]Mesh up[/]: {mesh.Products.All.Count} product(s).");
            AnsiConsole.MarkupLine($"Catalog: [link]{url}/[/] (API at [link]{url}/api/products[/]).");
            WriteStorage(accounts, portsFile);
            AnsiConsole.MarkupLine($"Drop files into the landing containers (e.g. [grey]datamesh drop[/] from another terminal, Azure Storage Explorer, azcopy). Ctrl+C stops.");
        }
        try
        {
            await mesh.ServeAsync(cancellationToken, watchSpecs ? reload => PrintReload(reload, asJson) : null).ConfigureAwait(false);
        }
        finally
        {
            File.Delete(marker);
            await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
            await app.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// One line per reload of the specs (stdout; stderr with <c>--json</c>, whose stdout is the one document), after the
    /// spec errors of a refused one in the compiler format (file:line:col).
    /// </summary>
    private static void PrintReload(SpecReload reload, bool asJson)
    {
        Diagnostics.Print(reload.Errors);
        if (asJson)
        {
            Console.Error.WriteLine(reload.Summary());
        }
        else
        {
            AnsiConsole.MarkupLine(reload.Applied ? $"[green]{Markup.Escape(reload.Summary())}[/]" : $"[red]{Markup.Escape(reload.Summary())}[/]");
        }
    }

    /// <summary>Each account's endpoints, where its key lives, and its connection string (for Storage Explorer, <c>az storage</c>).</summary>
    private static void WriteStorage(IReadOnlyList<MeshStorageAccount> accounts, string? portsFile)
    {
        AnsiConsole.MarkupLine(portsFile is null
            ? "Storage: the account of DATAMESH_STORAGE."
            : $"Storage: Azurite on fixed ports (kept in {Markup.Escape(portsFile)}), so these addresses and the catalog's release locations hold whenever this mesh runs.");
        foreach (var account in accounts)
        {
            var holds = account.Domain is { } domain ? $"domain {domain}" : account.KeyFile is null ? "the whole mesh" : "hub: catalog, queues";
            AnsiConsole.MarkupLine($"  [bold]{Markup.Escape(account.Account)}[/] ({Markup.Escape(holds)}): blob {Markup.Escape(account.BlobEndpoint.ToString())}, queue {Markup.Escape(account.QueueEndpoint.ToString())}, table {Markup.Escape(account.TableEndpoint.ToString())}");
        }

        if (accounts.FirstOrDefault(a => a.KeyFile is not null)?.KeyFile is { } keyFile)
        {
            AnsiConsole.MarkupLine($"Keys: one owner-only file per account in {Markup.Escape(Path.GetDirectoryName(keyFile)!)}. Connection strings (Storage Explorer: Connect > Storage account or service > Connection string; `az storage ... --connection-string`; azcopy takes a SAS URL made with one). They hold the key: keep them on this machine.");
        }
        else
        {
            AnsiConsole.MarkupLine("Connection string (the one you set in DATAMESH_STORAGE; it holds the key: keep it on this machine):");
        }

        foreach (var account in accounts)
        {
            AnsiConsole.MarkupLine($"  {Markup.Escape(account.Domain ?? account.Account)}: {Markup.Escape(account.ConnectionString)}");
        }
    }

    private static WebApplication CatalogApi(LocalMesh mesh, string url)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(url);
        builder.Logging.ClearProviders();
        builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace).SetMinimumLevel(LogLevel.Warning);
        var app = builder.Build();
        var api = new CatalogHttpApi(mesh.Catalog, releases: new ReleaseReader(mesh.Storage, new ReleaseCache(ReleaseCacheOptions.FromEnvironment(Environment.GetEnvironmentVariable))), quarantine: mesh.Quarantine);

        // Every path under /api goes to the same host-neutral handler as the Azure Functions: routing, checks and bodies live there.
        app.Map("/api/{**path}", async (HttpContext context) =>
        {
            // Loopback only, one user: a request reads as the domain its X-DataMesh-Domain header names (the local
            // stand-in for Entra app roles), or anonymously (public products only).
            var caller = context.Request.Headers[LocalReaderHeader].ToString() is { Length: > 0 } domain ? DataReader.ForDomain(domain) : DataReader.Anonymous;
            var headers = CatalogApiRequestHeaders.From(name => context.Request.Headers[name].ToString());
            var answer = await api.HandleAsync(
                context.Request.Method, context.Request.Path.ToUriComponent(), context.Request.QueryString.Value, caller, headers, context.RequestAborted).ConfigureAwait(false);
            await WriteAsync(context.Response, answer, context.RequestAborted).ConfigureAwait(false);
        });

        // The web catalog: static files embedded in the core, the same ones the hub's Functions app serves. Relative
        // links in index.html need the trailing slash, so the root and /ui send the browser to /ui/.
        var assets = CatalogWebAssets.Default;
        app.MapMethods("/", ["GET", "HEAD"], () => Results.Redirect("/ui/"));
        app.Map("/ui/{**path}", async (HttpContext context) =>
        {
            var path = context.Request.Path.ToUriComponent();
            if (path == "/ui")
            {
                context.Response.Redirect("/ui/");
                return;
            }

            var ifNoneMatch = context.Request.Headers.IfNoneMatch.ToString();
            var answer = assets.Serve(context.Request.Method, path.Length > "/ui/".Length ? path["/ui/".Length..] : "", ifNoneMatch.Length > 0 ? ifNoneMatch : null);
            context.Response.StatusCode = answer.StatusCode;
            context.Response.ContentType = answer.ContentType;
            foreach (var (name, value) in answer.Headers)
            {
                context.Response.Headers[name] = value;
            }

            // A 304 (If-None-Match matched) carries no body, and Kestrel refuses a write to one, even an empty write.
            if (answer.Body.Length > 0)
            {
                await context.Response.Body.WriteAsync(answer.Body, context.RequestAborted).ConfigureAwait(false);
            }
        });
        return app;
    }

    /// <summary>
    /// Sends an answer: a file streams from storage to the client through a small buffer (never whole in memory); a
    /// failed check of its bytes aborts the response, so the client sees a short body rather than a wrong one.
    /// </summary>
    private static async Task WriteAsync(HttpResponse response, CatalogApiResponse answer, CancellationToken cancellationToken)
    {
        response.StatusCode = answer.StatusCode;
        response.ContentType = answer.ContentType;
        foreach (var (name, value) in answer.Headers)
        {
            response.Headers[name] = value;
        }

        if (answer.Content is { } content)
        {
            await using (content.ConfigureAwait(false))
            {
                response.ContentLength = answer.ContentLength;
                await content.CopyToAsync(response.Body, cancellationToken).ConfigureAwait(false);
            }
        }
        else if (answer.ContentLength is { } length)
        {
            // HEAD: the length of the body a GET would send.
            response.ContentLength = length;
        }
        else if (answer.Body.Length > 0)
        {
            await response.WriteAsync(answer.Body, System.Text.Encoding.UTF8, cancellationToken).ConfigureAwait(false);
        }
    }
}
