using System.Text;
using System.Text.Json;
using DataMesh.Governance;

namespace DataMesh.Specs;

/// <summary>
/// <c>infra/generated/subscriptions.json</c>, written by <c>datamesh infra</c> and loaded by <c>infra/main.bicep</c>: for
/// each domain of the mesh, what its specs read and who reads it. Each domain has its own Event Grid topic; every
/// deployment writes only in its own resource group, so each side of a cross-domain link is derived from this file:
/// <list type="bullet">
/// <item><c>upstreamProducts</c>: the products its specs take as input (<c>inputs[].product</c>);</item>
/// <item><c>upstreamDomains</c>: the domains whose topics deliver to its <c>pipeline-triggers</c> queue (those of the
/// upstream products whose access admits it): the consumer grants their topic identities
/// <c>Storage Queue Data Message Sender</c> on that queue;</item>
/// <item><c>consumers</c>: for each domain that reads one of its products and is admitted by that product's access
/// rules, those products: the upstream subscribes the consumer's queue to them on its own topic and grants the
/// consumer's identity <c>Storage Blob Data Reader</c> on those products' paths of its <c>products</c> container.</item>
/// </list>
/// </summary>
/// <remarks>
/// Inputs from the domain's own products are listed too: in Azure a release reaches even its own domain's consumers
/// only through its topic. A reader the access rules do not admit gets no subscription and no grant, whatever its spec
/// says (<c>datamesh validate</c> refuses such a spec too). The text is deterministic (domains and product ids in ordinal
/// order, '\n' line ends, a final newline), so the committed file can be compared byte for byte with what the specs produce.
/// </remarks>
public static class UpstreamSubscriptionsFile
{
    /// <summary>Format version of the file (the Bicep type <c>MeshSubscriptions</c> pins it).</summary>
    public const int FormatVersion = 2;

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

    /// <summary>
    /// Per upstream domain, per consumer domain admitted by the access rules, the upstream's products it reads (sorted).
    /// Inputs naming a product that is not in <paramref name="products"/> are left out: nothing would publish it.
    /// </summary>
    public static IReadOnlyDictionary<string, IReadOnlyDictionary<string, IReadOnlyList<string>>> Consumers(IEnumerable<ProductSpec> products)
    {
        ArgumentNullException.ThrowIfNull(products);
        var all = products.ToList();
        var byId = all.GroupBy(p => p.Id, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var reads = all
            .SelectMany(consumer => consumer.Inputs.Select(i => i.Product).OfType<string>().Select(id => (Consumer: consumer.Domain, ProductId: id)))
            .Where(r => byId.TryGetValue(r.ProductId, out var upstream) && ProductAccess.CanRead(upstream, r.Consumer))
            .Select(r => (Upstream: byId[r.ProductId].Domain, r.Consumer, r.ProductId))
            .Distinct()
            .ToList();
        return all
            .Select(p => p.Domain)
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToDictionary(
                domain => domain,
                domain => (IReadOnlyDictionary<string, IReadOnlyList<string>>)reads
                    .Where(r => r.Upstream == domain)
                    .GroupBy(r => r.Consumer, StringComparer.Ordinal)
                    .OrderBy(g => g.Key, StringComparer.Ordinal)
                    .ToDictionary(
                        g => g.Key,
                        g => (IReadOnlyList<string>)g.Select(r => r.ProductId).Order(StringComparer.Ordinal).ToList(),
                        StringComparer.Ordinal),
                StringComparer.Ordinal);
    }

    /// <summary>The file's text for these products.</summary>
    public static string Generate(IEnumerable<ProductSpec> products)
    {
        ArgumentNullException.ThrowIfNull(products);
        var all = products.ToList();
        var upstream = UpstreamProducts(all);
        var consumers = Consumers(all);
        var text = new StringBuilder();
        text.Append("{\n");
        text.Append("  \"version\": ").Append(FormatVersion).Append(",\n");
        text.Append("  \"domains\": {");
        var first = true;
        foreach (var (domain, inputs) in upstream)
        {
            // The domains whose topics deliver here: those that list this domain among their consumers.
            var upstreamDomains = consumers.Where(c => c.Value.ContainsKey(domain)).Select(c => c.Key).Order(StringComparer.Ordinal);
            text.Append(first ? "\n" : ",\n");
            first = false;
            text.Append("    ").Append(Quote(domain)).Append(": {\n");
            text.Append("      \"upstreamProducts\": ").Append(List(inputs)).Append(",\n");
            text.Append("      \"upstreamDomains\": ").Append(List(upstreamDomains)).Append(",\n");
            text.Append("      \"consumers\": {");
            var firstConsumer = true;
            foreach (var (consumer, read) in consumers[domain])
            {
                text.Append(firstConsumer ? " " : ", ");
                firstConsumer = false;
                text.Append(Quote(consumer)).Append(": ").Append(List(read));
            }

            text.Append(firstConsumer ? "}\n" : " }\n");
            text.Append("    }");
        }

        text.Append(first ? "}\n" : "\n  }\n");
        text.Append("}\n");
        return text.ToString();
    }

    private static string List(IEnumerable<string> values) => "[" + string.Join(", ", values.Select(Quote)) + "]";

    private static string Quote(string value) => JsonSerializer.Serialize(value);
}
