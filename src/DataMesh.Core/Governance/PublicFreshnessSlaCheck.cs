using System.Xml;

namespace DataMesh.Governance;

/// <summary><c>public-freshness-sla</c>: a public product declares <c>sla.freshness</c>, no looser than <c>maxFreshness</c> when set.</summary>
internal sealed class PublicFreshnessSlaCheck : IPolicyCheck
{
    public string Id => PolicyIds.PublicFreshnessSla;

    public string Code => PolicyDiagnosticCodes.PublicFreshnessSla;

    public string DefaultMessage => "consumers of a public product must know how old its data may be";

    public IReadOnlyList<PolicyParameter> Parameters { get; } = [new("maxFreshness", PolicyParameterKind.Duration)];

    public IEnumerable<PolicyViolation> Check(PolicyScope scope, MeshPolicy policy)
    {
        var maxText = policy.Parameters.TryGetValue("maxFreshness", out var value) ? value[0] : null;
        var max = maxText is null ? (TimeSpan?)null : XmlConvert.ToTimeSpan(maxText);
        foreach (var product in scope.Products.Where(p => p.Access.Visibility == "public"))
        {
            if (product.Freshness is null)
            {
                yield return new PolicyViolation(product, scope.InSpec(product, "access.visibility"),
                    $"{product.Id} is public but declares no freshness SLA; add sla: {{ freshness: PT24H }} (the maximum age of its newest release).");
            }
            else if (max is not null && product.Freshness > max)
            {
                yield return new PolicyViolation(product, scope.InSpec(product, "sla.freshness"),
                    $"sla.freshness: {XmlConvert.ToString(product.Freshness.Value)} is looser than the mesh's maximum {maxText} for public products; promise {maxText} or less.");
            }
        }
    }
}
