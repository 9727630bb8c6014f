using System.Text.Json;
using DuckDB.NET.Data;

namespace DataMesh.Governance;

/// <summary>
/// Which output columns a transform masks itself, read from DuckDB's own parse tree of the SELECT
/// (<c>json_serialize_sql</c>; nothing is executed): a column is masked when its select item is a hash
/// (<c>sha256(email) AS email</c>), a truncation (<c>left(iban, 4) AS iban</c>), a redaction (a constant,
/// <c>regexp_replace</c>) or NULL.
/// </summary>
internal static class SqlMasking
{
    /// <summary>The functions whose result no longer discloses the column they read.</summary>
    public static readonly IReadOnlySet<string> MaskingFunctions = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "md5", "sha1", "sha256", "sha512", "hash", "md5_number",
        "left", "substr", "substring", "date_trunc", "datetrunc", "regexp_replace",
    };

    /// <summary>The output column names (lowercase) masked by the top-level SELECT; empty when the SQL is not one plain SELECT.</summary>
    public static IReadOnlySet<string> MaskedColumns(string sql)
    {
        var masked = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        string json;
        using (var connection = new DuckDBConnection("DataSource=:memory:"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT json_serialize_sql($sql::VARCHAR)";
            command.Parameters.Add(new DuckDBParameter("sql", sql));
            json = command.ExecuteScalar() as string ?? "";
        }

        using var document = JsonDocument.Parse(json.Length == 0 ? "{}" : json);
        var root = document.RootElement;
        if (root.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.True
            || !root.TryGetProperty("statements", out var statements)
            || statements.GetArrayLength() != 1
            || !statements[0].TryGetProperty("node", out var node)
            || !node.TryGetProperty("select_list", out var selectList))
        {
            return masked;
        }

        foreach (var item in selectList.EnumerateArray())
        {
            var alias = item.TryGetProperty("alias", out var a) ? a.GetString() : null;
            if (string.IsNullOrEmpty(alias) || !IsMasking(item))
            {
                continue;
            }

            masked.Add(alias);
        }

        return masked;
    }

    private static bool IsMasking(JsonElement expression)
    {
        var kind = expression.TryGetProperty("class", out var c) ? c.GetString() : null;
        return kind switch
        {
            "CONSTANT" => true,
            "CAST" => expression.TryGetProperty("child", out var child) && IsMasking(child),
            "FUNCTION" => expression.TryGetProperty("function_name", out var name) && MaskingFunctions.Contains(name.GetString() ?? ""),
            _ => false,
        };
    }
}
