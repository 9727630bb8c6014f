using System.CommandLine;
using DataMesh.Governance;
using DataMesh.Local;
using DataMesh.Pipeline;
using DataMesh.Specs;

namespace DataMesh.Cli.Commands;

/// <summary><c>datamesh run PRODUCT_DIR --input FILE...</c>: one product's pipeline on the local mesh.</summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var productDir = new Argument<DirectoryInfo>("PRODUCT_DIR") { Description = "Folder holding product.yaml (inside or outside pipelines/)." };
        var inputs = new Option<FileInfo[]>("--input", "-i")
        {
            Description = "File(s) to drop into the product's landing path for this run.",
            Required = true,
            AllowMultipleArgumentsPerToken = true,
        };
        var json = CommonOptions.Json();
        var verbose = CommonOptions.Verbose();
        var command = new Command("run", "Run one product's pipeline on the local mesh with the given files as its landing input.")
        {
            productDir, inputs, json, verbose,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var dir = parse.GetValue(productDir)!;
            var files = parse.GetValue(inputs)!;
            var asJson = parse.GetValue(json);
            var missing = files.Where(f => !f.Exists).Select(f => f.FullName).ToList();
            if (missing.Count > 0)
            {
                await Console.Error.WriteLineAsync($"error: input file(s) not found: {string.Join(", ", missing)}").ConfigureAwait(false);
                return ExitCodes.UsageOrEnvironment;
            }

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
            var result = await CliProgress.RunAsync(asJson, $"running {spec.Id}", progress =>
                mesh.RunAsync(spec.Id, files.Select(f => f.FullName).ToList(), cancellationToken: cancellationToken, progress: progress)).ConfigureAwait(false);
            if (asJson)
            {
                CliJson.Write(result);
            }
            else
            {
                RunReport.Print(result);
            }

            return result.Status == PipelineStatus.Published ? ExitCodes.Success : ExitCodes.CheckFailed;
        });
        return command;
    }
}
