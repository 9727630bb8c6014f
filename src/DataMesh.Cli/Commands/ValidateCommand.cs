using System.CommandLine;
using System.Diagnostics;
using Azure;
using Azure.Storage.Blobs;
using DataMesh.Contracts;
using DataMesh.Governance;
using DataMesh.Local;
using DataMesh.Local.Azurite;
using DataMesh.Publishing;
using DataMesh.Specs;

namespace DataMesh.Cli.Commands;

/// <summary>
/// <c>datamesh validate [PATH...]</c>: check product specs, their contracts (our reader, and the official ODCS schema
/// when it is at hand) and the mesh policies of <c>mesh.yaml</c>; every diagnostic at once, sorted, then a summary.
/// </summary>
/// <remarks>
/// Only <c>--against catalog</c> touches storage; everything else stays offline and fast.
/// </remarks>
internal static class ValidateCommand
{
    /// <summary>The <c>--against</c> value that compares with the last published releases instead of a git ref.</summary>
    private const string CatalogRef = "catalog";

    /// <summary>Marks a group of products governed by the built-in baseline (no mesh.yaml) in the grouping key.</summary>
    private const string BaselinePrefix = "baseline:";

    public static Command Create()
    {
        var paths = new Argument<string[]>("PATH") { Description = "Product folders or trees to validate (default: pipelines/).", Arity = ArgumentArity.ZeroOrMore };
        var mesh = new Option<FileInfo?>("--mesh") { Description = "The mesh policies file (default: mesh.yaml in the nearest folder at or above each PATH)." };
        var against = new Option<string?>("--against")
        {
            Description = "Also compare each contract with its version at this git ref (e.g. origin/main), or with the product's last release in the local mesh "
                + "(catalog), and fail when the version bump is too small for the changes or a consumer within the new version's range reads a removed or narrowed column.",
        };
        var json = CommonOptions.Json();
        var command = new Command("validate", "Validate product specs, contracts and mesh policies; diagnostics as file:line:col: error DM1234: message.") { paths, mesh, against, json };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var roots = parse.GetValue(paths) is { Length: > 0 } given ? given : ["pipelines"];
            var meshFile = parse.GetValue(mesh);
            if (meshFile is not null && !meshFile.Exists)
            {
                Console.Error.WriteLine($"error: the mesh file '{meshFile}' does not exist.");
                return ExitCodes.UsageOrEnvironment;
            }

            var againstRef = parse.GetValue(against);
            var againstCatalog = againstRef == CatalogRef;
            if (againstCatalog)
            {
                againstRef = null;
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
            if (againstCatalog && report.Specs.Count > 0)
            {
                CatalogComparison catalog;
                try
                {
                    catalog = await CompareWithCatalogAsync(report.Specs, report.Meshes, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is RequestFailedException or AggregateException or InvalidOperationException or TimeoutException or FormatException)
                {
                    var storage = AzuriteServer.ConnectionStringFromEnvironment() is not null
                        ? "the storage in DATAMESH_STORAGE"
                        : $"the local mesh's Azurite (state in {new LocalMeshOptions().ResolveStateDirectory()})";
                    await Console.Error.WriteLineAsync(
                        $"error: --against catalog could not read the releases in {storage}: {Reason(ex)}. "
                        + "Start the mesh (datamesh run or demo), fix DATAMESH_STORAGE, or compare with a git ref (--against origin/main).").ConfigureAwait(false);
                    return ExitCodes.UsageOrEnvironment;
                }

                report = report with { Diagnostics = Sorted(report.Diagnostics.Concat(catalog.Diagnostics)), ComparedWithCatalog = catalog.Compared };
            }
            else if (againstCatalog)
            {
                report = report with { ComparedWithCatalog = 0 };
            }

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
                    baselinePolicies = report.Baseline,
                    odcsSchemas = report.OdcsSchemas,
                    comparedWithCatalog = report.ComparedWithCatalog,
                    diagnostics = report.Diagnostics.Select(d => new { d.File, d.Line, d.Column, d.Code, severity = d.Severity.ToString().ToLowerInvariant(), d.Message }),
                });
            }
            else
            {
                Diagnostics.Print(report.Diagnostics);
                var policies = (report.MeshFiles.Count, report.Baseline) switch
                {
                    (0, true) => "no mesh.yaml found, built-in baseline policies checked (datamesh init writes pipelines/mesh.yaml)",
                    (_, true) => $"policies of {string.Join(", ", report.MeshFiles)}, and the built-in baseline where no mesh.yaml governs",
                    (0, false) => "no mesh.yaml found",
                    _ => $"policies of {string.Join(", ", report.MeshFiles)}",
                };
                var odcs = report.OdcsSchemas is null
                    ? $"ODCS schema check skipped (no shared/standards/odcs found; set {OdcsSchemaValidator.FolderVariable})"
                    : "contracts checked against the ODCS JSON schema";
                var catalog = report.ComparedWithCatalog is { } compared ? $"; {compared} product(s) compared with their last release in the catalog" : "";
                Console.Error.WriteLine($"{report.Products} product(s) checked, {errors} error(s), {warnings} warning(s); {policies}; {odcs}{catalog}.");
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
        var baseline = false;
        var meshes = new Dictionary<string, IReadOnlyList<ProductSpec>>(StringComparer.Ordinal);

        // A product is governed by the nearest mesh.yaml; without one, by the built-in baseline over the products of its
        // pipelines/ folder (Baseline: prefixes those groups' keys).
        var groups = productDirectories.GroupBy(d => meshFile ?? MeshPoliciesLoader.Find(d) ?? BaselinePrefix + MeshRootWithoutFile(d), StringComparer.Ordinal);
        if (meshFile is null && productDirectories.Count == 0)
        {
            groups = roots.Select(r => MeshPoliciesLoader.Find(r)).OfType<string>().GroupBy(f => f, StringComparer.Ordinal);
        }

        foreach (var group in groups)
        {
            MeshPolicies? policies;
            string meshRoot;
            if (group.Key.StartsWith(BaselinePrefix, StringComparison.Ordinal))
            {
                baseline = true;
                policies = MeshPolicies.Baseline;
                meshRoot = group.Key[BaselinePrefix.Length..];
            }
            else
            {
                var mesh = MeshPoliciesLoader.Read(group.Key);
                diagnostics.AddRange(mesh.Diagnostics);
                meshFiles.Add(Shown(group.Key));
                policies = mesh.Policies;
                meshRoot = Path.GetDirectoryName(group.Key)!;
            }

            var evaluated = group.Where(loaded.ContainsKey).Select(d => loaded[d]).ToList();
            var (meshProducts, meshUnloaded) = MeshProducts(meshRoot, loaded, unloaded);
            evaluated.ForEach(p => meshes[p.SpecPath] = meshProducts);

            // Landing paths that overlap and upstreams that do not exist are spec errors whatever the policies say;
            // each is reported in the evaluated product's own spec.
            var evaluatedSpecs = evaluated.Select(s => s.SpecPath).ToHashSet(StringComparer.Ordinal);
            diagnostics.AddRange(MeshSpecChecks.Check(meshProducts.Concat(evaluated).DistinctBy(p => p.SpecPath).ToList(), meshUnloaded)
                .Where(d => evaluatedSpecs.Contains(Path.GetFullPath(d.File))));

            // Every transform and sql rule bound over its inputs' declared columns and its upstreams' contracts.
            diagnostics.AddRange(TransformBindCheck.Check(evaluated, meshProducts));
            if (policies is not null)
            {
                diagnostics.AddRange(PolicyEngine.Evaluate(evaluated, policies, new PolicyContext
                {
                    MeshProducts = meshProducts,
                    UnloadedProducts = meshUnloaded,
                }));
            }
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
                diagnostics.AddRange(CompareWithRevision(spec, againstRef, meshes.GetValueOrDefault(spec.SpecPath, [spec])));
            }
        }

