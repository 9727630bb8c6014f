using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using DataMesh.Consumption;
using DataMesh.Pipeline;
using DataMesh.Specs;

namespace DataMesh.Cli.Commands;

/// <summary>
/// <c>datamesh infra [--pipelines DIR] [--out FILE] [--check]</c>: writes the upstream subscriptions each domain's specs
/// need (<c>infra/generated/subscriptions.json</c>, loaded by <c>infra/main.bicep</c>); with <c>--check</c> only says
/// whether the file is up to date, for CI and hooks. Exit 1 when the specs are invalid or (with <c>--check</c>) the file is stale.
/// <c>datamesh infra app-roles [--existing FILE]</c> prints the mesh API app registration's app roles for the hub's
/// preprovision hook computes (<see cref="MeshApiAppRoles"/>); <c>datamesh infra hook</c> runs the azd hooks (<see cref="InfraHookCommand"/>).
/// </summary>
internal static class InfraCommand
{
    public static Command Create()
    {
        var pipelines = new Option<DirectoryInfo>("--pipelines")
        {
            Description = "The mesh's specs folder.",
            DefaultValueFactory = _ => new DirectoryInfo("pipelines"),
        };
        var output = new Option<FileInfo>("--out")
        {
            Description = "The file to write (or, with --check, to compare).",
            DefaultValueFactory = _ => new FileInfo(UpstreamSubscriptionsFile.DefaultPath),
        };
        var check = new Option<bool>("--check") { Description = "Write nothing; exit 1 when FILE differs from what the specs produce." };
        var json = CommonOptions.Json();
        var command = new Command("infra", "Generate infra/generated/subscriptions.json (each domain's upstream products, read by infra/main.bicep) from the specs.")
        {
            pipelines, output, check, json, AppRoles(), InfraHookCommand.Create(),
        };
        command.SetAction((parse, cancellationToken) =>
            WriteSubscriptionsAsync(parse.GetValue(pipelines)!, parse.GetValue(output)!, parse.GetValue(check), parse.GetValue(json), cancellationToken));
        return command;
    }

    /// <summary>Writes (or with <paramref name="checkOnly"/> compares) the upstream subscriptions file of the specs under <paramref name="root"/>; the exit code.</summary>
    internal static async Task<int> WriteSubscriptionsAsync(DirectoryInfo root, FileInfo file, bool checkOnly, bool json, CancellationToken cancellationToken)
    {
        var (registry, failed) = await LoadSpecsAsync(root, "and run datamesh infra again").ConfigureAwait(false);
        if (registry is null)
        {
            return failed;
        }

        if (registry.All.Count == 0)
        {
            await Console.Error.WriteLineAsync($"error: no product under '{root}': nothing to subscribe to.").ConfigureAwait(false);
            return ExitCodes.UsageOrEnvironment;
        }

        var text = UpstreamSubscriptionsFile.Generate(registry.All);
        var domains = UpstreamSubscriptionsFile.UpstreamProducts(registry.All);
        var current = file.Exists ? await File.ReadAllTextAsync(file.FullName, cancellationToken).ConfigureAwait(false) : null;
        var upToDate = string.Equals(current?.ReplaceLineEndings("\n"), text, StringComparison.Ordinal);
        var written = false;
        if (!checkOnly && !upToDate)
        {
            file.Directory?.Create();
            await File.WriteAllTextAsync(file.FullName, text, cancellationToken).ConfigureAwait(false);
            written = true;
        }

        if (json)
        {
            CliJson.Write(new { file = file.FullName, check = checkOnly, upToDate, written, domains });
        }
        else
        {
            foreach (var (domain, upstream) in domains)
            {
                await Console.Error.WriteLineAsync($"{domain}: {(upstream.Count == 0 ? "no upstream products" : string.Join(", ", upstream))}").ConfigureAwait(false);
            }

            var verdict = (checkOnly, upToDate) switch
            {
                (_, true) => $"{file} is up to date.",
                (true, false) => current is null
                    ? $"error: {file} does not exist: run `datamesh infra --out {file}` and commit it."
                    : $"error: {file} is stale: the specs under {root} need other upstream subscriptions. Run `datamesh infra --out {file}` and commit the result.",
                (false, false) => $"wrote {file}.",
            };
            await Console.Error.WriteLineAsync(verdict).ConfigureAwait(false);
        }

        return checkOnly && !upToDate ? ExitCodes.CheckFailed : ExitCodes.Success;
    }

