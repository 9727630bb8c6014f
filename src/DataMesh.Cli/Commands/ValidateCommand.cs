using System.CommandLine;
using System.Diagnostics;
using DataMesh.Contracts;
using DataMesh.Governance;
using DataMesh.Specs;

namespace DataMesh.Cli.Commands;

/// <summary>
/// <c>datamesh validate [PATH...]</c>: check product specs, their contracts (our reader, and the official ODCS schema
/// when it is at hand) and the mesh policies of <c>mesh.yaml</c>; every diagnostic at once, sorted, then a summary.
/// </summary>
internal static class ValidateCommand
{
    public static Command Create()
    {
        var paths = new Argument<string[]>("PATH") { Description = "Product folders or trees to validate (default: pipelines/).", Arity = ArgumentArity.ZeroOrMore };
        var mesh = new Option<FileInfo?>("--mesh") { Description = "The mesh policies file (default: mesh.yaml in the nearest folder at or above each PATH)." };
        var against = new Option<string?>("--against")
        {
            Description = "Also compare each contract with its version at this git ref (e.g. origin/main) and fail when the version bump is too small for the changes.",
        };
        var json = CommonOptions.Json();
        var command = new Command("validate", "Validate product specs, contracts and mesh policies; diagnostics as file:line:col: error DM1234: message.") { paths, mesh, against, json };
        command.SetAction(parse =>
        {
            var roots = parse.GetValue(paths) is { Length: > 0 } given ? given : ["pipelines"];
            var meshFile = parse.GetValue(mesh);
            if (meshFile is not null && !meshFile.Exists)
            {
                Console.Error.WriteLine($"error: the mesh file '{meshFile}' does not exist.");
                return ExitCodes.UsageOrEnvironment;
            }

            var againstRef = parse.GetValue(against);
            if (againstRef == "catalog")
            {
                Console.Error.WriteLine("error: --against catalog is not available yet; give a git ref (e.g. --against origin/main).");
                return ExitCodes.UsageOrEnvironment;
            }

            if (againstRef is not null && Git(Environment.CurrentDirectory, "rev-parse", "--verify", "--quiet", againstRef + "^{commit}") is null)
            {
                Console.Error.WriteLine($"error: '{againstRef}' is not a git commit here (run git fetch, or name a branch, tag or commit).");
                return ExitCodes.UsageOrEnvironment;
            }

            var products = new List<string>();
            foreach (var root in roots)
            {
                if (File.Exists(Path.Combine(root, ProductSpecLoader.SpecFileName)))
                {
                    products.Add(Path.GetFullPath(root));
                }
                else if (Directory.Exists(root))
                {
                    products.AddRange(ProductSpecLoader.FindProductDirectories(root));
                }
                else
                {
                    Console.Error.WriteLine($"error: '{root}' is neither a product folder nor a folder of products.");
                    return ExitCodes.UsageOrEnvironment;
                }
            }

            var report = Validate(products.Distinct(StringComparer.Ordinal).ToList(), roots, meshFile?.FullName, againstRef);
            var errors = report.Diagnostics.Count(d => d.Severity == DiagnosticSeverity.Error);
            var warnings = report.Diagnostics.Count - errors;
            if (parse.GetValue(json))
            {
                CliJson.Write(new
                {
                    products = report.Products,
                    errors,
                    warnings,
                    mesh = report.MeshFiles,
                    odcsSchemas = report.OdcsSchemas,
                    diagnostics = report.Diagnostics.Select(d => new { d.File, d.Line, d.Column, d.Code, severity = d.Severity.ToString().ToLowerInvariant(), d.Message }),
                });
            }
            else
            {
                Diagnostics.Print(report.Diagnostics);
                var policies = report.MeshFiles.Count == 0 ? "no mesh.yaml found, mesh policies not checked" : $"policies of {string.Join(", ", report.MeshFiles)}";
                var odcs = report.OdcsSchemas is null
                    ? $"ODCS schema check skipped (no shared/standards/odcs found; set {OdcsSchemaValidator.FolderVariable})"
                    : "contracts checked against the ODCS JSON schema";
                Console.Error.WriteLine($"{report.Products} product(s) checked, {errors} error(s), {warnings} warning(s); {policies}; {odcs}.");
            }

            return errors == 0 ? ExitCodes.Success : ExitCodes.CheckFailed;
        });
        return command;
    }

