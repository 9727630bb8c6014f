using System.Globalization;

namespace DataMesh.Engine;

/// <summary>Quoting of SQL literals and identifiers for the DuckDB statements the platform writes.</summary>
public static class Sql
{
    /// <summary>A single-quoted string literal.</summary>
    public static string Literal(string value) => "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";

    /// <summary>A double-quoted identifier.</summary>
    public static string Identifier(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <summary>A numeric literal in invariant culture.</summary>
    public static string Number(decimal value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>A list literal of strings: <c>['a', 'b']</c>.</summary>
    public static string List(IEnumerable<string> values) => "[" + string.Join(", ", values.Select(Literal)) + "]";
}