    /// <summary><c>infra app-roles</c>: the JSON array <c>az ad app update --app-roles</c> takes, on stdout.</summary>
    private static Command AppRoles()
    {
        var pipelines = new Option<DirectoryInfo>("--pipelines")
        {
            Description = "The mesh's specs folder: one DataMesh.Domain.<domain> role per domain with products.",
            DefaultValueFactory = _ => new DirectoryInfo("pipelines"),
        };
        var existing = new Option<FileInfo?>("--existing")
        {
            Description = "The registration's current appRoles (az ad app show --query appRoles -o json): their ids are kept, retired mesh roles disabled.",
        };
        var command = new Command("app-roles", "Print the app roles of the mesh API app registration (DataMesh.Operator, DataMesh.Domain.<domain>) as the JSON array `az ad app update --app-roles` takes.")
        {
            pipelines, existing,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var root = parse.GetValue(pipelines)!;
            var current = parse.GetValue(existing);
            var (registry, failed) = await LoadSpecsAsync(root, "first").ConfigureAwait(false);
            if (registry is null)
            {
                return failed;
            }

            JsonArray? roles = null;
            if (current is not null)
            {
                try
                {
                    var text = await File.ReadAllTextAsync(current.FullName, cancellationToken).ConfigureAwait(false);
                    // `az ad app show --query appRoles` prints nothing at all for a registration without roles.
                    roles = string.IsNullOrWhiteSpace(text) ? null : JsonNode.Parse(text) as JsonArray
                        ?? throw new JsonException("it is not a JSON array");
                }
                catch (Exception ex) when (ex is IOException or JsonException)
                {
                    await Console.Error.WriteLineAsync($"error: --existing {current}: {ex.Message} (expected the output of az ad app show --query appRoles -o json).").ConfigureAwait(false);
                    return ExitCodes.UsageOrEnvironment;
                }
            }

            try
            {
                var merged = MeshApiAppRoles.Merge(registry.All.Select(p => p.Domain), roles);
                Console.Out.WriteLine(merged.ToJsonString(CliJson.Options));
                return ExitCodes.Success;
            }
            catch (ArgumentException ex)
            {
                await Console.Error.WriteLineAsync($"error: {ex.Message}").ConfigureAwait(false);
                return ExitCodes.CheckFailed;
            }
        });
        return command;
    }

    /// <summary>The specs under <paramref name="root"/>, or null and the exit code after saying why they cannot be read.</summary>
    internal static async Task<(ProductRegistry? Registry, int ExitCode)> LoadSpecsAsync(DirectoryInfo root, string then)
    {
        if (!root.Exists)
        {
            await Console.Error.WriteLineAsync($"error: the specs folder '{root}' does not exist: run from the repository root or pass --pipelines DIR.").ConfigureAwait(false);
            return (null, ExitCodes.UsageOrEnvironment);
        }

        try
        {
            return (ProductRegistry.LoadFrom(root.FullName), ExitCodes.Success);
        }
        catch (SpecValidationException ex)
        {
            Diagnostics.Print(ex.Diagnostics);
            await Console.Error.WriteLineAsync($"error: the specs under '{root}' do not load ({ex.Diagnostics.Count} error(s)): fix them (datamesh validate) {then}.").ConfigureAwait(false);
            return (null, ExitCodes.CheckFailed);
        }
    }
}
