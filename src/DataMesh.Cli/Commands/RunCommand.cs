using System.CommandLine;
using DataMesh.Governance;
using DataMesh.Local;
using DataMesh.Pipeline;
using DataMesh.Specs;

namespace DataMesh.Cli.Commands;

/// <summary>
/// <c>datamesh run PRODUCT_DIR|PRODUCT_ID [--input FILE...]</c>: one product's pipeline on the local mesh; without
/// <c>--input</c>, a rerun: the product rebuilt from its current upstream releases and its newest release's archived
/// inputs (<see cref="RerunPlanner"/>), under a new run id.
/// </summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var productDir = new Argument<string>("PRODUCT") { Description = "Folder holding product.yaml (inside or outside pipelines/), or a product id of pipelines/ (<domain>.<name>)." };
        var inputs = new Option<FileInfo[]>("--input", "-i")
        {
            Description = "File(s) to drop into the product's landing path for this run. Without it, a rerun: the product is rebuilt from its current upstream releases and the archived inputs of its newest release, as a new run.",
            AllowMultipleArgumentsPerToken = true,
        };
        var json = CommonOptions.Json();
        var verbose = CommonOptions.Verbose();
        var command = new Command("run", "Run one product's pipeline on the local mesh with the given files as its landing input, or rerun it (no --input) from its upstream releases and archived inputs.")
        {
            productDir, inputs, json, verbose,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var target = parse.GetValue(productDir)!;
            var files = parse.GetValue(inputs) ?? [];
            var asJson = parse.GetValue(json);
            var missing = files.Where(f => !f.Exists).Select(f => f.FullName).ToList();
            if (missing.Count > 0)
            {
                await Console.Error.WriteLineAsync($"error: input file(s) not found: {string.Join(", ", missing)}").ConfigureAwait(false);
                return ExitCodes.UsageOrEnvironment;
            }

            // A folder with a product.yaml is that product; anything else names a product of pipelines/ by id.
            var byId = !File.Exists(Path.Combine(target, "product.yaml")) && !Directory.Exists(target) && target.Contains('.', StringComparison.Ordinal);
            if (byId)
            {
                return await RunByIdAsync(target, files, asJson, parse.GetValue(verbose), cancellationToken).ConfigureAwait(false);
            }

            var dir = new DirectoryInfo(target);
            ProductSpec spec;
            try
            {
                spec = ProductSpecLoader.Load(dir.FullName);
            }
            catch (SpecValidationException ex)
            {
                Diagnostics.Print(ex.Diagnostics);
                return ExitCodes.CheckFailed;
            }

            // Held to the policies validate holds it to: the nearest mesh.yaml at or above the product, else the
            // built-in baseline (a product outside pipelines/ is governed too).
            MeshPolicies policies;
            try
            {
                policies = MeshPoliciesLoader.Find(spec.Directory) is { } meshFile ? MeshPoliciesLoader.Load(meshFile) : MeshPolicies.Baseline;
            }
            catch (SpecValidationException ex)
            {
                Diagnostics.Print(ex.Diagnostics);
                return ExitCodes.CheckFailed;
            }

            using var loggerFactory = CliLogging.Create(parse.GetValue(verbose));
            var options = new LocalMeshOptions { LoadPipelinesFolder = false, LoggerFactory = loggerFactory, Policies = policies, Interrupt = cancellationToken, InterruptedBy = "Ctrl+C in datamesh run" };
            options.ExtraProductDirectories.Add(spec.Directory);
            await using var mesh = await LocalMesh.StartAsync(options, cancellationToken).ConfigureAwait(false);
            return await RunOnAsync(mesh, spec.Id, files, asJson, cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    /// <summary><c>datamesh run PRODUCT_ID</c>: a product of the mesh of the current directory (its pipelines/ and policies).</summary>
    private static async Task<int> RunByIdAsync(string productId, FileInfo[] files, bool asJson, bool verbose, CancellationToken cancellationToken)
    {
        using var loggerFactory = CliLogging.Create(verbose);
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
            if (!mesh.Products.All.Any(p => p.Id == productId))
            {
                await Console.Error.WriteLineAsync($"error: '{productId}' is neither a product folder nor a product under pipelines/ (known: {string.Join(", ", mesh.Products.All.Select(p => p.Id))}).").ConfigureAwait(false);
                return ExitCodes.UsageOrEnvironment;
            }

            return await RunOnAsync(mesh, productId, files, asJson, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Runs the product with <paramref name="files"/>, or reruns it without them, and prints the outcome.</summary>
    private static async Task<int> RunOnAsync(LocalMesh mesh, string productId, FileInfo[] files, bool asJson, CancellationToken cancellationToken)
    {
        PipelineResult result;
        if (files.Length > 0)
        {
            result = await CliProgress.RunAsync(asJson, $"running {productId}", progress =>
                mesh.RunAsync(productId, files.Select(f => f.FullName).ToList(), cancellationToken: cancellationToken, progress: progress)).ConfigureAwait(false);
        }
        else
        {
            // A rerun is a deliberate new run: its own run id, never a retry of an earlier one (#15's at-most-once
            // holds per run id), and it says so before the outcome.
            (var request, var reads, result) = await CliProgress.RunAsync(asJson, $"rerunning {productId}", progress =>
                mesh.RerunAsync(productId, cancellationToken: cancellationToken, progress: progress)).ConfigureAwait(false);
            var from = string.Join(" and ", new[]
            {
                mesh.Products.Get(productId).Inputs.Any(i => !i.IsLanding) ? "its current upstream releases" : null,
                reads.Length > 0 ? reads : mesh.Products.Get(productId).Inputs.Any(i => i.IsLanding) ? "the newest file of each landing input" : null,
            }.Where(s => s is not null));
            await Console.Error.WriteLineAsync($"Rerun of {productId}: a new run {request.RunId} (trigger {request.Trigger}) from {from}.").ConfigureAwait(false);
        }

        if (asJson)
        {
            CliJson.Write(result);
        }
        else
        {
            RunReport.Print(result);
        }

        return result.Status == PipelineStatus.Published ? ExitCodes.Success : ExitCodes.CheckFailed;
    }
}
