namespace DataMesh.Testing;

/// <summary>
/// A two-domain mesh on disk for consumer-aware contract changes: <c>finance.ledger</c> (a landing input, columns
/// entry_id, amount, note) read by <c>sales.summary</c> (range <c>^1</c>; its SQL reads entry_id and amount, amount on
/// line 2, column 8) and <c>sales.everything</c> (range <c>&gt;=1.0.0</c>; <c>SELECT *</c>, its contract lists every column).
/// Only the <c>SELECT *</c> consumer (when added) reads <c>note</c> and <c>memo</c>.
/// </summary>
public sealed class ConsumerMesh : IDisposable
{
    public const string LedgerContract = """
        apiVersion: v3.1.0
        kind: DataContract
        id: finance.ledger
        name: Ledger
        version: 1.0.0
        status: active
        schema:
          - name: ledger
            physicalName: ledger
            description: One row per ledger entry.
            properties:
              - name: entry_id
                logicalType: string
                physicalType: varchar
                required: true
                classification: internal
              - name: amount
                logicalType: number
                physicalType: decimal(18,2)
                classification: internal
              - name: note
                logicalType: string
                physicalType: varchar
                classification: internal
              - name: memo
                logicalType: string
                physicalType: varchar
                classification: internal
            quality:
              - metric: rowCount
                mustBeGreaterThan: 0

        """;

    public const string SummarySql = "SELECT entry_id,\n       amount\nFROM gl\n";

    private readonly bool _owned;

    /// <param name="root">The folder to write <c>pipelines/</c> in (default: a new temporary folder, deleted on dispose).</param>
    /// <param name="selectStar">Whether to add <c>sales.everything</c>, the <c>SELECT *</c> consumer that reads every column.</param>
    /// <param name="summaryRange">The range <c>sales.summary</c> reads the ledger through.</param>
    public ConsumerMesh(string? root = null, bool selectStar = false, string summaryRange = "^1")
    {
        _owned = root is null;
        Root = root ?? Directory.CreateTempSubdirectory("datamesh-consumers-").FullName;
        Write("finance/ledger", Spec("finance", "ledger", "    landing: { path: ledger/, format: csv }\n    columns:\n      - { name: entry_id, type: varchar, required: true }\n      - { name: amount, type: \"decimal(18,2)\" }\n      - { name: note, type: varchar }\n      - { name: memo, type: varchar }"),
            LedgerContract, "SELECT entry_id, amount, note, memo FROM gl\n");
        Write("sales/summary", Spec("sales", "summary", $"    product: finance.ledger\n    versions: \"{summaryRange}\""), Contract("summary", ["entry_id: varchar", "amount: decimal(18,2)"]), SummarySql);
        if (selectStar)
        {
            Write("sales/everything", Spec("sales", "everything", "    product: finance.ledger\n    versions: \">=1.0.0\""),
                Contract("everything", ["entry_id: varchar", "amount: decimal(18,2)", "note: varchar", "memo: varchar"]), "SELECT * FROM gl\n");
        }
    }

    /// <summary>The folder holding <c>pipelines/</c>.</summary>
    public string Root { get; }

    public string Pipelines => Path.Combine(Root, "pipelines");

    public string Ledger => Path.Combine(Pipelines, "finance", "ledger");

    public string Summary => Path.Combine(Pipelines, "sales", "summary");

    public string Everything => Path.Combine(Pipelines, "sales", "everything");

    public string LedgerContractPath => Path.Combine(Ledger, "contract.odcs.yaml");

    /// <summary>The ledger's contract text without the property <paramref name="column"/> (and its transform not selecting it).</summary>
    public static string ContractWithout(string contract, string column)
    {
        ArgumentNullException.ThrowIfNull(contract);
        var lines = contract.ReplaceLineEndings("\n").Split('\n').ToList();
        var start = lines.FindIndex(l => l.Trim() == $"- name: {column}");
        if (start < 0)
        {
            throw new ArgumentException($"the contract has no property {column}", nameof(column));
        }

        var end = start + 1;
        while (end < lines.Count && !lines[end].TrimStart().StartsWith("- ", StringComparison.Ordinal) && lines[end].StartsWith("        ", StringComparison.Ordinal))
        {
            end++;
        }

        lines.RemoveRange(start, end - start);
        return string.Join('\n', lines);
    }

    /// <summary>Removes <paramref name="column"/> from the ledger's contract and transform, at <paramref name="version"/> (product and contract).</summary>
    public void RemoveLedgerColumn(string column, string version)
    {
        File.WriteAllText(LedgerContractPath, ContractWithout(File.ReadAllText(LedgerContractPath), column));
        var sql = Path.Combine(Ledger, "transform.sql");
        File.WriteAllText(sql, File.ReadAllText(sql).Replace($", {column}", "", StringComparison.Ordinal));
        SetLedgerVersion(version);
    }

    /// <summary>Sets the ledger's version in its spec and contract.</summary>
    public void SetLedgerVersion(string version)
    {
        foreach (var path in new[] { Path.Combine(Ledger, "product.yaml"), LedgerContractPath })
        {
            var lines = File.ReadAllLines(path).Select(l => l.StartsWith("version: ", StringComparison.Ordinal) ? $"version: {version}" : l);
            File.WriteAllLines(path, lines);
        }
    }

    public void Dispose()
    {
        if (_owned && Directory.Exists(Root))
        {
            Directory.Delete(Root, recursive: true);
        }
    }

    private void Write(string folder, string spec, string contract, string sql)
    {
        var directory = Path.Combine(Pipelines, folder);
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "product.yaml"), spec);
        File.WriteAllText(Path.Combine(directory, "contract.odcs.yaml"), contract);
        File.WriteAllText(Path.Combine(directory, "transform.sql"), sql);
    }

    private static string Spec(string domain, string name, string input) => $"""
        apiVersion: datamesh/v1
        kind: DataProduct
        domain: {domain}
        name: {name}
        version: 1.0.0
        description: The {name} of {domain}, for the consumer-impact tests.
        owner: {"{"} team: {domain}, email: {domain}@example.com {"}"}
        inputs:
          - name: gl
        {input}
        transform: {"{"} sql: transform.sql {"}"}
        output: {"{"} contract: contract.odcs.yaml {"}"}
        access: {"{"} visibility: restricted, readers: [sales] {"}"}

        """;

    private static string Contract(string name, IReadOnlyList<string> columns) => $"""
        apiVersion: v3.1.0
        kind: DataContract
        id: sales.{name}
        name: {name}
        version: 1.0.0
        status: active
        schema:
          - name: {name}
            physicalName: {name}
            description: The {name} rows.
            properties:
        {string.Join("\n", columns.Select(c => $"      - name: {c.Split(": ")[0]}\n        logicalType: {(c.Contains("decimal", StringComparison.Ordinal) ? "number" : "string")}\n        physicalType: {c.Split(": ")[1]}\n        classification: internal"))}
            quality:
              - metric: rowCount
                mustBeGreaterThan: 0

        """;
}
