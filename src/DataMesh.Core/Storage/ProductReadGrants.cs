using DataMesh.Governance;
using DataMesh.Specs;

namespace DataMesh.Storage;

/// <summary>
/// Which other domains' <c>products</c> containers a domain's pipeline may read, derived from the specs as they are now
/// (DESIGN §5, docs/design-notes/domain-isolation.md): a grant exists only while one of the consumer's products reads a
/// product of that domain AND that product's <c>access</c> admits the consumer. In Azure the same pairs become
/// <c>Storage Blob Data Reader</c> role assignments on the upstream's container; locally, short-lived read-only SAS.
/// </summary>
public static class ProductReadGrants
{
    /// <summary>The upstream domains whose <c>products</c> container <paramref name="consumerDomain"/> is granted, sorted.</summary>
    public static IReadOnlyList<string> UpstreamDomains(IEnumerable<ProductSpec> products, string consumerDomain)
    {
        ArgumentNullException.ThrowIfNull(products);
        ArgumentException.ThrowIfNullOrEmpty(consumerDomain);
        var all = products.ToList();
        var byId = all.GroupBy(p => p.Id, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        return all.Where(p => p.Domain == consumerDomain)
            .SelectMany(p => p.Inputs)
            .Where(i => i.Product is not null && byId.ContainsKey(i.Product))
            .Select(i => byId[i.Product!])
            .Where(upstream => upstream.Domain != consumerDomain && ProductAccess.CanRead(upstream, consumerDomain))
            .Select(upstream => upstream.Domain)
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>The product's access rule in words, for an error that says why a domain is not admitted.</summary>
    public static string DescribeAccess(ProductSpec upstream)
    {
        ArgumentNullException.ThrowIfNull(upstream);
        return upstream.Access.Visibility switch
        {
            "public" => "access: public (every domain)",
            "restricted" => $"access: restricted, readers [{string.Join(", ", upstream.Access.Readers)}] (and its own domain {upstream.Domain})",
            _ => $"access: {upstream.Access.Visibility} (domain {upstream.Domain} only)",
        };
    }
}
