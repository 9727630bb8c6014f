namespace DataMesh.Core.Tests.Specs;

/// <summary>Small valid product files; tests change one thing and assert the exact line reported.</summary>
internal static class ProductFixtures
{
    /// <summary>
    /// A minimal valid <c>product.yaml</c>. Lines: 1 apiVersion, 2 kind, 3 domain, 4 name, 5 version, 6 inputs,
    /// 7 <c>- name</c>, 8 landing, 9 transform, 10 output.
    /// </summary>
    public const string MinimalSpec = """
        apiVersion: datamesh/v1
        kind: DataProduct
        domain: finance
        name: ledger-emea
        version: 1.2.0
        inputs:
          - name: gl_entries
            landing: { path: ledger/emea/, format: csv }
        transform: { sql: transform.sql }
        output: { contract: contract.odcs.yaml }

        """;

    /// <summary>A valid contract for <see cref="MinimalSpec"/> (version 1.2.0, properties entry_id, amount, period).</summary>
    public const string Contract = """
        apiVersion: v3.1.0
        kind: DataContract
        id: finance.ledger-emea
        name: Ledger EMEA
        version: 1.2.0
        status: active
        schema:
          - name: ledger_emea
            physicalName: ledger_emea
            description: One row per ledger entry.
            properties:
              - name: entry_id
                logicalType: string
                physicalType: varchar
                required: true
                unique: true
                primaryKey: true
                classification: internal
                description: Entry identifier.
              - name: amount
                logicalType: number
                physicalType: decimal(18,2)
                quality:
                  - metric: nullValues
                    mustBe: 0
              - name: period
                logicalType: string
            quality:
              - metric: rowCount
                mustBeGreaterThan: 0

        """;

    public const string TransformSql = "SELECT entry_id, amount, period FROM gl_entries\n";

    /// <summary>Writes a product folder (<paramref name="relativeFolder"/> inside <paramref name="root"/>) and returns its full path.</summary>
    public static string WriteProduct(TempFolder root, string spec, string relativeFolder = "product", string? contract = Contract, string? sql = TransformSql)
    {
        root.Write(Path.Combine(relativeFolder, "product.yaml"), spec);
        if (contract is not null)
        {
            root.Write(Path.Combine(relativeFolder, "contract.odcs.yaml"), contract);
        }

        if (sql is not null)
        {
            root.Write(Path.Combine(relativeFolder, "transform.sql"), sql);
        }

        return Path.Combine(root.Path, relativeFolder);
    }
}
