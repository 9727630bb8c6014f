using DataMesh.Engine;

namespace DataMesh.Pipeline;

/// <summary>
/// A backfill's partition selection (<c>--partitions column=value,...</c>): values of one column are alternatives, columns
/// are all required (<c>day=2026-11-01,day=2026-11-02,region=emea</c>: either day, in emea). A value is compared with the
/// column's text form, as it appears in the Hive folder name (<c>day=2026-11-01</c>).
/// </summary>
public static class BackfillPartitions
{
    /// <summary>The selection grouped by column (pairs already checked by <see cref="BackfillPlanner.ParsePartitions"/>).</summary>
    private static Dictionary<string, HashSet<string>> ByColumn(IReadOnlyList<string> selection) =>
        selection.Select(p => (Column: p[..p.IndexOf('=', StringComparison.Ordinal)], Value: p[(p.IndexOf('=', StringComparison.Ordinal) + 1)..]))
            .GroupBy(p => p.Column, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(p => p.Value).ToHashSet(StringComparer.Ordinal), StringComparer.Ordinal);

    /// <summary>
    /// True when the Hive partition folder <paramref name="folder"/> (<c>a=1/b=2</c>, as a release's
    /// <c>changes.partitions</c> lists it) is selected: each selected column's value in the folder is one of its values.
    /// </summary>
    public static bool Selects(IReadOnlyList<string> selection, string folder)
    {
        ArgumentNullException.ThrowIfNull(selection);
        ArgumentNullException.ThrowIfNull(folder);
        var values = folder.Split('/', StringSplitOptions.RemoveEmptyEntries)
            .Where(s => s.Contains('=', StringComparison.Ordinal))
            .ToDictionary(s => s[..s.IndexOf('=', StringComparison.Ordinal)], s => Uri.UnescapeDataString(s[(s.IndexOf('=', StringComparison.Ordinal) + 1)..]), StringComparer.Ordinal);
        return ByColumn(selection).All(c => values.TryGetValue(c.Key, out var value) && c.Value.Contains(value));
    }

    /// <summary>
    /// <paramref name="select"/> reduced to the rows of the selected partitions (a SQL boolean on the partition columns'
    /// text), or <paramref name="select"/> itself for an empty selection.
    /// </summary>
    public static string Filter(IReadOnlyList<string> selection, string select)
    {
        ArgumentNullException.ThrowIfNull(selection);
        if (selection.Count == 0)
        {
            return select;
        }

        var where = string.Join(" AND ", ByColumn(selection).Select(c =>
            $"CAST({Sql.Identifier(c.Key)} AS VARCHAR) IN ({string.Join(", ", c.Value.Order(StringComparer.Ordinal).Select(Sql.Literal))})"));
        return $"SELECT * FROM (\n{select}\n) AS backfill_partitions WHERE {where}";
    }

    /// <summary>DuckDB's folder value for a NULL partition value (<c>col=__HIVE_DEFAULT_PARTITION__</c>).</summary>
    public const string NullFolderValue = "__HIVE_DEFAULT_PARTITION__";

    /// <summary>The <c>column</c>/value pairs of a Hive folder (<c>a=1/b=2</c>), values unescaped; null when a segment is not <c>column=value</c>.</summary>
    public static IReadOnlyList<(string Column, string Value)>? Parse(string folder)
    {
        ArgumentNullException.ThrowIfNull(folder);
        var pairs = new List<(string, string)>();
        foreach (var segment in folder.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = segment.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                return null;
            }

            pairs.Add((segment[..equals], Uri.UnescapeDataString(segment[(equals + 1)..])));
        }

        return pairs.Count == 0 ? null : pairs;
    }

    /// <summary>
    /// <paramref name="select"/> reduced to the rows of exactly the Hive folders <paramref name="folders"/> (each folder
    /// one conjunction of its columns' text, folders OR-ed: <c>a=1/b=2</c> and <c>a=3/b=4</c> never select <c>a=1/b=4</c>),
    /// or <paramref name="select"/> itself for none. A part of a backfill's fan-out computes only its own partitions.
    /// </summary>
    public static string FilterFolders(IReadOnlyList<string> folders, string select)
    {
        ArgumentNullException.ThrowIfNull(folders);
        if (folders.Count == 0)
        {
            return select;
        }

        var where = string.Join("\n   OR ", folders.Select(folder =>
        {
            var pairs = Parse(folder) ?? throw new ArgumentException($"'{folder}' is not a Hive partition folder (column=value/...).", nameof(folders));
            return "(" + string.Join(" AND ", pairs.Select(p => p.Value == NullFolderValue
                ? $"{Sql.Identifier(p.Column)} IS NULL"
                : $"CAST({Sql.Identifier(p.Column)} AS VARCHAR) = {Sql.Literal(p.Value)}")) + ")";
        }));
        return $"SELECT * FROM (\n{select}\n) AS backfill_part WHERE {where}";
    }
}
