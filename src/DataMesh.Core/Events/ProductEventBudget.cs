using System.Text.Json;
using System.Text.Json.Nodes;
using DataMesh.Pipeline;

namespace DataMesh.Events;

/// <summary>
/// Keeps a product event within one queue message: Event Grid delivers each event to a storage queue, whose messages
/// hold 64 KiB, and a Base64 body (the Functions host's default) takes 4/3 of the JSON. Data that does not fit is
/// shortened in steps, least useful first — long sample values, OpenLineage facets, failed-row samples, the
/// OpenLineage events, long lists (stages, partition names, lineage, quarantined files), the error text, passed rules — and each step
/// taken is named in the data's <c>trimmed</c> list, so a reader knows what is missing (the release's manifest keeps
/// the whole quality report and lineage).
/// </summary>
public static class ProductEventBudget
{
    /// <summary>Largest CloudEvent JSON (bytes) the mesh sends: 48 KiB, which Base64 turns into 64 KiB.</summary>
    public const int MaxEventBytes = 48 * 1024;

    /// <summary>Room left for the CloudEvent envelope (id, source, subject, type, time, extension attributes).</summary>
    private const int EnvelopeBytes = 2 * 1024;

    /// <summary>Largest <c>data</c> JSON (bytes) of an event.</summary>
    public const int MaxDataBytes = MaxEventBytes - EnvelopeBytes;

    private const int MaxSampleValueLength = 200;
    private const int MaxListItems = 20;
    private const int MaxErrorLength = 4_000;
    private const string Marker = "...[trimmed]";

    /// <summary>The release announcement, shortened to fit <see cref="MaxDataBytes"/> when it does not.</summary>
    public static ProductVersionPublishedData Fit(ProductVersionPublishedData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var steps = new List<(string Name, Func<ProductVersionPublishedData, ProductVersionPublishedData> Apply)>
        {
            ("quality.samples.values", d => d with { Quality = ShortenSampleValues(d.Quality) }),
            ("openLineage.facets", d => d with { OpenLineage = WithoutDatasetFacets(d.OpenLineage) }),
            ("quality.samples", d => d with { Quality = WithoutSamples(d.Quality) }),
            ("openLineage", d => d with { OpenLineage = [] }),
            ("stages", d => d with { Stages = ShortTimeline(d.Stages) }),
            ("changes.partitions", d => d with { Changes = d.Changes is { } c ? c with { Partitions = [], PartitionsOmitted = c.Partitions.Count + c.PartitionsOmitted } : null }),
            ("inputs", d => d with { Inputs = Head(d.Inputs) }),
            ("landing", d => d with { Landing = Head(d.Landing) }),
            ("upstream", d => d with { Upstream = Head(d.Upstream) }),
            ("quality.rules", d => d with { Quality = FailedRulesFirst(d.Quality) }),
            // Last: the registration is what the hub's readers and other domains' publish gates read. Left out whole
            // (and flagged), never cut: a cut lineage would claim a column has no reader.
            ("registration.columnLineage", d => d with { Registration = d.Registration is { } r ? r with { ColumnLineage = null, ColumnLineageOmitted = r.ColumnLineage is not null || r.ColumnLineageOmitted } : null }),
        };
        return Fit(data, steps, (d, trimmed) => d with { Trimmed = trimmed });
    }

    /// <summary>A failed-run announcement, shortened to fit <see cref="MaxDataBytes"/> when it does not.</summary>
    public static T Fit<T>(T data)
        where T : RunFailureData
    {
        ArgumentNullException.ThrowIfNull(data);
        var steps = new List<(string Name, Func<T, T> Apply)>
        {
            ("quality.samples.values", d => (T)(d with { Quality = d.Quality is { } q ? ShortenSampleValues(q) : null })),
            ("openLineage.facets", d => (T)(d with { OpenLineage = WithoutDatasetFacets(d.OpenLineage) })),
            ("quality.samples", d => (T)(d with { Quality = d.Quality is { } q ? WithoutSamples(q) : null })),
            ("openLineage", d => (T)(d with { OpenLineage = [] })),
            ("stages", d => (T)(d with { Stages = ShortTimeline(d.Stages) })),
            ("inputs", d => (T)(d with { Inputs = Head(d.Inputs) })),
            ("quarantined", d => (T)(d with { Quarantined = Head(d.Quarantined), QuarantinedFiles = Head(d.QuarantinedFiles) })),
            ("error", d => (T)(d with { Error = Cut(d.Error, MaxErrorLength) })),
            ("quality.rules", d => (T)(d with { Quality = d.Quality is { } q ? FailedRulesFirst(q) : null })),
        };
        return Fit(data, steps, (d, trimmed) => (T)(d with { Trimmed = trimmed }));
    }

