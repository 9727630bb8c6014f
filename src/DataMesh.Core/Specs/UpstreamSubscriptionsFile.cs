using System.Text;
using System.Text.Json;

namespace DataMesh.Specs;

/// <summary>
/// <c>infra/generated/subscriptions.json</c>, written by <c>datamesh infra</c> and loaded by <c>infra/main.bicep</c>: for
/// each domain of the mesh, the products its specs take as input (<c>inputs[].product</c>). A domain deployment
/// subscribes its <c>pipeline-triggers</c> queue to each of those products' <c>DataMesh.ProductVersionPublished</c>
/// events on the mesh topic.
/// </summary>
/// <remarks>
/// Inputs from the domain's own products are listed too: in Azure a release reaches even its own domain's consumers
/// only through the mesh topic. The text is deterministic (domains and product ids in ordinal order, '\n' line ends,
/// a final newline), so the committed file can be compared byte for byte with what the specs produce.
/// </remarks>
public static class UpstreamSubscriptionsFile
{
    /// <summary>Format version of the file (the Bicep type <c>UpstreamSubscriptions</c> pins it).</summary>
    public const int FormatVersion = 1;

    /// <summary>Where the file lives, relative to the repository root.</summary>
    public static readonly string DefaultPath = Path.Combine("infra", "generated", "subscriptions.json");

    /// <summary>Upstream product ids per domain: every domain with a product, each list sorted and without duplicates.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<string>> UpstreamProducts(IEnumerable<ProductSpec> products)
    {
        ArgumentNullException.ThrowIfNull(products);
        return products
            .GroupBy(p => p.Domain, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .ToDictionary(
                g => g.Key,
                g => (IReadOnlyList<string>)g.SelectMany(p => p.Inputs)
                    .Select(i => i.Product)
                    .OfType<string>()
                    .Distinct(StringComparer.Ordinal)
                    .Order(StringComparer.Ordinal)
                    .ToList(),
                StringComparer.Ordinal);
    }

    /// <summary>The file's text for these products.</summary>
    public static string Generate(IEnumerable<ProductSpec> products)
    {
        var domains = UpstreamProducts(products);
        var text = new StringBuilder();
        text.Append("{\n");
        text.Append("  \"version\": ").Append(FormatVersion).Append(",\n");
        text.Append("  \"domains\": {");
        var first = true;
        foreach (var (domain, upstream) in domains.OrderBy(d => d.Key, StringComparer.Ordinal))
        {
            text.Append(first ? "\n" : ",\n");
            first = false;
            text.Append("    ").Append(Quote(domain)).Append(": { \"upstreamProducts\": [")
                .AppendJoin(", ", upstream.Select(Quote))
                .Append("] }");
        }

        text.Append(first ? "}\n" : "\n  }\n");
        text.Append("}\n");
        return text.ToString();
    }

    private static string Quote(string value) => JsonSerializer.Serialize(value);
}
