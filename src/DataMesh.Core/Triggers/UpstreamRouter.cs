using System.Security.Cryptography;
using System.Text;
using Azure.Messaging;
using Azure.Storage.Blobs.Models;
using DataMesh.Events;
using DataMesh.Pipeline;
using DataMesh.Publishing;
using DataMesh.Storage;

namespace DataMesh.Triggers;

/// <summary>
/// Maps a <c>DataMesh.ProductVersionPublished</c> event to the runs of the products that read that product: each
/// consumer whose version range accepts the release, and whose other upstream inputs already have a release in range,
/// is rebuilt. A release outside a consumer's range (a new major) does not trigger it: the consumer stays pinned.
/// Run ids derive from the event id, so a duplicated delivery collapses into one run. An event whose release has no
/// manifest where it says (<see cref="AnnouncedReleaseCheck"/>, in the storage this host has) starts nothing: a forged
/// or stale announcement never rebuilds a consumer. A compaction release (<see cref="ReleaseChanges.Compaction"/>)
/// rebuilds no consumer: its rows are its base's.
/// </summary>
public sealed class UpstreamRouter(IProductRegistry products, MeshStorage storage, string? domain = null)
{
    // In Azure each domain's app holds every spec (to resolve upstreams) but starts only its own domain's consumers.
    private readonly string? _domain = string.IsNullOrWhiteSpace(domain) ? null : domain;

    /// <summary>The <see cref="PipelineRequest.Trigger"/> of runs started by an upstream release.</summary>
    public const string UpstreamTrigger = "upstream";

    /// <summary>One route per consumer of the published product (runs to start, or why not).</summary>
    public async Task<IReadOnlyList<TriggerRoute>> RouteAsync(CloudEvent cloudEvent, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(cloudEvent);
        if (cloudEvent.Type != ProductEventTypes.ProductVersionPublished)
        {
            return [TriggerRoute.Drop($"event type {cloudEvent.Type} does not trigger runs")];
        }

        var data = ProductEventJson.ReadData<ProductVersionPublishedData>(cloudEvent);
        if (!products.All.Any(p => (_domain is null || p.Domain == _domain) && p.Inputs.Any(i => i.Product == data.ProductId)))
        {
            return [];
        }

        // A domain announces only its own products: the channel's source must be the product the data names.
        if (cloudEvent.Source != ProductEventTypes.Source(data.Domain, data.Name) || data.ProductId != $"{data.Domain}.{data.Name}")
        {
            return [TriggerRoute.Drop($"{cloudEvent.Type} '{cloudEvent.Id}' from '{cloudEvent.Source}' starts no run: its source does not match its data ({data.ProductId})")];
        }

        if (await new AnnouncedReleaseCheck(storage).VerifyAsync(data, cancellationToken).ConfigureAwait(false) is { } unverified)
        {
            return [TriggerRoute.Drop($"{cloudEvent.Type} '{cloudEvent.Id}' from '{cloudEvent.Source}' starts no run: {unverified}")];
        }

        var resolver = new UpstreamResolver(storage);
        var routes = new List<TriggerRoute>();
        foreach (var consumer in products.All.Where(p => _domain is null || p.Domain == _domain))
        {
            var reads = consumer.Inputs.Where(i => i.Product == data.ProductId).ToList();
            if (reads.Count == 0)
            {
                continue;
            }

            // A compaction release holds its base's rows in fewer files: rebuilding would produce the same rows again.
            // Its base's own event triggered this consumer (a consumer that read changes still finds them: compacted
            // files are never changes). Recorded as why it was not rebuilt.
            if (data.Changes is { Compaction: true } compaction)
            {
                routes.Add(TriggerRoute.Drop($"{consumer.Id} is not rebuilt: {data.ProductId} {data.Version}#{data.Release} is a compaction of #{compaction.BasedOn} (same rows in fewer files)"));
                continue;
            }

            if (!reads.All(i => UpstreamResolver.Accepts(i, data.Version)))
            {
                routes.Add(TriggerRoute.Drop($"{consumer.Id} reads {data.ProductId} {reads[0].Versions}: release {data.Version}#{data.Release} is outside that range (pinned)"));
                continue;
            }

            var missing = new List<string>();
            foreach (var other in consumer.Inputs.Where(i => !i.IsLanding && i.Product != data.ProductId))
            {
                if (await resolver.ResolveAsync(other, cancellationToken).ConfigureAwait(false) is null)
                {
                    missing.Add($"{other.Product} {other.Versions ?? "*"}");
                }
            }

            // A consumer with landing inputs of its own builds from their newest files: none yet, nothing to build.
            foreach (var landing in consumer.Inputs.Where(i => i.IsLanding))
            {
                if (!await HasLandingFileAsync(consumer.Domain, landing.Landing!.Path, cancellationToken).ConfigureAwait(false))
                {
                    missing.Add($"a file under its landing path {landing.Landing.Path}");
                }
            }

            if (missing.Count > 0)
            {
                routes.Add(TriggerRoute.Drop($"{consumer.Id} waits for a release of {string.Join(", ", missing)}"));
                continue;
            }

            var request = new PipelineRequest { RunId = RunId(consumer.Id, cloudEvent.Id), ProductId = consumer.Id, Trigger = UpstreamTrigger };
            routes.Add(TriggerRoute.Run(request, $"{data.ProductId} {data.Version}#{data.Release} published"));
        }

        return routes;
    }

    /// <summary>Whether the path has a file in landing or in the archive (a published input, which a rebuild reads too).</summary>
    private async Task<bool> HasLandingFileAsync(string domain, string path, CancellationToken cancellationToken)
    {
        var archive = storage.Archive(domain);
        foreach (var container in new[] { storage.Landing(domain), archive })
        {
            try
            {
                await foreach (var page in container.GetBlobsAsync(new GetBlobsOptions { Prefix = path }, cancellationToken).AsPages(pageSizeHint: 1).ConfigureAwait(false))
                {
                    if (page.Values.Count > 0)
                    {
                        return true; // one is enough (a page may come back empty with a continuation: keep going then)
                    }
                }
            }
            catch (Azure.RequestFailedException ex) when (ex.Status == 404 && ReferenceEquals(container, archive))
            {
                // No archive yet (nothing published so far): nothing there. A missing landing container is a storage
                // fault, left to the trigger's retries.
            }
        }

        return false;
    }

    /// <summary>Deterministic run id of a consumer rebuilt for one upstream event.</summary>
    public static string RunId(string consumerId, string eventId) =>
        $"{consumerId}-up-{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(eventId)))[..24]}";
}
