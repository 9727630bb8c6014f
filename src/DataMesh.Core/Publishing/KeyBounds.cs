using System.Globalization;
using DataMesh.Engine;

namespace DataMesh.Publishing;

/// <summary>
/// Reads a data file's <see cref="KeyRange"/> from its Parquet footer (row groups' statistics: no data is read), for
/// every writer of a merge product's files (publish and compaction), so a later merge can skip files without reading them.
/// </summary>
public static class KeyBounds
{
    /// <summary>The DuckDB type of <paramref name="column"/> in <paramref name="relation"/> (a view, or <c>read_parquet(...)</c>).</summary>
    public static string TypeOf(DuckDbSession db, string relation, string column)
    {
        ArgumentNullException.ThrowIfNull(db);
        return db.Query($"SELECT column_type FROM (DESCRIBE SELECT {Sql.Identifier(column)} FROM {relation})", r => r.GetString(0)).Single();
    }

    /// <summary>
    /// The bounds of <paramref name="column"/> (of DuckDB type <paramref name="type"/>) in a Parquet file; null when a row
    /// group with rows has no statistics for it (the file is then always read by a merge).
    /// </summary>
    public static KeyRange? Of(DuckDbSession db, string file, string column, string type)
    {
        ArgumentNullException.ThrowIfNull(db);
        var bounds = db.Query(
            $"""
            SELECT count(*) FILTER (WHERE lo IS NULL OR hi IS NULL), CAST(min(lo) AS VARCHAR), CAST(max(hi) AS VARCHAR)
            FROM (
              SELECT TRY_CAST(stats_min_value AS {type}) AS lo, TRY_CAST(stats_max_value AS {type}) AS hi
              FROM parquet_metadata({Sql.Literal(file)})
              WHERE lower(path_in_schema) = lower({Sql.Literal(column)}) AND row_group_num_rows > 0
            )
            """,
            r => (Missing: Convert.ToInt64(r.GetValue(0), CultureInfo.InvariantCulture), Min: r.IsDBNull(1) ? null : r.GetString(1), Max: r.IsDBNull(2) ? null : r.GetString(2))).Single();
        return bounds is { Missing: 0, Min: { } min, Max: { } max } ? new KeyRange(column, min, max) : null;
    }
}
