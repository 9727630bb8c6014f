using System.CommandLine;

namespace DataMesh.Cli;

/// <summary>
/// Examples shown by <c>--help</c> under each command's description, and the exit codes every command shares.
/// One table, so every command has them and they stay in one place.
/// </summary>
internal static class CommandExamples
{
    private static readonly Dictionary<string, string[]> Examples = new(StringComparer.Ordinal)
    {
        ["validate"] = ["datamesh validate", "datamesh validate pipelines/finance --json", "datamesh validate --against main", "datamesh validate --against catalog"],
        ["init"] = ["datamesh init", "datamesh init my-mesh --json"],
        ["new"] = ["datamesh new finance/ledger-nordics"],
        ["diff"] = ["datamesh diff pipelines/finance/ledger-emea/contract.odcs.yaml new-contract.odcs.yaml"],
        ["impact"] = ["datamesh impact finance.ledger-emea", "datamesh impact finance.ledger-emea --contract new-contract.odcs.yaml --json"],
        ["run"] = ["datamesh run pipelines/finance/ledger-emea --input pipelines/finance/ledger-emea/samples/gl_entries_2026-10.csv", "datamesh run ./my-product --input a.csv --input b.csv --json", "datamesh run finance.consolidated-report   # rerun: rebuild from upstream releases and archived inputs"],
        ["drop"] = ["datamesh drop finance.ledger-emea pipelines/finance/ledger-emea/samples/gl_entries_2026-10.csv", "datamesh drop supply-chain.stock-levels stock.csv --json"],
        ["backfill"] = ["datamesh backfill finance.ledger-emea", "datamesh backfill finance.ledger-emea --from 2026-10-01 --to 2026-10-31 --json", "datamesh backfill supply-chain.stock-levels --partitions day=2026-11-02"],
        ["quarantine"] = ["datamesh quarantine list", "datamesh quarantine show ledger/emea/2026-10.csv", "datamesh quarantine replay --product finance.ledger-emea"],
        ["quarantine list"] = ["datamesh quarantine list finance.ledger-emea", "datamesh quarantine list --json"],
        ["quarantine show"] = ["datamesh quarantine show ledger/emea/2026-10.csv", "datamesh quarantine show ledger/emea/2026-10.csv --domain finance --json"],
        ["quarantine replay"] = ["datamesh quarantine replay ledger/emea/2026-10.csv", "datamesh quarantine replay --product finance.ledger-emea --json"],
        ["demo"] = ["datamesh demo", "datamesh demo --keep", "datamesh demo --json"],
        ["up"] = ["datamesh up", "datamesh up --port 8080 --json"],
        ["catalog"] = ["datamesh catalog list", "datamesh catalog show finance.revenue-global --json"],
        ["catalog list"] = ["datamesh catalog list --json"],
        ["catalog show"] = ["datamesh catalog show finance.revenue-global"],
        ["runs"] = ["datamesh runs list finance.ledger-emea", "datamesh runs show <run-id>"],
        ["runs list"] = ["datamesh runs list", "datamesh runs list finance.ledger-emea --limit 10", "datamesh runs list finance.ledger-emea --limit 10 --after <cursor> --json"],
        ["runs show"] = ["datamesh runs show <run-id>", "datamesh runs show <run-id> --json"],
        ["runs cancel"] = ["datamesh runs cancel finance.ledger-emea-20261201T101500000-1a2b3c4d", "datamesh runs cancel finance.ledger-emea-20261201T101500000-1a2b3c4d --json"],
        ["query"] = [
            "datamesh query finance.revenue-global \"SELECT region, sum(revenue) FROM revenue_global GROUP BY ALL\"",
            "datamesh query finance.ledger-emea@^1 \"SELECT count(*) FROM ledger_emea\" --format csv",
            "datamesh query finance.ledger-emea@1.0.0#2 \"SELECT * FROM ledger_emea\" --format parquet --out emea.parquet",
            "datamesh query workforce.payroll \"SELECT count(*) FROM payroll\" --as finance",
        ],
        ["bench"] = ["datamesh bench --rows 5000000", "datamesh bench --rows 1000000 --trace --json"],
        ["bench latency"] = ["datamesh bench latency --files 50"],
        ["bench catalog"] = ["datamesh bench catalog --products 10000 --lookups 1000"],
        ["bench concurrency"] = ["datamesh bench concurrency --products 50"],
        ["bench coldstart"] = ["datamesh bench coldstart", "datamesh bench coldstart --rows 1000000 --env DOTNET_TieredPGO=0 --json"],
        ["infra"] = ["datamesh infra", "datamesh infra --check"],
        ["infra app-roles"] = ["datamesh infra app-roles", "datamesh infra app-roles --existing current-roles.json"],
        ["infra hook"] = ["datamesh infra hook preprovision", "datamesh infra hook postprovision"],
        ["infra hook ensure-app"] = ["datamesh infra hook ensure-app --app-id 0a1b2c3d-0000-4000-8000-00000000a991", "datamesh infra hook ensure-app --app-name datamesh-mesh-api"],
        ["infra hook grant-domain"] = ["datamesh infra hook grant-domain --domain finance --mesh-api-client-id <appId> --principal-id <id>"],
    };

    /// <summary>Appends the examples (keyed by command path, e.g. <c>bench catalog</c>) and, on the root, the exit codes.</summary>
    public static void Apply(Command command, string path = "")
    {
        ArgumentNullException.ThrowIfNull(command);
        if (command is RootCommand)
        {
            command.Description += "\n\nExit codes: 0 success; 1 the thing checked failed (invalid spec, quality gate, run failed, access refused); 2 usage or environment error; 130 interrupted (Ctrl+C: the runs the command started were cancelled).";
        }
        else if (Examples.TryGetValue(path, out var examples))
        {
            command.Description += "\n\nExamples:\n" + string.Join("\n", examples.Select(e => "  " + e));
        }

        foreach (var sub in command.Subcommands)
        {
            Apply(sub, command is RootCommand ? sub.Name : $"{path} {sub.Name}");
        }
    }
}
