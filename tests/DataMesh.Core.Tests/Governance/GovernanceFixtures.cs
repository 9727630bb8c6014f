using DataMesh.Core.Tests.Specs;
using DataMesh.Governance;
using DataMesh.Specs;

namespace DataMesh.Core.Tests.Governance;

/// <summary>
/// A mesh in a temp folder (<c>pipelines/&lt;domain&gt;/&lt;name&gt;/</c>) of products that comply with every policy;
/// tests change one line and assert the code and line reported.
/// </summary>
internal sealed class GovernanceFixtures : IDisposable
{
    /// <summary>
    /// A compliant public product. Lines: 1 apiVersion, 2 kind, 3 domain, 4 name, 5 version, 6 description, 7 owner,
    /// 8 tags, 9 inputs, 10 <c>- name</c>, 11 landing, 12 transform, 13 output, 14 sla, 15 access.
    /// </summary>
    public const string Spec = """
        apiVersion: datamesh/v1
        kind: DataProduct
        domain: {domain}
        name: {name}
        version: {version}
        description: Ledger entries of the EMEA entities, one row per entry.
        owner: { team: Finance, email: finance@example.com }
        tags: [finance, ledger]
        inputs:
          - name: gl_entries
            landing: { path: ledger/emea/, format: csv }
        transform: { sql: transform.sql }
        output: { contract: contract.odcs.yaml }
        sla: { freshness: PT24H }
        access: { visibility: public }

        """;

    /// <summary>
    /// A compliant contract. Lines: 8 <c>- name: entries</c>, 10 <c>- name: entry_id</c>, 13 its classification,
    /// 14 its quality, 17 <c>- name: email</c>, 19 its classification, 20 <c>- name: amount</c>, 23 object quality.
    /// </summary>
    public const string Contract = """
        apiVersion: v3.1.0
        kind: DataContract
        id: urn:test:{domain}:{name}
        version: {version}
        status: active
        schema:
          # the output
          - name: entries
            properties:
              - name: entry_id
                logicalType: string
                required: true
                classification: internal
                quality:
                  - metric: nullValues
                    mustBe: 0
              - name: email
                logicalType: string
                classification: internal
              - name: amount
                logicalType: number
                physicalType: decimal(18,2)
            quality:
              - metric: rowCount
                mustBeGreaterThan: 0

        """;

    public const string Sql = "SELECT entry_id, email, amount FROM gl_entries\n";

    private readonly TempFolder _temp = new();

    public string Pipelines => Path.Combine(_temp.Path, "pipelines");

    /// <summary>Writes a product folder from the templates (with <paramref name="edit"/> applied to the spec) and loads it.</summary>
    public ProductSpec Add(
        string id = "finance.ledger-emea",
        string version = "1.0.0",
        Func<string, string>? edit = null,
        Func<string, string>? editContract = null,
        string sql = Sql)
    {
        var (domain, name) = (id.Split('.')[0], id.Split('.')[1]);
        string Fill(string text) => text.Replace("{domain}", domain, StringComparison.Ordinal).Replace("{name}", name, StringComparison.Ordinal).Replace("{version}", version, StringComparison.Ordinal);
        var folder = Path.Combine("pipelines", domain, name);
        _temp.Write(Path.Combine(folder, "product.yaml"), (edit ?? (s => s))(Fill(Spec)));
        _temp.Write(Path.Combine(folder, "contract.odcs.yaml"), (editContract ?? (s => s))(Fill(Contract)));
        _temp.Write(Path.Combine(folder, "transform.sql"), sql);
        return ProductSpecLoader.Load(Path.Combine(_temp.Path, folder));
    }

    /// <summary>Mesh policies holding one policy (error severity) with optional parameters, plus exemptions.</summary>
    public static MeshPolicies Policies(string id, IReadOnlyDictionary<string, IReadOnlyList<string>>? parameters = null, params PolicyExemption[] exemptions) => new()
    {
        File = "pipelines/mesh.yaml",
        Policies = [new MeshPolicy { Id = id, Message = "test policy", Parameters = parameters ?? new Dictionary<string, IReadOnlyList<string>>() }],
        Exemptions = exemptions,
    };

    /// <summary>Replaces the spec line starting with <paramref name="prefix"/> (after indentation) by <paramref name="replacement"/> (null removes it).</summary>
    public static Func<string, string> Line(string prefix, string? replacement) => text =>
    {
        var lines = text.Split('\n').ToList();
        var index = lines.FindIndex(l => l.TrimStart().StartsWith(prefix, StringComparison.Ordinal));
        Assert.True(index >= 0, $"no line starts with '{prefix}'");
        if (replacement is null)
        {
            lines.RemoveAt(index);
        }
        else
        {
            lines[index] = replacement;
        }

        return string.Join('\n', lines);
    };

    public void Dispose() => _temp.Dispose();
}
