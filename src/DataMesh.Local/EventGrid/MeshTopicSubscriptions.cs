using DataMesh.Events;
using DataMesh.Pipeline;
using DataMesh.Storage;

namespace DataMesh.Local.EventGrid;

/// <summary>
/// The subscriptions the local mesh topic serves, equivalent to what Azure deploys: <c>infra/modules/mesh-topic.bicep</c>
/// (the catalog gets every product event on <c>catalog-events</c>) and <c>infra/modules/mesh-subscriptions.bicep</c>
/// (a domain's <c>pipeline-triggers</c> gets the <c>DataMesh.ProductVersionPublished</c> events of each upstream product
/// its specs read, by subject prefix <c>&lt;productId&gt;/</c>).
/// </summary>
public static class MeshTopicSubscriptions
{
    /// <summary>The event types the catalog subscribes to (Bicep <c>catalogEventTypes</c>).</summary>
    public static IReadOnlyList<string> CatalogEventTypes { get; } =
    [
        ProductEventTypes.ProductVersionPublished,
        ProductEventTypes.QualityCheckFailed,
        ProductEventTypes.PipelineRunFailed,
        ProductEventTypes.FreshnessBreached,
        ProductEventTypes.ReleaseExpired,
    ];

    /// <summary>
    /// The catalog subscription and one upstream subscription per product read by any product of
    /// <paramref name="products"/>. Locally every domain shares one account and so one <c>pipeline-triggers</c> queue:
    /// an upstream read by several domains gets one subscription, not one per domain, so its releases are not queued
    /// twice on the same queue (in Azure each domain's copy lands in that domain's own queue).
    /// </summary>
    public static IReadOnlyList<LocalEventSubscription> For(IProductRegistry products, MeshStorage storage)
    {
        ArgumentNullException.ThrowIfNull(products);
        ArgumentNullException.ThrowIfNull(storage);
        var subscriptions = new List<LocalEventSubscription>
        {
            new("catalog", storage.Queue(MeshStorage.CatalogEventsQueue)) { IncludedEventTypes = CatalogEventTypes },
        };
        var upstreamProducts = products.All
            .SelectMany(p => p.Inputs)
            .Where(i => !i.IsLanding && !string.IsNullOrEmpty(i.Product))
            .Select(i => i.Product!)
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal);
        foreach (var productId in upstreamProducts)
        {
            subscriptions.Add(new LocalEventSubscription($"pipeline-triggers--{productId}", storage.Queue(MeshStorage.PipelineTriggersQueue))
            {
                IncludedEventTypes = [ProductEventTypes.ProductVersionPublished],
                // CloudEvent subject of a release: <productId>/<version>/<release>; the slash keeps 'a.b' from matching 'a.bc'.
                SubjectBeginsWith = productId + "/",
            });
        }

        return subscriptions;
    }
}
