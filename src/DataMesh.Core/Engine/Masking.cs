using DataMesh.Contracts;
using DataMesh.Pipeline;

namespace DataMesh.Engine;

/// <summary>
/// Column masking declared in a contract (<c>customProperties: [{ property: masking, value: hash|redact|truncate|null }]</c>),
/// applied by publish so a release never carries the clear values. <c>hash</c> is a keyed hash (<see cref="KeyedHash"/>)
/// under a key only the owning domain holds, per hash scope: the product by default, or the scope a column declares
/// (<c>{ property: maskingScope, value: customer-email }</c>) so that the domain's products declaring the same scope hash
/// equal values alike and join; <c>redact</c> keeps only whether a value was there; <c>truncate</c> keeps the first 4
/// characters of text and the month of dates and timestamps; <c>null</c> drops it.
/// </summary>
public static class Masking
{
    /// <summary>Masking kinds a contract may declare.</summary>
    public static readonly IReadOnlyList<string> Kinds = ["hash", "redact", "truncate", "null"];

    /// <summary>
    /// Whether a column's values never appear in clear in what leaves the domain (quality samples, error texts): a
    /// masked column, or one with a classification other than <c>public</c> or <c>internal</c> (pii, restricted,
    /// sensitive, confidential, or any other the contract names: an unknown label is taken as protective).
    /// </summary>
    public static bool IsSensitive(ContractProperty property) =>
        property is not null
        && (property.Masking is not null
            || (!string.IsNullOrWhiteSpace(property.Classification) && property.Classification.Trim().ToLowerInvariant() is not ("public" or "internal")));

    /// <summary>
    /// The hash scopes of the contract's <c>hash</c>-masked columns, in declaration order, without repeats: the column's
    /// declared <c>maskingScope</c>, or the product itself. A scope's position names its function (<see cref="HashFunction"/>).
    /// </summary>
    public static IReadOnlyList<string> HashScopes(DataContract contract, string productName)
    {
        ArgumentNullException.ThrowIfNull(contract);
        return contract.Schema.SelectMany(s => s.Properties)
            .Where(p => string.Equals(p.Masking, "hash", StringComparison.OrdinalIgnoreCase))
            .Select(p => HashScope(p, productName))
            .Distinct(StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>The SQL name of the keyed hash function of the <paramref name="index"/>-th hash scope, registered by publish.</summary>
    public static string HashFunction(int index) => $"datamesh_keyed_hash_{index}";

    // Declared scopes and the product's own are kept apart, so a scope named like a product never shares its key.
    private static string HashScope(ContractProperty property, string productName) =>
        string.IsNullOrWhiteSpace(property.MaskingScope) ? "product:" + productName : "scope:" + property.MaskingScope.Trim();

    /// <summary>
    /// The <c>* REPLACE (...)</c> select list masking the contract's masked columns, or null when none is masked.
    /// Throws when a declared masking cannot apply (unknown kind, truncate on a number). <c>hash</c> calls the functions
    /// of <see cref="HashScopes"/>, which the caller registers (<see cref="KeyedHash.Register"/>).
    /// </summary>
    public static string? SelectList(DataContract contract, IReadOnlyList<OutputColumn> schema, string productName)
    {
        ArgumentNullException.ThrowIfNull(contract);
        ArgumentNullException.ThrowIfNull(schema);
        var scopes = HashScopes(contract, productName).ToList();
        var replacements = new List<string>();
        foreach (var property in contract.Schema[0].Properties.Where(p => p.Masking is not null))
        {
            var column = schema.FirstOrDefault(c => string.Equals(c.Name, property.Name, StringComparison.OrdinalIgnoreCase));
            if (column is null)
            {
                continue;
            }

            replacements.Add($"{Expression(property, column, scopes.IndexOf(HashScope(property, productName)))} AS {Sql.Identifier(column.Name)}");
        }

        return replacements.Count == 0 ? null : $"* REPLACE ({string.Join(", ", replacements)})";
    }

    private static string Expression(ContractProperty property, OutputColumn column, int hashScope)
    {
        var name = Sql.Identifier(column.Name);
        var type = column.Type.ToUpperInvariant();
        var text = type == "VARCHAR";
        var temporal = type is "DATE" || type.StartsWith("TIMESTAMP", StringComparison.Ordinal);
        return property.Masking!.ToLowerInvariant() switch
        {
            "hash" => $"{HashFunction(hashScope)}(CAST({name} AS VARCHAR))",
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
