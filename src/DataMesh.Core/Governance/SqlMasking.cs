using System.Text.Json;
using DataMesh.Engine;
using DataMesh.Pipeline;

namespace DataMesh.Governance;

/// <summary>
/// Which output columns a transform provably masks itself, read from DuckDB's own parse tree of the SELECT
/// (<c>json_serialize_sql</c>; nothing is executed). Only what the tree proves hides the value counts: a constant or
/// NULL (cast or not), a truncation to at most 4 characters (<c>left(iban, 4)</c>, <c>substr(iban, 1, 4)</c>, like the
/// contract's <c>truncate</c>), a date truncated to the month or coarser (<c>date_trunc('month', born_on)</c>), and a
/// <c>regexp_replace</c> of every character by a constant (<c>regexp_replace(name, '.', '*', 'g')</c>).
/// </summary>
/// <remarks>
/// A hash in SQL never counts: <c>sha256(email)</c> or <c>md5(email)</c> is unsalted, and any salt written in the SQL
/// is as public as the SQL, so hashing a list of guesses reverses it. The contract's <c>masking: hash</c> is a keyed
/// hash applied by publish with a key SQL cannot read. A select item is judged by the column name it produces: a
/// masked alias does not count when another item (or a <c>*</c> that neither replaces nor excludes it) produces the
/// same name in clear.
/// </remarks>
internal static class SqlMasking
{
    /// <summary>Longest prefix a truncation may keep and still mask (the contract's <c>truncate</c> keeps 4).</summary>
    public const int MaxKeptCharacters = 4;

    private static readonly HashSet<string> Hashes = new(StringComparer.OrdinalIgnoreCase)
    {
        "md5", "md5_number", "md5_number_lower", "md5_number_upper", "sha1", "sha256", "sha512", "hash", "xxhash", "murmurhash",
    };

    private static readonly HashSet<string> CoarseDateParts = new(StringComparer.OrdinalIgnoreCase)
    {
        "month", "months", "mon", "quarter", "quarters", "year", "years", "y", "yr", "yrs", "decade", "decades", "century", "centuries", "millennium", "millennia",
    };

    /// <summary>The output column names masked by the top-level SELECT (case-insensitive); empty when the SQL is not one plain SELECT.</summary>
    public static IReadOnlySet<string> MaskedColumns(string sql) => Read(sql).Masked;

    /// <summary>Why the SQL's expression for <paramref name="column"/> does not mask it, when it looks like an attempt (a hash, a long truncation); else null.</summary>
    public static string? WhyNotMasked(string sql, string column) => Read(sql).Attempts.GetValueOrDefault(column);

    private static (HashSet<string> Masked, Dictionary<string, string> Attempts) Read(string sql)
    {
        var masked = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var attempts = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        using var document = JsonDocument.Parse(Serialize(sql));
        var root = document.RootElement;
        if (root.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.True
            || !root.TryGetProperty("statements", out var statements)
            || statements.GetArrayLength() != 1
            || !statements[0].TryGetProperty("node", out var node)
            || !node.TryGetProperty("select_list", out var selectList))
        {
            return (masked, attempts);
        }

        var clear = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var stars = new List<(HashSet<string> Covered, bool Qualified)>();
        foreach (var item in selectList.EnumerateArray())
        {
            if (Class(item) == "STAR")
            {
                // * emits every column of the FROM clause in clear, except those it replaces (judged here) or excludes.
                var covered = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
                foreach (var excluded in Array(item, "exclude_list"))
                {
                    covered.Add(excluded.ValueKind == JsonValueKind.String ? excluded.GetString()! : "");
                }

                foreach (var excluded in Array(item, "qualified_exclude_list"))
                {
                    covered.Add(excluded.TryGetProperty("column", out var c) ? c.GetString() ?? "" : "");
                }

                foreach (var replace in Array(item, "replace_list"))
                {
                    var name = replace.TryGetProperty("key", out var key) ? key.GetString() ?? "" : "";
                    covered.Add(name);
                    Judge(name, replace.GetProperty("value"), masked, clear, attempts);
                }

                stars.Add((covered, false));
                continue;
            }

            var alias = item.TryGetProperty("alias", out var a) ? a.GetString() : null;
            if (string.IsNullOrEmpty(alias) && Class(item) == "COLUMN_REF")
            {
                alias = Array(item, "column_names").Select(n => n.GetString()).LastOrDefault();
            }

            if (!string.IsNullOrEmpty(alias))
            {
                Judge(alias, item, masked, clear, attempts);
            }
        }

        masked.RemoveWhere(name => clear.Contains(name) || stars.Exists(s => !s.Covered.Contains(name)));
        return (masked, attempts);
    }