        return new ValidationReport(productDirectories.Count, Sorted(diagnostics), meshFiles, odcs?.Folder, loaded.Values.ToList()) { Baseline = baseline, Meshes = meshes };
    }

    private static List<SpecDiagnostic> Sorted(IEnumerable<SpecDiagnostic> diagnostics) =>
        diagnostics
            .Distinct()
            .OrderBy(d => d.File, StringComparer.Ordinal)
            .ThenBy(d => d.Line)
            .ThenBy(d => d.Column)
            .ThenBy(d => d.Code, StringComparer.Ordinal)
            .ToList();

    /// <summary>
    /// The version check of each product against its newest release (over all versions) in the local mesh of the
    /// current directory, read from the contract snapshot the publish stage stores in the release folder.
    /// Products never published, or released without a readable snapshot, are not compared.
    /// </summary>
    private static async Task<CatalogComparison> CompareWithCatalogAsync(IReadOnlyList<ProductSpec> specs, IReadOnlyDictionary<string, IReadOnlyList<ProductSpec>> meshes, CancellationToken cancellationToken)
    {
        await using var storage = await LocalStorage.OpenAsync(new LocalMeshOptions(), cancellationToken).ConfigureAwait(false);

        // Few, short retries: a stopped mesh should fail validate in seconds, not after the SDK's default back-off.
        var clientOptions = new BlobClientOptions { Retry = { MaxRetries = 2, Delay = TimeSpan.FromMilliseconds(500) } };
        var diagnostics = new List<SpecDiagnostic>();
        var compared = 0;
        foreach (var spec in specs)
        {
            var store = new ReleaseStore(new BlobContainerClient(storage.DomainConnectionString(spec.Domain), storage.Storage.Products(spec.Domain).Name, clientOptions));
            (string Version, int Release, string Folder)? latest;
            try
            {
                latest = await store.LatestReleaseAsync(spec.Name, _ => true, cancellationToken).ConfigureAwait(false);
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
                latest = null; // the domain has no products container: nothing of it was ever published
            }

            if (latest is not { } release)
            {
                continue;
            }

            var snapshot = await store.ReadTextAsync(release.Folder + PublishGate.ContractSnapshotName, cancellationToken).ConfigureAwait(false);
            // A snapshot that does not load cannot be compared.
            var previous = snapshot is null ? null : ContractLoader.Parse(snapshot, release.Folder + PublishGate.ContractSnapshotName).Contract;
            if (previous is null)
            {
                continue;
            }

            compared++;
            diagnostics.AddRange(ReleaseCompatibility.Check(spec, previous, $"release {release.Version}#{release.Release} in the catalog"));
            diagnostics.AddRange(ConsumerImpact.Check(spec, previous, meshes.GetValueOrDefault(spec.SpecPath, [spec])));
        }

        return new CatalogComparison(compared, diagnostics);
    }

    /// <summary>Why storage failed, once: a client that gave up after its retries repeats the same cause per try.</summary>
    private static string Reason(Exception exception) =>
        exception is AggregateException retries
            ? string.Join("; ", retries.InnerExceptions.Select(e => e.Message).Distinct(StringComparer.Ordinal)) + $" ({retries.InnerExceptions.Count} tries)"
            : exception.Message.TrimEnd('.');

    /// <summary>
    /// The version check, and the consumers of the mesh the change breaks or leaves pinned, against the product's
    /// contract at <paramref name="revision"/>; nothing when the contract is new there.
    /// </summary>
    private static IReadOnlyList<SpecDiagnostic> CompareWithRevision(ProductSpec spec, string revision, IReadOnlyList<ProductSpec> mesh)
    {
        var relative = Path.GetRelativePath(spec.Directory, spec.Contract.Path).Replace('\\', '/');
        var text = Git(spec.Directory, "show", $"{revision}:./{relative}");
        if (text is null)
        {
            return [];
        }

        var previous = ContractLoader.Parse(text, $"{revision}:{relative}", requireSchema: false).Contract;
        return previous is null ? [] : [.. ReleaseCompatibility.Check(spec, previous, revision), .. ConsumerImpact.Check(spec, previous, mesh)];
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

    /// <summary>The products governed together when no mesh.yaml is found: those of the nearest <c>pipelines/</c> folder above, else the folder alone.</summary>
    private static string MeshRootWithoutFile(string productDirectory)
    {
        for (var directory = Directory.GetParent(productDirectory); directory is not null; directory = directory.Parent)
        {
            if (directory.Name == "pipelines")
            {
                return directory.FullName;
            }
        }

        return productDirectory;
    }

    /// <summary>The id a product folder would have in the <c>pipelines/&lt;domain&gt;/&lt;product&gt;/</c> layout.</summary>
    private static string FolderProductId(string directory) =>
        $"{Path.GetFileName(Path.GetDirectoryName(directory))}.{Path.GetFileName(directory)}";

    private sealed record ValidationReport(
        int Products, IReadOnlyList<SpecDiagnostic> Diagnostics, IReadOnlyList<string> MeshFiles, string? OdcsSchemas, IReadOnlyList<ProductSpec> Specs)
    {
        /// <summary>How many products were compared with a release in the catalog; null without <c>--against catalog</c>.</summary>
        public int? ComparedWithCatalog { get; init; }

        /// <summary>Some products had no mesh.yaml and were held to the built-in baseline policies.</summary>
        public bool Baseline { get; init; }

        /// <summary>The products of each validated product's mesh, by spec path: where its consumers are looked up.</summary>
        public IReadOnlyDictionary<string, IReadOnlyList<ProductSpec>> Meshes { get; init; } = new Dictionary<string, IReadOnlyList<ProductSpec>>();
    }

    private sealed record CatalogComparison(int Compared, IReadOnlyList<SpecDiagnostic> Diagnostics);

    /// <summary>A path as diagnostics show it: relative to the working directory when below it.</summary>
    private static string Shown(string fullPath)
    {
        var relative = Path.GetRelativePath(Environment.CurrentDirectory, fullPath);
        return relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative) ? fullPath : relative;
    }
}
