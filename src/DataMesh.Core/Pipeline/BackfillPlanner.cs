using Azure;
using Azure.Storage.Blobs.Models;
using DataMesh.Specs;
using DataMesh.Storage;

namespace DataMesh.Pipeline;

/// <summary>
/// Plans <c>datamesh backfill</c> (and the domain app's backfill route): one run of the product over every archived
/// landing input whose original arrival falls in the range, into one new release. With <c>--partitions</c>, only the
/// inputs whose release wrote one of those partitions are replayed, and the run keeps only those partitions' rows. The run is asked for on purpose
/// (trigger <c>backfill</c>), so the duplicate-bytes check of arrivals does not refuse it, and a replay of the same
/// range gives the same snapshot content. Landing inputs with no archived file in range read their newest file, as
/// any run does. Reads only.
/// </summary>
public static class BackfillPlanner
{
    /// <summary>The <see cref="PipelineRequest.Trigger"/> of a backfill run.</summary>
    public const string Trigger = "backfill";

    /// <summary>
    /// Most activities of one backfill's fan-out: beyond it, consecutive partitions share a part, so the orchestration's
    /// history (a few events per activity) and its messages stay bounded however many partitions a backfill spans.
    /// </summary>
    public const int MaxParts = 256;

    /// <summary>Plans the backfill of <paramref name="spec"/> over <paramref name="range"/>, with a new run id.</summary>
    public static async Task<BackfillPlan> PlanAsync(MeshStorage storage, ProductSpec spec, BackfillRange range, TimeProvider? time = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(storage);
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(range);
        if (range is { From: { } from, To: { } to } && from >= to)
        {
            return new BackfillPlan(null, $"{spec.Id}: the range is empty ({range.Describe()}): --from must come before --to.");
        }

        if (PartitionProblem(spec, range) is { } partitionProblem)
        {
            return new BackfillPlan(null, partitionProblem);
        }

        var landing = spec.Inputs.Where(i => i.IsLanding).Select(i => i.Landing!.Path).ToList();
        if (landing.Count == 0)
        {
            return new BackfillPlan(null, $"{spec.Id} has no landing input, so nothing of it is archived: rebuild it from its upstream releases with `datamesh run` instead.");
        }

        var archive = storage.Archive(spec.Domain);
        var inRange = new List<(string Name, DateTimeOffset Arrived, string? Version, int? Release)>();
        var outside = new List<DateTimeOffset>();
        try
        {
            foreach (var prefix in landing)
            {
                await foreach (var item in archive.GetBlobsAsync(new GetBlobsOptions { Prefix = prefix, Traits = BlobTraits.Metadata }, cancellationToken).ConfigureAwait(false))
                {
                    if (item.Metadata.TryGetValue(ArchiveActivity.ProductMetadata, out var product) && product != spec.Id)
                    {
                        continue; // archived by another product that once had this path
                    }

                    var arrived = ArchiveActivity.ArrivedAt(item.Metadata) ?? item.Properties.LastModified ?? DateTimeOffset.MinValue;
                    if ((range.From is not { } start || arrived >= start) && (range.To is not { } end || arrived < end))
                    {
                        var release = item.Metadata.TryGetValue(ArchiveActivity.ReleaseMetadata, out var number)
                            && int.TryParse(number, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var parsed) ? parsed : (int?)null;
                        inRange.Add((item.Name, arrived, item.Metadata.TryGetValue(ArchiveActivity.VersionMetadata, out var version) ? version : null, release));
                    }
                    else
                    {
                        outside.Add(arrived);
                    }
                }
            }
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // No archive container yet: nothing archived.
        }

        if (inRange.Count == 0)
        {
            var held = outside.Count == 0
                ? "it has no archived input at all (inputs are archived once a run publishes them)"
                : $"its {outside.Count} archived input(s) arrived from {outside.Min():O} to {outside.Max():O}";
            return new BackfillPlan(null, $"{spec.Id}: no archived input arrived {range.Describe()} (container '{archive.Name}', under {string.Join(", ", landing)}); {held}. Widen --from/--to.");
        }

        var written = spec.Output.Mode == OutputMode.Partitions
            ? await PartitionsWrittenAsync(storage, spec, inRange.Select(i => (i.Version, i.Release)), cancellationToken).ConfigureAwait(false)
            : [];
        if (range.Partitions.Count > 0)
        {
            // A release that does not say which partitions it wrote may have written the selected ones: it is replayed
            // too (the transform's filter keeps only the selected rows, so a wider replay is still right, only slower).
            var skipped = inRange.Count;
            inRange = inRange.Where(i => written.GetValueOrDefault((i.Version, i.Release)) is not { } folders || folders.Any(f => BackfillPartitions.Selects(range.Partitions, f))).ToList();
            if (inRange.Count == 0)
            {
                return new BackfillPlan(null, $"{spec.Id}: none of the {skipped} archived input(s) that arrived {range.Describe()} was published into the partitions {string.Join(", ", range.Partitions)} (their releases' changes.partitions name others). Check the values, as the partition folders spell them.");
            }
        }

        var now = (time ?? TimeProvider.System).GetUtcNow();
        var ordered = inRange.OrderBy(i => i.Arrived).ThenBy(i => i.Name, StringComparer.Ordinal).ToList();
        var request = new PipelineRequest
        {
            RunId = $"{spec.Id}-backfill-{now:yyyyMMddTHHmmssfff}-{Guid.NewGuid().ToString("N")[..8]}",
            ProductId = spec.Id,
            ArchivedBlobs = ordered.Select(i => i.Name).ToList(),
            Partitions = range.Partitions,
            Parts = spec.Output.Mode == OutputMode.Partitions ? Parts(spec, range.Partitions, ordered.Select(i => (i.Name, written.GetValueOrDefault((i.Version, i.Release)))).ToList()) : [],
            Trigger = Trigger,
        };
        return new BackfillPlan(request, null);
    }

