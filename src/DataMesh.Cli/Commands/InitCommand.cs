using System.CommandLine;
using DataMesh.Governance;

namespace DataMesh.Cli.Commands;

/// <summary>
/// <c>datamesh init [FOLDER]</c>: a new mesh: <c>pipelines/mesh.yaml</c> with the baseline policies and the editor schemas
/// under <c>schemas/</c>, which <c>mesh.yaml</c>'s and <c>datamesh new</c>'s <c>$schema</c> lines point at.
/// </summary>
internal static class InitCommand
{
    public static Command Create()
    {
        var folder = new Argument<DirectoryInfo?>("FOLDER") { Description = "The mesh's folder (default: the current folder).", Arity = ArgumentArity.ZeroOrOne };
        var force = new Option<bool>("--force") { Description = "Overwrite mesh.yaml and the schemas when they exist (default: keep them)." };
        var json = CommonOptions.Json();
        var command = new Command("init", "Start a mesh: pipelines/mesh.yaml with the baseline policies, and the editor JSON schemas in schemas/.") { folder, force, json };
        command.SetAction(parse =>
        {
            var root = parse.GetValue(folder)?.FullName ?? Environment.CurrentDirectory;
            IReadOnlyList<string> written;
            try
            {
                written = MeshScaffold.Write(root, parse.GetValue(force));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"error: cannot write the mesh files in {root}: {ex.Message}");
                return ExitCodes.UsageOrEnvironment;
            }

            var all = MeshScaffold.SchemaFiles.Select(s => $"{MeshScaffold.SchemasFolder}/{s}").Prepend($"pipelines/{MeshPoliciesLoader.MeshFileName}").ToList();
            var kept = all.Except(written, StringComparer.Ordinal).ToList();
            if (parse.GetValue(json))
            {
                CliJson.Write(new { directory = root, written, kept, policies = MeshPolicies.Baseline.Policies.Select(p => p.Id) });
            }
            else
            {
                foreach (var file in written)
                {
                    Console.WriteLine($"Wrote {file}");
                }

                foreach (var file in kept)
                {
                    Console.WriteLine($"Kept {file} (already there; --force overwrites it)");
                }

                Console.WriteLine($"Next: datamesh new <domain>/<product>, then datamesh validate ({MeshPolicies.Baseline.Policies.Count} baseline policies in pipelines/mesh.yaml).");
            }

            return ExitCodes.Success;
        });
        return command;
    }
}
