using DataMesh.Specs;
using Semver;

namespace DataMesh.Governance;

/// <summary><c>upstream-resolvable</c>: every upstream input names a product of the mesh whose version satisfies the input's range.</summary>
/// <remarks>The version checked is the one in the upstream's spec; a check against the catalog's published releases comes with <c>--against catalog</c>.</remarks>
internal sealed class UpstreamResolvableCheck : IPolicyCheck
{
    public string Id => PolicyIds.UpstreamResolvable;

    public string Code => PolicyDiagnosticCodes.UpstreamResolvable;

    public string DefaultMessage => "a product reads only products that exist, at versions it declares it can read";

    public IReadOnlyList<PolicyParameter> Parameters { get; } = [];

    public IEnumerable<PolicyViolation> Check(PolicyScope scope, MeshPolicy policy)
    {
        foreach (var product in scope.Products)
        {
            foreach (var input in product.Inputs.Where(i => i.Product is not null))
            {
                var id = input.Product!;
                if (!scope.MeshProducts.TryGetValue(id, out var upstream))
                {
                    if (!scope.UnloadedProducts.Contains(id))
                    {
                        yield return new PolicyViolation(product, scope.InSpec(product, $"inputs[name={input.Name}].product"),
                            $"inputs '{input.Name}': product '{id}' is not in this mesh; check the id (<domain>.<name>) or add the product under pipelines/{ProductIds.DomainOf(id)}/.");
                    }

                    continue;
                }

                var range = input.Versions ?? "*";
                if (SemVersionRange.TryParseNpm(range, out var versions)
                    && SemVersion.TryParse(upstream.Version, SemVersionStyles.Strict, out var version)
                    && !versions.Contains(version))
                {
                    var path = $"inputs[name={input.Name}].{(input.Versions is null ? "product" : "versions")}";
                    yield return new PolicyViolation(product, scope.InSpec(product, path),
                        $"inputs '{input.Name}': {id} is at version {upstream.Version}, outside the accepted range {range}; widen the range (e.g. ^{version.Major}) after checking the upstream's changes.");
                }
            }
        }
    }
}
