using Azure;
using Azure.Data.Tables;
using DataMesh.Events;
using DataMesh.Pipeline;
using DataMesh.Storage;

namespace DataMesh.Catalog;

/// <summary>
/// The freshness check (a timer in Azure, a periodic task locally): every product whose newest release is older than
/// its <c>sla.freshness</c> is announced with <c>DataMesh.FreshnessBreached</c> — once per breach, not at every tick:
/// the breach is remembered per product and newest release, and a new release starts a new promise.
/// </summary>
public sealed class FreshnessMonitor(IProductRegistry products, MeshStorage storage, IProductEventPublisher events, TimeProvider? time = null, Telemetry.PipelineMetrics? metrics = null)
{
    /// <summary>Table remembering the last breach announced per product.</summary>
    public const string StateTable = "Freshness";

    private readonly TimeProvider _time = time ?? TimeProvider.System;

    private readonly Telemetry.PipelineMetrics _metrics = metrics ?? Telemetry.PipelineMetrics.None;

    /// <summary>Checks every product with an SLA; returns the breaches announced by this call.</summary>
    public async Task<IReadOnlyList<FreshnessBreachedData>> CheckAsync(CancellationToken cancellationToken = default)
    {
        var reader = new CatalogReader(storage);
        var state = storage.Table(StateTable);
        await state.CreateIfNotExistsAsync(cancellationToken).ConfigureAwait(false);
        var now = _time.GetUtcNow();
        var announced = new List<FreshnessBreachedData>();
        foreach (var spec in products.All.Where(p => p.Freshness is not null))
        {
            var product = await reader.GetProductAsync(spec.Id, cancellationToken).ConfigureAwait(false);
            var since = product?.PublishedAt ?? product?.RegisteredAt;
            if (product?.PublishedAt is { } published)
            {
                _metrics.ObserveNewestRelease(spec.Id, spec.Domain, published);
            }

            if (since is null || now - since.Value <= spec.Freshness!.Value)
            {
                continue;
            }

            var breach = product!.LatestRelease is { } release ? $"{product.LatestVersion}#{release}" : "none";
            var key = CatalogKeys.Encode(spec.Id);
            try
            {
                var previous = await state.GetEntityAsync<TableEntity>(key, "breach", cancellationToken: cancellationToken).ConfigureAwait(false);
                if (previous.Value.GetString("Release") == breach)
                {
                    continue;
                }
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
                // No breach announced for this product yet.
            }

            var data = new FreshnessBreachedData
            {
                ProductId = spec.Id,
                Domain = spec.Domain,
                Name = spec.Name,
                Freshness = System.Xml.XmlConvert.ToString(spec.Freshness.Value),
                LatestVersion = product.LatestVersion,
                LatestRelease = product.LatestRelease,
                Since = since.Value,
                DetectedAt = now,
            };
            await events.PublishAsync(ProductEventFactory.CreateFreshnessBreached(data), cancellationToken).ConfigureAwait(false);
            await state.UpsertEntityAsync(new TableEntity(key, "breach") { ["Release"] = breach, ["DetectedAt"] = now }, TableUpdateMode.Replace, cancellationToken).ConfigureAwait(false);
            announced.Add(data);
        }

        return announced;
    }
}
