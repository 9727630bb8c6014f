namespace DataMesh.Governance;

/// <summary>
/// <c>upstream-access</c>: a product reads only products its domain may read, by the upstream's <c>access</c>:
/// <c>public</c> to every domain, <c>domain</c> to its own domain, <c>restricted</c> to its own domain and the
/// domains listed in <c>readers</c>. Upstreams outside the loaded scope are left to <c>upstream-resolvable</c>.
/// </summary>
internal sealed class UpstreamAccessCheck : IPolicyCheck
{
    public string Id => PolicyIds.UpstreamAccess;

    public string Code => PolicyDiagnosticCodes.UpstreamAccess;

    public string DefaultMessage => "a product reads only what its owners share with its domain";

    public IReadOnlyList<PolicyParameter> Parameters { get; } = [];

    public IEnumerable<PolicyViolation> Check(PolicyScope scope, MeshPolicy policy)
    {
        foreach (var product in scope.Products)
        {
            foreach (var input in product.Inputs.Where(i => i.Product is not null))
            {
                if (!scope.MeshProducts.TryGetValue(input.Product!, out var upstream) || ProductAccess.CanRead(upstream, product.Domain))
                {
                    continue;
                }

                var shared = upstream.Access.Visibility == "restricted"
                    ? $"restricted to {string.Join(", ", new[] { upstream.Domain }.Concat(upstream.Access.Readers).Distinct(StringComparer.Ordinal))}"
                    : "visible to its own domain only";
                yield return new PolicyViolation(product, scope.InSpec(product, $"inputs[name={input.Name}].product"),
                    $"inputs '{input.Name}': {upstream.Id} is {shared}; domain {product.Domain} may not read it. Ask {upstream.Domain} ({upstream.Owner?.Email ?? "its owners"}) to add {product.Domain} to access.readers, or read a public product instead.");
            }
        }
    }
}
