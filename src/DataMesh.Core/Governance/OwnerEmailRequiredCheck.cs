using System.Text.RegularExpressions;

namespace DataMesh.Governance;

/// <summary><c>owner-email-required</c>: every product names an owner email, optionally in allowed mail domains.</summary>
internal sealed partial class OwnerEmailRequiredCheck : IPolicyCheck
{
    public string Id => PolicyIds.OwnerEmailRequired;

    public string Code => PolicyDiagnosticCodes.OwnerEmailRequired;

    public string DefaultMessage => "every product names an owner email, so consumers know whom to ask";

    public IReadOnlyList<PolicyParameter> Parameters { get; } = [new("emailDomains", PolicyParameterKind.NameList)];

    public IEnumerable<PolicyViolation> Check(PolicyScope scope, MeshPolicy policy)
    {
        var domains = policy.Parameters.GetValueOrDefault("emailDomains");
        foreach (var product in scope.Products)
        {
            var email = product.Owner?.Email?.Trim();
            if (string.IsNullOrEmpty(email))
            {
                yield return new PolicyViolation(product, scope.InSpec(product, "owner.email"),
                    $"{product.Id} names no owner email; add owner: {{ team: ..., email: team@example.com }}.");
            }
            else if (!Email().IsMatch(email))
            {
                yield return new PolicyViolation(product, scope.InSpec(product, "owner.email"),
                    $"owner.email: '{email}' is not an email address; write the owning team's address, e.g. team@example.com.");
            }
            else if (domains is { Count: > 0 } && !domains.Contains(email[(email.IndexOf('@', StringComparison.Ordinal) + 1)..], StringComparer.OrdinalIgnoreCase))
            {
                yield return new PolicyViolation(product, scope.InSpec(product, "owner.email"),
                    $"owner.email: '{email}' is not in an allowed mail domain ({string.Join(", ", domains)}); use the team's address there.");
            }
        }
    }

    [GeneratedRegex(@"^[^@\s]+@[^@\s]+\.[^@\s]+$", RegexOptions.CultureInvariant)]
    private static partial Regex Email();
}
