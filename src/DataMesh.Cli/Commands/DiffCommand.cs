using System.CommandLine;
using DataMesh.Contracts;
using DataMesh.Governance;
using DataMesh.Specs;

namespace DataMesh.Cli.Commands;

/// <summary><c>datamesh diff OLD NEW</c>: the changes between two contract versions and the semver bump they need.</summary>
internal static class DiffCommand
{
    public static Command Create()
    {
        var oldPath = new Argument<string>("OLD") { Description = "The earlier contract (an ODCS file, or a product folder)." };
        var newPath = new Argument<string>("NEW") { Description = "The later contract (an ODCS file, or a product folder)." };
        var json = CommonOptions.Json();
        var command = new Command("diff", "Compare two contract versions: breaking changes need a major bump, additive ones a minor bump; when either side is a product of a mesh, which consumers read each changed column. Exit 1 when NEW's version is too small or a consumer within its range breaks.")
        {
            oldPath, newPath, json,
        };
        command.SetAction(parse =>
        {
            var before = Load(parse.GetValue(oldPath)!);
            var after = Load(parse.GetValue(newPath)!);
            if (before.Contract is null || after.Contract is null)
            {
                Diagnostics.Print(before.Diagnostics.Concat(after.Diagnostics).Where(d => d.Severity == DiagnosticSeverity.Error));
                return before.Missing || after.Missing ? ExitCodes.UsageOrEnvironment : ExitCodes.CheckFailed;
            }

            var diff = ContractComparer.Compare(before.Contract, after.Contract);

            // Consumer-aware when either side is (or lies in) a product folder of a mesh: who reads each changed column.
            var product = ProductOf(parse.GetValue(newPath)!) ?? ProductOf(parse.GetValue(oldPath)!);
            var impact = product is null ? null : ConsumerImpact.Analyze(product, before.Contract, after.Contract, ImpactOutput.MeshAround(product.Directory));
            if (parse.GetValue(json))
            {
                CliJson.Write(new
                {
                    oldVersion = diff.OldVersion,
                    newVersion = diff.NewVersion,
                    required = diff.Required.ToString().ToLowerInvariant(),
                    declared = diff.Declared.ToString().ToLowerInvariant(),
                    sufficient = diff.VersionSufficient,
                    suggestedVersion = diff.SuggestedVersion,
                    changes = diff.Changes.Select(c => new { kind = c.Kind.ToString(), bump = c.Bump.ToString().ToLowerInvariant(), c.Object, c.Property, c.Description }),
                    consumers = impact is null ? null : ImpactOutput.Json(impact),
                });
            }
            else
            {
                if (impact is null)
                {
                    Console.WriteLine($"{diff.OldVersion} -> {diff.NewVersion}: {diff.Changes.Count} change(s) (no product folder on either side: consumers not looked up)");
                    foreach (var change in diff.Changes.OrderByDescending(c => c.Bump))
                    {
                        Console.WriteLine($"  {change}");
                    }
                }
                else
                {
                    foreach (var line in impact.ToLines())
                    {
                        Console.WriteLine(line);
                    }
                }

                var needs = diff.Required == VersionBump.None ? "Needs no version bump" : $"Needs a {diff.Required.ToString().ToLowerInvariant()} bump";
                var verdict = diff.VersionSufficient ? "enough" : $"too small, use {diff.SuggestedVersion} or later";
                Console.WriteLine($"{needs}; {diff.OldVersion} -> {diff.NewVersion} is {Article(diff.Declared)} bump: {verdict}.");
            }

            return diff.VersionSufficient && (impact is null || impact.Breaks.Count == 0) ? ExitCodes.Success : ExitCodes.CheckFailed;
        });
        return command;
    }

    /// <summary>The product whose folder <paramref name="path"/> is, or whose contract file it is; null otherwise.</summary>
    private static ProductSpec? ProductOf(string path)
    {
        var full = Path.GetFullPath(path);
        var folder = Directory.Exists(full) ? full : Path.GetDirectoryName(full);
        if (folder is null || !File.Exists(Path.Combine(folder, ProductSpecLoader.SpecFileName)))
        {
            return null;
        }

        var spec = ProductSpecLoader.Read(folder).Spec;
        return spec is not null && (Directory.Exists(full) || string.Equals(Path.GetFullPath(spec.Contract.Path), full, StringComparison.Ordinal)) ? spec : null;
    }

    private static string Article(VersionBump bump) => bump == VersionBump.None ? "no" : "a " + bump.ToString().ToLowerInvariant();

    private static (DataContract? Contract, IReadOnlyList<SpecDiagnostic> Diagnostics, bool Missing) Load(string path)
    {
        if (Directory.Exists(path))
        {
            var product = ProductSpecLoader.Read(path);
            return (product.Spec?.Contract, product.Diagnostics, !File.Exists(Path.Combine(path, ProductSpecLoader.SpecFileName)));
        }

        if (!File.Exists(path))
        {
            return (null, [new SpecDiagnostic(path, 1, 1, ContractDiagnosticCodes.ContractFileNotFound, "no such contract file or product folder.")], true);
        }

        var contract = ContractLoader.Read(path, requireSchema: false);
        return (contract.Contract, contract.Diagnostics, false);
    }
}
