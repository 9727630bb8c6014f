using DataMesh.Engine;
using DataMesh.Pipeline;

namespace DataMesh.Cli.Commands;

/// <summary>
/// What the dataset benchmarks share: writing a product of the <c>bench</c> domain (spec, transform and a contract whose
/// only rule is a non-empty output) in a scratch folder, and generating their inputs with DuckDB alone.
/// </summary>
internal static class BenchProducts
{
    public const string Domain = "bench";

    /// <summary>
    /// Writes <c>bench.<paramref name="name"/></c> under <paramref name="root"/>: <paramref name="body"/> is the spec's
    /// inputs/transform/output block, <paramref name="properties"/> the contract's indented column list. Returns its folder.
    /// </summary>
    public static string Write(string root, string name, string description, string body, string sql, string properties)
    {
        var dir = Path.Combine(root, name);
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "product.yaml"), $$"""
            apiVersion: datamesh/v1
            kind: DataProduct
            domain: {{Domain}}
            name: {{name}}
            version: 1.0.0
            description: {{description}}
            owner: { team: Bench, email: bench@example.com }
            {{body}}
            """);
        File.WriteAllText(Path.Combine(dir, "transform.sql"), sql);
        File.WriteAllText(Path.Combine(dir, "contract.odcs.yaml"), $$"""
            apiVersion: v3.1.0
            kind: DataContract
            id: urn:bench:{{name}}
            version: 1.0.0
            schema:
              - name: {{name.Replace('-', '_')}}
                properties:
            {{properties}}
                quality:
                  - { metric: rowCount, mustBeGreaterThan: 0 }
            """);
        return dir;
    }

    /// <summary>
    /// A product of daily partitions fed by parquet files dropped under <c>landing/<paramref name="name"/>/</c>: events with a
    /// <c>day</c>, a customer and an amount that must never be null.
    /// </summary>
    public static string WriteDaily(string root, string name, string description) => Write(root, name, description, $$"""
        inputs:
          - name: events
            landing: { path: {{name}}/, format: parquet }
        transform: { sql: transform.sql }
        output: { contract: contract.odcs.yaml, mode: partitions, partitionBy: [day] }
        """,
        "SELECT event_id, day, customer_id, amount FROM events",
        """
              - { name: event_id, physicalType: varchar, required: true }
              - { name: day, physicalType: date, required: true }
              - { name: customer_id, physicalType: bigint }
              - name: amount
                physicalType: "decimal(18,2)"
                quality:
                  - { metric: nullValues, mustBe: 0 }
        """);

    /// <summary>
    /// Runs <paramref name="sql"/> (input generation: COPY ... TO a file under <paramref name="folder"/>) in a throwaway
    /// DuckDB session with the limits of a session outside a run (<see cref="EngineLimits.Side"/>): the generator holds
    /// no more of the bench process's memory than a reader would, where DuckDB's defaults took 80 % of the machine.
    /// </summary>
    public static void Execute(string folder, string sql)
    {
        var spill = Path.Combine(folder, ".generate-tmp-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            using var session = DuckDbSession.Open(new DuckDbSessionOptions { AllowedDirectories = [folder], TempDirectory = spill, Limits = EngineLimits.Process.Side });
            session.Execute(sql);
        }
        finally
        {
            if (Directory.Exists(spill))
            {
                Directory.Delete(spill, recursive: true);
            }
        }
    }
}
