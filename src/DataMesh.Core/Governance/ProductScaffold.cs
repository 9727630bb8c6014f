using System.Globalization;
using System.Text.RegularExpressions;

namespace DataMesh.Governance;

/// <summary>
/// Writes a new data product (<c>datamesh new DOMAIN/PRODUCT</c>): spec, ODCS contract, transform SQL and sample
/// data that <c>datamesh validate</c> accepts under the shipped mesh policies and <c>datamesh run</c> publishes.
/// </summary>
public static partial class ProductScaffold
{
    /// <summary>The sample landing file written under <c>samples/</c>.</summary>
    public const string SampleFileName = "records.csv";

    /// <summary>The files written, relative to the product folder.</summary>
    public static readonly IReadOnlyList<string> Files = ["product.yaml", "contract.odcs.yaml", "transform.sql", "samples/" + SampleFileName];

    /// <summary>Whether <paramref name="value"/> is a valid domain or product name (kebab-case).</summary>
    public static bool IsValidName(string value) => Kebab().IsMatch(value);

    /// <summary>
    /// Writes the product <paramref name="domain"/>.<paramref name="name"/> into
    /// <c>&lt;pipelinesRoot&gt;/&lt;domain&gt;/&lt;name&gt;/</c> and returns that folder.
    /// </summary>
    /// <exception cref="ArgumentException">The domain or name is not kebab-case.</exception>
    /// <exception cref="IOException">The product folder already exists (nothing is overwritten).</exception>
    public static string Write(string pipelinesRoot, string domain, string name, ProductScaffoldOptions? options = null)
    {
        options ??= new ProductScaffoldOptions();
        if (!IsValidName(domain))
        {
            throw new ArgumentException($"The domain '{domain}' is not kebab-case (lowercase letters, digits, single hyphens, starting with a letter).", nameof(domain));
        }

        if (!IsValidName(name))
        {
            throw new ArgumentException($"The product name '{name}' is not kebab-case (lowercase letters, digits, single hyphens, starting with a letter).", nameof(name));
        }

        var directory = Path.GetFullPath(Path.Combine(pipelinesRoot, domain, name));
        if (Directory.Exists(directory))
        {
            throw new IOException($"The folder {directory} already exists; choose another product name or remove the folder.");
        }

        var id = $"{domain}.{name}";
        var table = name.Replace('-', '_');
        var title = CultureInfo.InvariantCulture.TextInfo.ToTitleCase(name.Replace('-', ' '));
        var team = options.Team ?? CultureInfo.InvariantCulture.TextInfo.ToTitleCase(domain.Replace('-', ' ')) + " team";
        var email = options.OwnerEmail ?? $"{domain}-data@example.com";
        var schemaLine = SchemaReference(directory) is { } reference ? $"# yaml-language-server: $schema={reference}\n" : "";
        var freshness = "P1D";

        Directory.CreateDirectory(Path.Combine(directory, "samples"));
        File.WriteAllText(Path.Combine(directory, "product.yaml"), $$"""
            {{schemaLine}}apiVersion: datamesh/v1
            kind: DataProduct
            domain: {{domain}}
            name: {{name}}
            version: 1.0.0
            description: {{title}} records delivered to the {{domain}} landing path, typed and checked; one row per record.
            owner: { team: {{Quote(team)}}, email: {{Quote(email)}} }
            tags: [{{domain}}]
            inputs:
              - name: records
                landing: { path: {{name}}/, format: csv }
                columns:
                  - { name: record_id, type: varchar, required: true }
                  - { name: recorded_on, type: date, required: true }
                  - { name: category, type: varchar }
                  - { name: amount, type: "decimal(18,2)" }
            transform: { sql: transform.sql }
            output:
              contract: contract.odcs.yaml
              format: parquet
            sla: { freshness: {{freshness}} }
            access: { visibility: {{options.Visibility}} }

            """);
        File.WriteAllText(Path.Combine(directory, "contract.odcs.yaml"), $"""
            apiVersion: v3.1.0
            kind: DataContract
            id: urn:datamesh:{domain}:{name}
            name: {title}
            version: 1.0.0
            status: draft
            description:
              purpose: {title} records of the {domain} domain, one row per record.
            schema:
              - name: {table}
                physicalType: table
                description: One row per record.
                properties:
                  - name: record_id
                    logicalType: string
                    physicalType: varchar
                    required: true
                    unique: true
                    primaryKey: true
                    classification: internal
                    quality:
                      - metric: nullValues
                        mustBe: 0
                  - name: recorded_on
                    logicalType: date
                    physicalType: date
                    required: true
                  - name: category
                    logicalType: string
                    physicalType: varchar
                  - name: amount
                    logicalType: number
                    physicalType: decimal(18,2)
                quality:
                  - metric: rowCount
                    mustBeGreaterThan: 0

            """);
        File.WriteAllText(Path.Combine(directory, "transform.sql"), $"""
            -- The output of {id}: one row per record, shaped as contract.odcs.yaml declares it.
            SELECT
                record_id,
                recorded_on,
                category,
                amount
            FROM records

            """);
        File.WriteAllText(Path.Combine(directory, "samples", SampleFileName), """
            record_id,recorded_on,category,amount
            R-0001,2026-01-05,alpha,120.50
            R-0002,2026-01-05,beta,75.00
            R-0003,2026-01-06,alpha,19.99
            R-0004,2026-01-07,gamma,310.25
            R-0005,2026-01-07,beta,42.10

            """);
        return directory;
    }

    /// <summary>A YAML single-quoted scalar, safe inside <c>{ }</c> whatever the text.</summary>
    private static string Quote(string text) => "'" + text.Replace("'", "''", StringComparison.Ordinal) + "'";

    /// <summary>The path from the product folder to the repository's <c>schemas/product.schema.json</c>, when there is one above it.</summary>
    private static string? SchemaReference(string productDirectory)
    {
        for (var directory = new DirectoryInfo(productDirectory).Parent; directory is not null; directory = directory.Parent)
        {
            var schema = Path.Combine(directory.FullName, "schemas", "product.schema.json");
            if (File.Exists(schema))
            {
                return Path.GetRelativePath(productDirectory, schema).Replace('\\', '/');
            }

            if (Directory.Exists(Path.Combine(directory.FullName, ".git")))
            {
                break;
            }
        }

        return null;
    }

    [GeneratedRegex("^[a-z][a-z0-9]*(-[a-z0-9]+)*$", RegexOptions.CultureInvariant)]
    private static partial Regex Kebab();
}