    private static ValidationReport Validate(IReadOnlyList<string> productDirectories, IReadOnlyList<string> roots, string? meshFile, string? againstRef)
    {
        var diagnostics = new List<SpecDiagnostic>();
        var loaded = new Dictionary<string, ProductSpec>(StringComparer.Ordinal);
        var unloaded = new HashSet<string>(StringComparer.Ordinal);
        foreach (var directory in productDirectories)
        {
            var result = ProductSpecLoader.Read(directory);
            diagnostics.AddRange(result.Diagnostics);
            if (result.Spec is not null)
            {
                loaded[directory] = result.Spec;
            }
            else
            {
                unloaded.Add(FolderProductId(directory));
            }
        }

        var meshFiles = new List<string>();
        var groups = productDirectories.GroupBy(d => meshFile ?? MeshPoliciesLoader.Find(d), StringComparer.Ordinal);
        if (meshFile is null && productDirectories.Count == 0)
        {
            groups = roots.GroupBy(r => MeshPoliciesLoader.Find(r), StringComparer.Ordinal);
        }

        foreach (var group in groups.Where(g => g.Key is not null))
        {
            var meshPath = group.Key!;
            var mesh = MeshPoliciesLoader.Read(meshPath);
            diagnostics.AddRange(mesh.Diagnostics);
            meshFiles.Add(Shown(meshPath));
            if (mesh.Policies is null)
            {
                continue;
            }

            var evaluated = group.Where(loaded.ContainsKey).Select(d => loaded[d]).ToList();
            var (meshProducts, meshUnloaded) = MeshProducts(Path.GetDirectoryName(meshPath)!, loaded, unloaded);
            diagnostics.AddRange(PolicyEngine.Evaluate(evaluated, mesh.Policies, new PolicyContext
            {
                MeshProducts = meshProducts,
                UnloadedProducts = meshUnloaded,
            }));
        }

        var odcs = OdcsSchemaValidator.Locate(Environment.CurrentDirectory)
            ?? roots.Select(OdcsSchemaValidator.Locate).FirstOrDefault(v => v is not null);
        if (odcs is not null)
        {
            foreach (var contract in loaded.Values.Select(s => s.Contract.Path).Distinct(StringComparer.Ordinal))
            {
                diagnostics.AddRange(odcs.Validate(contract));
            }
        }

        if (againstRef is not null)
        {
            foreach (var spec in loaded.Values)
            {
                diagnostics.AddRange(CompareWithRevision(spec, againstRef));
            }
        }

        var sorted = diagnostics
            .Distinct()
            .OrderBy(d => d.File, StringComparer.Ordinal)
            .ThenBy(d => d.Line)
            .ThenBy(d => d.Column)
            .ThenBy(d => d.Code, StringComparer.Ordinal)
            .ToList();
        return new ValidationReport(productDirectories.Count, sorted, meshFiles, odcs?.Folder);
    }

    /// <summary>The version check against the product's contract at <paramref name="revision"/>; nothing when the contract is new there.</summary>
    private static IReadOnlyList<SpecDiagnostic> CompareWithRevision(ProductSpec spec, string revision)
    {
        var relative = Path.GetRelativePath(spec.Directory, spec.Contract.Path).Replace('\\', '/');
        var text = Git(spec.Directory, "show", $"{revision}:./{relative}");
        if (text is null)
        {
            return [];
        }

        var file = Path.Combine(Path.GetTempPath(), $"datamesh-{Guid.NewGuid():N}.odcs.yaml");
        try
        {
            File.WriteAllText(file, text);
            var previous = ContractLoader.Read(file, requireSchema: false).Contract;
            return previous is null ? [] : ReleaseCompatibility.Check(spec, previous, revision);
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>Runs git in <paramref name="directory"/>: its standard output, or null when it fails (or git is missing).</summary>
    private static string? Git(string directory, params string[] arguments)
    {
        var start = new ProcessStartInfo("git") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = directory };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        try
        {
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync();
            _ = process.StandardError.ReadToEnd();
            process.WaitForExit();
            return process.ExitCode == 0 ? output.Result : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }

    /// <summary>Every product of the mesh rooted at <paramref name="meshRoot"/>, reusing those loaded already; folders that do not load count as unloaded.</summary>
    private static (List<ProductSpec> Products, HashSet<string> Unloaded) MeshProducts(
        string meshRoot, Dictionary<string, ProductSpec> loaded, HashSet<string> unloaded)
    {
        var products = new List<ProductSpec>();
        var failed = new HashSet<string>(unloaded, StringComparer.Ordinal);
        foreach (var directory in ProductSpecLoader.FindProductDirectories(meshRoot))
        {
            if (loaded.TryGetValue(directory, out var spec))
            {
                products.Add(spec);
                continue;
            }

            var result = ProductSpecLoader.Read(directory);
            if (result.Spec is not null)
            {
                products.Add(result.Spec);
            }
            else
            {
                failed.Add(FolderProductId(directory));
            }
        }

        return (products, failed);
    }

    /// <summary>The id a product folder would have in the <c>pipelines/&lt;domain&gt;/&lt;product&gt;/</c> layout.</summary>
    private static string FolderProductId(string directory) =>
        $"{Path.GetFileName(Path.GetDirectoryName(directory))}.{Path.GetFileName(directory)}";

    private sealed record ValidationReport(int Products, IReadOnlyList<SpecDiagnostic> Diagnostics, IReadOnlyList<string> MeshFiles, string? OdcsSchemas);

    /// <summary>A path as diagnostics show it: relative to the working directory when below it.</summary>
    private static string Shown(string fullPath)
    {
        var relative = Path.GetRelativePath(Environment.CurrentDirectory, fullPath);
        return relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative) ? fullPath : relative;
    }
}
