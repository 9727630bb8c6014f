using System.Text.Json;
using DataMesh.Events;
using DataMesh.Pipeline;

namespace DataMesh.Catalog;

/// <summary>
/// JSON-valued catalog properties kept below the Azure Tables limit of 64 KiB per string property: lists are
/// shortened whole items at a time (never cut mid-JSON) and the number left out is stored beside them.
/// </summary>
internal static class CatalogJson
{
    /// <summary>Characters per string property: 64 KiB of UTF-16 is 32,768 characters; keep a margin.</summary>
    internal const int MaxStringLength = 30_000;

    private const string TruncatedSuffix = " ... [truncated]";

    internal static JsonSerializerOptions Options => ProductEventJson.Options;

    internal static (string Json, int Omitted) SerializeList<T>(IReadOnlyList<T> items) =>
        SerializeBounded(items, kept => kept);

    /// <summary>A quality summary; when it is too large, failed rules are kept before passed ones.</summary>
    internal static (string Json, int Omitted) SerializeQuality(QualitySummary quality)
    {
        var full = JsonSerializer.Serialize(quality, Options);
        if (full.Length <= MaxStringLength)
        {
            return (full, 0);
        }

        IReadOnlyList<QualityRuleResult> failedFirst = [.. quality.Rules.OrderBy(r => r.Passed)];
        return SerializeBounded(failedFirst, kept => quality with { Rules = kept });
    }

    /// <summary>A release's change summary; when it is too large (a forged event), partition names are left out, and counted, until it fits.</summary>
    internal static string SerializeChanges(ReleaseChangeSummary changes)
    {
        var (json, _) = SerializeBounded(changes.Partitions, kept => changes with
        {
            Partitions = kept,
            PartitionsOmitted = changes.PartitionsOmitted + changes.Partitions.Count - kept.Count,
        });
        return json;
    }

    internal static T Deserialize<T>(string json) =>
        JsonSerializer.Deserialize<T>(json, Options) ?? throw new FormatException($"Catalog property holds null where a {typeof(T).Name} was expected.");

    /// <summary>Cuts text to the property limit without splitting a surrogate pair, and says it was cut.</summary>
    internal static string Truncate(string text)
    {
        if (text.Length <= MaxStringLength)
        {
            return text;
        }

        var cut = MaxStringLength - TruncatedSuffix.Length;
        if (char.IsHighSurrogate(text[cut - 1]))
        {
            cut--;
        }

        return string.Concat(text.AsSpan(0, cut), TruncatedSuffix);
    }

    private static (string Json, int Omitted) SerializeBounded<T, TShape>(IReadOnlyList<T> items, Func<IReadOnlyList<T>, TShape> shape)
    {
        var count = items.Count;
        while (true)
        {
            IReadOnlyList<T> kept = count == items.Count ? items : [.. items.Take(count)];
            var json = JsonSerializer.Serialize(shape(kept), Options);
            if (json.Length <= MaxStringLength || count == 0)
            {
                return (json, items.Count - count);
            }

            count /= 2;
        }
    }
}