    /// <summary>
    /// The fan-out of a <c>partitions</c>-mode backfill: one part per partition folder the replayed inputs' releases wrote
    /// (within the selection), each with the inputs that wrote it; at most <see cref="MaxParts"/> parts (consecutive
    /// folders grouped beyond that). Empty — one transform over every input — when an input's release does not say which
    /// partitions it wrote, or names them with other columns than <c>output.partitionBy</c> now: its rows could land in
    /// any partition, so no part could leave them out.
    /// </summary>
    internal static IReadOnlyList<BackfillPart> Parts(ProductSpec spec, IReadOnlyList<string> selection, IReadOnlyList<(string Blob, IReadOnlyList<string>? Folders)> inputs)
    {
        if (inputs.Any(i => i.Folders is null || i.Folders.Any(f => BackfillPartitions.Parse(f) is not { } pairs || !pairs.Select(p => p.Column).SequenceEqual(spec.Output.PartitionBy, StringComparer.Ordinal))))
        {
            return [];
        }

        var folders = inputs.SelectMany(i => i.Folders!)
            .Where(f => selection.Count == 0 || BackfillPartitions.Selects(selection, f))
            .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var perPart = (folders.Count + MaxParts - 1) / MaxParts;
        return folders.Chunk(Math.Max(1, perPart))
            .Select(group => new BackfillPart(group, inputs.Where(i => i.Folders!.Intersect(group, StringComparer.Ordinal).Any()).Select(i => i.Blob).ToList()))
            .ToList();
    }

    /// <summary>
    /// The partition folders each release (version, number) of the archived inputs wrote, from its manifest's
    /// <c>changes.partitions</c>; null for a release that does not say (no metadata on the archived blob, no manifest,
    /// or one written before output modes).
    /// </summary>
    private static async Task<Dictionary<(string? Version, int? Release), IReadOnlyList<string>?>> PartitionsWrittenAsync(
        MeshStorage storage, ProductSpec spec, IEnumerable<(string? Version, int? Release)> releases, CancellationToken cancellationToken)
    {
        var store = new Publishing.ReleaseStore(storage.Products(spec.Domain));
        var written = new Dictionary<(string? Version, int? Release), IReadOnlyList<string>?>();
        foreach (var (version, release) in releases.Distinct())
        {
            if (version is null || release is null)
            {
                written[(version, release)] = null;
                continue;
            }

            var manifest = await store.ReadManifestAsync(Publishing.ReleaseStore.Folder(spec.Name, version, release.Value), cancellationToken).ConfigureAwait(false);
            written[(version, release)] = manifest?.Changes is { Partitions.Count: > 0 } changes ? changes.Partitions : null;
        }

        return written;
    }

    /// <summary>Parses <c>col=value,col=value</c> (the CLI's and the route's syntax) into pairs; null with a message when malformed.</summary>
    public static IReadOnlyList<string>? ParsePartitions(string? text, out string? problem)
    {
        problem = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return [];
        }

        var pairs = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
        var bad = pairs.FirstOrDefault(p => p.IndexOf('=', StringComparison.Ordinal) is <= 0);
        if (bad is not null)
        {
            problem = $"--partitions: '{bad}' is not column=value (e.g. --partitions period=2026-10,period=2026-11).";
            return null;
        }

        return pairs;
    }

    private static string ModeName(OutputMode mode) => mode switch
    {
        OutputMode.Append => "append",
        OutputMode.Merge => "merge",
        OutputMode.Partitions => "partitions",
        _ => "replace",
    };

    private static string? PartitionProblem(ProductSpec spec, BackfillRange range)
    {
        if (range.Partitions.Count == 0)
        {
            return null;
        }

        if (spec.Output.Mode != OutputMode.Partitions)
        {
            return $"{spec.Id}: --partitions applies to a product with output.mode: partitions; {Path.GetFileName(spec.SpecPath)} says {ModeName(spec.Output.Mode)}. Backfill a range with --from/--to instead.";
        }

        foreach (var pair in range.Partitions)
        {
            // The route's JSON body is not parsed by ParsePartitions: a pair without '=' is the caller's error, not a crash.
            if (pair is null || pair.IndexOf('=', StringComparison.Ordinal) <= 0)
            {
                return $"{spec.Id}: partition '{pair}' is not column=value (e.g. {spec.Output.PartitionBy.FirstOrDefault() ?? "period"}=2026-10).";
            }

            var column = pair[..pair.IndexOf('=', StringComparison.Ordinal)];
            if (!spec.Output.PartitionBy.Contains(column, StringComparer.Ordinal))
            {
                return $"{spec.Id}: --partitions names column '{column}', which is not a partition column (output.partitionBy: {string.Join(", ", spec.Output.PartitionBy)}).";
            }
        }

        return null;
    }
}
