using DataMesh.Contracts;
using DataMesh.Pipeline;

namespace DataMesh.Engine;

/// <summary>
/// Column masking declared in a contract (<c>customProperties: [{ property: masking, value: hash|redact|truncate|null }]</c>),
/// applied by publish so a release never carries the clear values. <c>hash</c> is SHA-256 over a per-mesh salt and the
/// value (joins on the hash still work inside the mesh); <c>redact</c> keeps only whether a value was there;
/// <c>truncate</c> keeps the first 4 characters of text and the month of dates and timestamps; <c>null</c> drops it.
/// </summary>
public static class Masking
{
    /// <summary>Masking kinds a contract may declare.</summary>
    public static readonly IReadOnlyList<string> Kinds = ["hash", "redact", "truncate", "null"];

    /// <summary>Classifications whose values never appear in clear in reports (quality samples).</summary>
    public static bool IsSensitive(ContractProperty property) =>
        property?.Classification?.ToLowerInvariant() is "pii" or "restricted" or "sensitive" or "confidential";

    /// <summary>
    /// The <c>* REPLACE (...)</c> select list masking the contract's masked columns, or null when none is masked.
    /// Throws when a declared masking cannot apply (unknown kind, hash without a salt, truncate on a number).
    /// </summary>
    public static string? SelectList(DataContract contract, IReadOnlyList<OutputColumn> schema, string salt)
    {
        ArgumentNullException.ThrowIfNull(contract);
        ArgumentNullException.ThrowIfNull(schema);
        var replacements = new List<string>();
        foreach (var property in contract.Schema[0].Properties.Where(p => p.Masking is not null))
        {
            var column = schema.FirstOrDefault(c => string.Equals(c.Name, property.Name, StringComparison.OrdinalIgnoreCase));
            if (column is null)
            {
                continue;
            }

            replacements.Add($"{Expression(property, column, salt)} AS {Sql.Identifier(column.Name)}");
        }

        return replacements.Count == 0 ? null : $"* REPLACE ({string.Join(", ", replacements)})";
    }

    private static string Expression(ContractProperty property, OutputColumn column, string salt)
    {
        var name = Sql.Identifier(column.Name);
        var type = column.Type.ToUpperInvariant();
        var text = type == "VARCHAR";
        var temporal = type is "DATE" || type.StartsWith("TIMESTAMP", StringComparison.Ordinal);
        return property.Masking!.ToLowerInvariant() switch
        {
            "hash" when string.IsNullOrEmpty(salt) => throw new InvalidOperationException(
                $"Column '{property.Name}' is masked with hash, but the mesh has no masking salt (PipelineOptions.MaskingSalt)."),
            "hash" => $"CASE WHEN {name} IS NULL THEN NULL ELSE sha256({Sql.Literal(salt)} || CAST({name} AS VARCHAR)) END",
            "redact" when text => $"CASE WHEN {name} IS NULL THEN NULL ELSE '[redacted]' END",
            "redact" => $"CAST(NULL AS {type})",
            "truncate" when text => $"left({name}, 4)",
            "truncate" when temporal => $"CAST(date_trunc('month', {name}) AS {type})",
            "truncate" => throw new InvalidOperationException(
                $"Column '{property.Name}' ({column.Type}) cannot be masked with truncate: use it on text, dates or timestamps."),
            "null" => $"CAST(NULL AS {type})",
            var other => throw new InvalidOperationException(
                $"Column '{property.Name}': unknown masking '{other}' (use one of {string.Join(", ", Kinds)})."),
        };
    }
}
