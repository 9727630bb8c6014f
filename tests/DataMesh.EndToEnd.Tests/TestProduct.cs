namespace DataMesh.EndToEnd.Tests;

/// <summary>A throwaway product folder (spec, SQL, contract, data) written to a temp directory.</summary>
internal sealed class TestProduct : IDisposable
{
    public const string DefaultSql = """
        SELECT order_id, customer, CAST(amount AS DECIMAL(18,2)) AS amount, status
        FROM orders
        WHERE status <> 'cancelled'
        """;

    public const string DefaultContract = """
        apiVersion: v3.1.0
        kind: DataContract
        id: urn:test:orders
        version: 1.0.0
        status: active
        schema:
          - name: orders_clean
            properties:
              - name: order_id
                logicalType: integer
                required: true
                unique: true
              - name: customer
                logicalType: string
                required: true
              - name: amount
                physicalType: decimal(18,2)
                quality:
                  - metric: invalidValues
                    arguments:
                      pattern: '^[0-9]+\.[0-9]{2}$'
                    mustBe: 0
              - name: status
                logicalType: string
                quality:
                  - metric: invalidValues
                    arguments:
                      validValues: [open, shipped]
                    mustBe: 0
            quality:
              - metric: rowCount
                mustBeGreaterThan: 0
        """;

    /// <summary>The orders CSV input with its declared columns (YAML, indented for the <c>inputs:</c> list).</summary>
    public const string DefaultInputs = """
          - name: orders
            landing: { path: orders/, format: csv, delimiter: "," }
            columns:
              - { name: order_id, type: integer, required: true }
              - { name: customer, type: varchar }
              - { name: amount, type: "decimal(18,2)" }
              - { name: status, type: varchar }
        """;

    public TestProduct(string domain, string name = "orders-clean", string sql = DefaultSql, string contract = DefaultContract, string? inputs = null, string? output = null)
    {
        Root = Path.Combine(Path.GetTempPath(), "dm-e2e-" + Guid.NewGuid().ToString("N")[..8]);
        Directory = Path.Combine(Root, name);
        System.IO.Directory.CreateDirectory(Directory);
        Domain = domain;
        Name = name;
        File.WriteAllText(Path.Combine(Directory, "product.yaml"), $"""
            apiVersion: datamesh/v1
            kind: DataProduct
            domain: {domain}
            name: {name}
            version: 1.0.0
            description: Orders without the cancelled ones.
            owner: {"{"} team: Test, email: test@example.com {"}"}
            inputs:
            {inputs ?? DefaultInputs}
            transform: {"{"} sql: transform.sql {"}"}
            output: {output ?? "{ contract: contract.odcs.yaml }"}
            sla: {"{"} freshness: PT24H {"}"}
            access: {"{"} visibility: public {"}"}
            """);
        File.WriteAllText(Path.Combine(Directory, "transform.sql"), sql);
        File.WriteAllText(Path.Combine(Directory, "contract.odcs.yaml"), contract);
    }

    public string Root { get; }

    public string Directory { get; }

    public string Domain { get; }

    public string Name { get; }

    public string Id => $"{Domain}.{Name}";

    /// <summary>Writes a CSV of orders: <paramref name="rows"/> good rows plus the given extra lines.</summary>
    public string WriteOrders(string fileName, int rows, params string[] extraLines) => WriteOrders(fileName, rows, idOffset: 0, extraLines);

    /// <summary>Writes orders whose ids start after <paramref name="idOffset"/>.</summary>
    public string WriteOrders(string fileName, int rows, int idOffset, params string[] extraLines)
    {
        var path = Path.Combine(Root, fileName);
        using var writer = new StreamWriter(path);
        writer.WriteLine("order_id,customer,amount,status");
        for (var i = 1; i <= rows; i++)
        {
            writer.WriteLine($"{i + idOffset},customer-{i % 7},{i * 3 % 500}.{i % 100:D2},{(i % 5 == 0 ? "cancelled" : i % 2 == 0 ? "shipped" : "open")}");
        }

        foreach (var line in extraLines)
        {
            writer.WriteLine(line);
        }

        return path;
    }

    /// <summary>Rows the default SQL keeps out of that many generated orders.</summary>
    public static int ExpectedRows(int rows) => rows - (rows / 5);

    /// <summary>
    /// Starts a local mesh on <paramref name="azurite"/> that knows this product only (no pipelines folder), its state
    /// under <see cref="Root"/>; <paramref name="configure"/> sets anything else (a namespace, an OpenLineage endpoint).
    /// </summary>
    public Task<DataMesh.Local.LocalMesh> StartMeshAsync(DataMesh.Testing.AzuriteFixture azurite, Action<DataMesh.Local.LocalMeshOptions>? configure = null)
    {
        var options = new DataMesh.Local.LocalMeshOptions
        {
            // The topology the CLI attaches to (AzuriteFixture.CliEnvironment): the hub account and one per domain.
            Azurite = azurite.Server,
            ConnectionString = azurite.ConnectionString,
            LoadPipelinesFolder = false,
            StateDirectory = Path.Combine(Root, ".datamesh"),
        };
        options.ExtraProductDirectories.Add(Directory);
        configure?.Invoke(options);
        return DataMesh.Local.LocalMesh.StartAsync(options);
    }

    public void Dispose()
    {
        if (System.IO.Directory.Exists(Root))
        {
            System.IO.Directory.Delete(Root, recursive: true);
        }
    }
}