    /// <summary>Bytes of <paramref name="data"/> as event data JSON.</summary>
    public static int DataBytes<T>(T data) => JsonSerializer.SerializeToUtf8Bytes(data, ProductEventJson.Options).Length;

    private static T Fit<T>(T data, IReadOnlyList<(string Name, Func<T, T> Apply)> steps, Func<T, IReadOnlyList<string>, T> mark)
    {
        if (DataBytes(data) <= MaxDataBytes)
        {
            return data;
        }

        var trimmed = new List<string>();
        foreach (var (name, apply) in steps)
        {
            data = apply(data);
            trimmed.Add(name);
            var marked = mark(data, [.. trimmed]);
            if (DataBytes(marked) <= MaxDataBytes)
            {
                return marked;
            }
        }

        // Still too large (e.g. huge ids): left as it is, for the outbox to refuse with the reason.
        return mark(data, [.. trimmed]);
    }

    private static QualitySummary ShortenSampleValues(QualitySummary quality) => quality with
    {
        Rules = [.. quality.Rules.Select(r => r with
        {
            Samples = [.. r.Samples.Select(row => (IReadOnlyDictionary<string, string?>)row.ToDictionary(
                cell => Cut(cell.Key, MaxSampleValueLength),
                cell => cell.Value is null ? null : Cut(cell.Value, MaxSampleValueLength)))],
        })],
    };

    private static QualitySummary WithoutSamples(QualitySummary quality) => quality with { Rules = [.. quality.Rules.Select(r => r with { Samples = [] })] };

    /// <summary>Failed rules before passed ones, as many as <see cref="MaxListItems"/> times five.</summary>
    private static QualitySummary FailedRulesFirst(QualitySummary quality) => quality with
    {
        Rules = [.. quality.Rules.OrderBy(r => r.Passed).Take(MaxListItems * 5)],
    };

    private static IReadOnlyList<JsonObject> WithoutDatasetFacets(IReadOnlyList<JsonObject> events)
    {
        var copies = events.Select(e => (JsonObject)e.DeepClone()).ToList();
        foreach (var dataset in copies.SelectMany(e => new[] { e["inputs"], e["outputs"] }).OfType<JsonArray>().SelectMany(a => a).OfType<JsonObject>())
        {
            dataset.Remove("facets");
            dataset.Remove("inputFacets");
            dataset.Remove("outputFacets");
        }

        return copies;
    }

    private static IReadOnlyList<TItem> Head<TItem>(IReadOnlyList<TItem> items) => items.Count <= MaxListItems ? items : [.. items.Take(MaxListItems)];

    /// <summary>The timeline's last attempts, each error text cut short.</summary>
    private static IReadOnlyList<StageTiming> ShortTimeline(IReadOnlyList<StageTiming> stages) =>
        [.. Tail(stages).Select(s => s.Error is { } error ? s with { Error = Cut(error, MaxSampleValueLength * 2) } : s)];

    /// <summary>The last entries of a timeline: where the run ended is what a reader looks for.</summary>
    private static IReadOnlyList<TItem> Tail<TItem>(IReadOnlyList<TItem> items) => items.Count <= MaxListItems ? items : [.. items.Skip(items.Count - MaxListItems)];

    private static string Cut(string text, int length)
    {
        if (text.Length <= length)
        {
            return text;
        }

        var cut = length - Marker.Length;
        if (char.IsHighSurrogate(text[cut - 1]))
        {
            cut--;
        }

        return string.Concat(text.AsSpan(0, cut), Marker);
    }
}
