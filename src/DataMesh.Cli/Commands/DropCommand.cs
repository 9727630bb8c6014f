using System.CommandLine;
using DataMesh.Local;
using DataMesh.Pipeline;
using DataMesh.Specs;
using DataMesh.Storage;

namespace DataMesh.Cli.Commands;

/// <summary>
/// <c>datamesh drop PRODUCT_ID FILE...</c>: upload files into a product's landing path in the local mesh of the current
/// directory; the arrivals trigger runs as in Azure (BlobCreated on the trigger queue), and the mesh runs in-process
/// until every run they triggered, downstream rebuilds included, has settled.
/// </summary>
internal static class DropCommand
{
    public static Command Create()
    {
        var product = new Argument<string>("PRODUCT_ID") { Description = "The product whose landing path receives the files, <domain>.<name>." };
        var files = new Argument<FileInfo[]>("FILE") { Description = "Files to drop.", Arity = ArgumentArity.OneOrMore };
        var json = CommonOptions.Json();
        var verbose = CommonOptions.Verbose();
        var command = new Command("drop", "Drop files into a product's landing path and run everything they trigger, downstream products included.")
        {
            product, files, json, verbose,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var productId = parse.GetValue(product)!;
            var inputs = parse.GetValue(files)!;
            var missing = inputs.Where(f => !f.Exists).Select(f => f.FullName).ToList();
            if (missing.Count > 0)
            {
                await Console.Error.WriteLineAsync($"error: file(s) not found: {string.Join(", ", missing)}").ConfigureAwait(false);
                return ExitCodes.UsageOrEnvironment;
            }

            using var loggerFactory = CliLogging.Create(parse.GetValue(verbose));
            if (UpMarker.FindServing(new LocalMeshOptions().ResolveStateDirectory()) is { } url)
            {
                // A `datamesh up` serves this mesh: hand the files to it (its watcher announces them), don't start a second worker.
                await using var storage = await LocalStorage.OpenAsync(new LocalMeshOptions { LoggerFactory = loggerFactory }, cancellationToken).ConfigureAwait(false);
                var spec = ProductRegistry.LoadFrom(Path.Combine(Environment.CurrentDirectory, "pipelines")).Get(productId);
                var landing = spec.Inputs.First(i => i.IsLanding).Landing!;
                foreach (var file in inputs)
                {
                    var blob = storage.Storage.Landing(spec.Domain).GetBlobClient(landing.Path + file.Name);
                    await using var stream = file.OpenRead();
                    await blob.UploadAsync(stream, BlobUploads.Overwrite(), cancellationToken).ConfigureAwait(false);
                    await LandingNotifier.NotifyAsync(storage.Storage, blob, cancellationToken).ConfigureAwait(false);
                }

                await Console.Error.WriteLineAsync($"Dropped {inputs.Length} file(s) into {spec.Id}; the running `datamesh up` runs them: follow at {url}/api/products/{spec.Id}").ConfigureAwait(false);
                if (parse.GetValue(json))
                {
                    CliJson.Write(Array.Empty<PipelineResult>());
                }

                return ExitCodes.Success;
            }

            if (await CliMesh.StartAsync(loggerFactory, "Ctrl+C in datamesh drop", cancellationToken).ConfigureAwait(false) is not { } mesh)
            {
                return ExitCodes.CheckFailed;
            }

            await using (mesh)
            {
                if (await CliMesh.IsUnknownAsync(mesh.Products, productId).ConfigureAwait(false))
                {
                    return ExitCodes.UsageOrEnvironment;
                }

                await mesh.DropAsync(productId, inputs.Select(f => f.FullName).ToList(), cancellationToken).ConfigureAwait(false);
                var results = await CliProgress.RunAsync(parse.GetValue(json), "runs triggered by the drop", progress =>
                    mesh.SettleAsync(cancellationToken: cancellationToken, progress: progress)).ConfigureAwait(false);
                if (parse.GetValue(json))
                {
                    CliJson.Write(results);
                }
                else
                {
                    foreach (var result in results)
                    {
                        RunReport.Print(result);
                    }
                }

                return results.Count > 0 && results.All(r => r.Status == PipelineStatus.Published) ? ExitCodes.Success : ExitCodes.CheckFailed;
            }
        });
        return command;
    }
}
