using System.CommandLine;
using DataMesh.Contracts;
using DataMesh.Governance;
using DataMesh.Specs;

namespace DataMesh.Cli.Commands;

/// <summary>
/// <c>datamesh impact PRODUCT_ID [--contract NEW]</c>: which consumers of the mesh read each column of a product, and
/// what a new contract would do to them (broken, pinned on the old major, or no consumer reads the change), by binding
/// each consumer's SQL over the contract.
/// </summary>
internal static class ImpactCommand
{
    public static Command Create()
    {
        var productId = new Argument<string>("PRODUCT_ID") { Description = "The upstream product, e.g. finance.ledger-emea." };
        var contract = new Option<FileInfo?>("--contract") { Description = "A proposed new contract for the product (ODCS); without it, who reads each column today." };
        var pipelines = new Option<DirectoryInfo?>("--pipelines") { Description = "The folder of the mesh's products (default: pipelines/)." };
        var json = CommonOptions.Json();
        var command = new Command("impact", "Which consumers read which column of a product, through which range and where in their SQL; with --contract, which a new contract breaks or leaves pinned. Exit 1 when a consumer within the new version's range breaks.")
        {
            productId, contract, pipelines, json,
        };
        command.SetAction(parse =>
        {
            var root = parse.GetValue(pipelines)?.FullName ?? Path.GetFullPath("pipelines");
            if (!Directory.Exists(root))
            {
                Console.Error.WriteLine($"error: '{root}' does not exist: run from the mesh's folder or pass --pipelines.");
                return ExitCodes.UsageOrEnvironment;
            }

            var mesh = ImpactOutput.Products(root);
            var id = parse.GetValue(productId)!;
            if (mesh.FirstOrDefault(p => p.Id == id) is not { } upstream)
            {
                Console.Error.WriteLine($"error: no product '{id}' in {root}; its products: {string.Join(", ", mesh.Select(p => p.Id).Order(StringComparer.Ordinal))}.");
                return ExitCodes.UsageOrEnvironment;
            }

            ConsumerImpactReport report;
            var proposed = parse.GetValue(contract);
            if (proposed is null)
            {
                report = ConsumerImpact.Readers(upstream, mesh);
            }
            else
            {
                if (!proposed.Exists)
                {
                    Console.Error.WriteLine($"error: the contract '{proposed}' does not exist.");
                    return ExitCodes.UsageOrEnvironment;
                }

                var loaded = ContractLoader.Read(proposed.FullName, requireSchema: false);
                if (loaded.Contract is null)
                {
                    Diagnostics.Print(loaded.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error));
                    return ExitCodes.CheckFailed;
                }

                report = ConsumerImpact.Analyze(upstream, upstream.Contract, loaded.Contract, mesh);
            }

            if (parse.GetValue(json))
            {
                CliJson.Write(ImpactOutput.Json(report));
            }
            else if (proposed is null)
            {
                Console.WriteLine($"{report.ProductId} {upstream.Version}: {report.Consumers.Count} consumer input(s){(report.Consumers.Count == 0 ? "" : ": " + string.Join(", ", report.Consumers))}");
                foreach (var column in report.Changes)
                {
                    Console.WriteLine(column.ReadByNone
                        ? $"  {column.Change.Property}: no consumer reads it"
                        : $"  {column.Change.Property}: read by {string.Join("; ", column.Readers.Select(r => $"{r.Consumer} at {r.Location}"))}");
                }

                foreach (var (consumer, reason) in report.NotJudged)
                {
                    Console.WriteLine($"  not judged: {consumer}: {reason}");
                }
            }
            else
            {
                foreach (var line in report.ToLines())
                {
                    Console.WriteLine(line);
                }
            }

            return proposed is not null && report.Breaks.Count > 0 ? ExitCodes.CheckFailed : ExitCodes.Success;
        });
        return command;
    }
}
