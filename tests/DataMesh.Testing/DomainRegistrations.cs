using DataMesh.Catalog;
using DataMesh.Events;
using DataMesh.Lineage;
using DataMesh.Pipeline;
using DataMesh.Specs;

namespace DataMesh.Testing;

/// <summary>
/// Release announcements as a domain app makes them in Azure: it holds its own domain's specs only, so its product's
/// registration (column lineage included) is derived without other domains' contracts, as AnnounceActivity does.
/// </summary>
public static class DomainRegistrations
{
    /// <summary>The registration <paramref name="product"/>'s domain app announces, holding only <paramref name="domainSpecs"/>.</summary>
    public static ProductRegistration Of(ProductSpec product, IReadOnlyCollection<ProductSpec> domainSpecs) =>
        ProductRegistration.FromSpec(product) with { ColumnLineage = ColumnLineageAnalyzer.Analyze([product], domainSpecs).GetValueOrDefault(product.Id) };

    /// <summary>A release event of <paramref name="product"/> carrying its registration as its domain app holds it.</summary>
    public static ProductVersionPublishedData Release(ProductSpec product, IReadOnlyCollection<ProductSpec> domainSpecs, int release = 1) => new()
    {
        ProductId = product.Id,
        Domain = product.Domain,
        Name = product.Name,
        Version = product.Version,
        Release = release,
        RunId = $"run-{product.Name}-{release}",
        Location = $"http://127.0.0.1:10000/dm{product.Domain}/{product.Domain}-products/{product.Name}/{product.Version}/{release}/",
        Rows = 10,
        SchemaHash = "ab12cd34",
        Quality = new QualitySummary(true, 10, []),
        PublishedAt = new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero).AddMinutes(release),
        Registration = Of(product, domainSpecs),
    };

    /// <summary>Each of <paramref name="products"/> announced to the hub's <paramref name="catalog"/> by its own domain app, holding its own spec only.</summary>
    public static async Task AnnounceAsync(CatalogProjection catalog, params ProductSpec[] products)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        foreach (var product in products)
        {
            await catalog.ApplyAsync(ProductEventFactory.CreateProductVersionPublished(Release(product, [product])));
        }
    }
}