    private static void Judge(string name, JsonElement expression, HashSet<string> masked, HashSet<string> clear, Dictionary<string, string> attempts)
    {
        if (Masks(expression, out var attempt))
        {
            masked.Add(name);
            return;
        }

        clear.Add(name);
        if (attempt is not null)
        {
            attempts[name] = attempt;
        }
    }

    /// <summary>Whether the expression provably hides the value it reads; <paramref name="attempt"/> says why a masking-looking one does not.</summary>
    private static bool Masks(JsonElement expression, out string? attempt)
    {
        attempt = null;
        switch (Class(expression))
        {
            case "CONSTANT":
                return true;
            case "CAST":
                return expression.TryGetProperty("child", out var child) && Masks(child, out attempt);
            case "FUNCTION":
                break;
            default:
                return false;
        }

        var function = expression.TryGetProperty("function_name", out var f) ? f.GetString() ?? "" : "";
        var arguments = Array(expression, "children").ToList();
        if (Hashes.Contains(function))
        {
            attempt = $"{function}() in SQL is an unsalted hash (any salt in the SQL is as public as the SQL): hashing a list of guesses reverses it";
            return false;
        }

        switch (function.ToLowerInvariant())
        {
            case "left":
                return Keeps(arguments.Count == 2 ? arguments[1] : null, function, ref attempt);
            case "substr" or "substring":
                if (arguments.Count == 3 && Integer(arguments[1]) == 1)
                {
                    return Keeps(arguments[2], function, ref attempt);
                }

                attempt = $"{function}() masks only as {function}(column, 1, n) with a constant n of at most {MaxKeptCharacters}";
                return false;
            case "date_trunc" or "datetrunc":
                if (arguments.Count == 2 && Text(arguments[0]) is { } part && CoarseDateParts.Contains(part))
                {
                    return true;
                }

                attempt = $"{function}() masks only to the month or coarser ('month', 'quarter', 'year')";
                return false;
            case "regexp_replace":
                // Every character replaced by a constant (no group references): only the length is left.
                if (arguments.Count == 4 && Text(arguments[1]) is "." or "(?s)." && Text(arguments[2]) is { } by && !by.Contains('\\', StringComparison.Ordinal)
                    && Text(arguments[3]) is { } options && options.Contains('g', StringComparison.Ordinal))
                {
                    return true;
                }

                attempt = "regexp_replace() masks only as regexp_replace(column, '.', '*', 'g') (every character replaced); any other pattern can leave the value as it was";
                return false;
            default:
                return false;
        }
    }

    private static bool Keeps(JsonElement? length, string function, ref string? attempt)
    {
        if (length is { } l && Integer(l) is >= 0 and <= MaxKeptCharacters)
        {
            return true;
        }

        attempt = $"{function}() masks only when it keeps a constant {MaxKeptCharacters} characters or fewer";
        return false;
    }

    private static string Serialize(string sql)
    {
        using var session = DuckDbSession.OpenLocked(new DuckDbSessionOptions { AllowedDirectories = [], TempDirectory = "", Limits = EngineLimits.Process.Side });
        return session.Scalar($"SELECT json_serialize_sql({Sql.Literal(sql)})") as string is { Length: > 0 } json ? json : "{}";
    }

    private static string? Class(JsonElement expression) => expression.TryGetProperty("class", out var c) ? c.GetString() : null;

    private static IEnumerable<JsonElement> Array(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.Array ? value.EnumerateArray() : [];

    private static JsonElement? Constant(JsonElement expression) =>
        Class(expression) == "CONSTANT" && expression.TryGetProperty("value", out var value) && value.TryGetProperty("value", out var inner) ? inner : null;

    private static long? Integer(JsonElement expression) =>
        Constant(expression) is { ValueKind: JsonValueKind.Number } n && n.TryGetInt64(out var i) ? i : null;

    private static string? Text(JsonElement expression) =>
        Constant(expression) is { ValueKind: JsonValueKind.String } s ? s.GetString() : null;
}
