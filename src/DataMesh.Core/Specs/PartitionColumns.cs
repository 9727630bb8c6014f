using DataMesh.Contracts;
using DataMesh.Engine;

namespace DataMesh.Specs;

/// <summary>
/// Which output columns may partition a release (<c>output.partitionBy</c>). A partition column's values become the
/// release's Hive folder names (<c>email=alice%40example.com/</c>): they show in blob names and the manifest, and
/// DuckDB's Hive reading puts them back into the column, before any masking could apply. So a masked column, or one
/// classified pii, restricted, sensitive or confidential, never partitions: refused by the spec loader (DM1029)
/// and again by the publish gate.
/// </summary>
public static class PartitionColumns
{
    /// <summary>Why <paramref name="property"/> may not partition a release (its masking or classification), or null when it may.</summary>
    public static string? Protection(ContractProperty property)
    {
        ArgumentNullException.ThrowIfNull(property);
        return property.Masking is not null ? $"masked ({property.Masking})"
            : Masking.IsSensitive(property) ? $"classified {property.Classification}"
            : null;
    }

    /// <summary>The refusal, naming the column and what to do.</summary>
    public static string Refusal(string column, string protection) =>
        $"'{column}' is {protection}: partition values are written in clear as the release's folder names (e.g. {column}=<value>/), "
        + "whatever the masking; partition by a column that is neither masked nor classified pii, restricted, sensitive or confidential "
        + "(e.g. a date or region), or drop partitionBy.";
}
