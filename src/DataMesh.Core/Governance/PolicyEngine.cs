using DataMesh.Specs;

namespace DataMesh.Governance;

/// <summary>
/// Evaluates the mesh policies over products (federated computational governance): one diagnostic per violation,
/// at the line of the offending field in <c>product.yaml</c> or the contract, with the policy's code (DM21xx),
/// severity and message. An exempted violation is reported as a warning until its exemption expires; from the day
/// after <c>expires</c> the violation has its own severity again and the exemption itself is an error (DM2020).
/// </summary>
public static class PolicyEngine
{
    /// <summary>Evaluates every policy of <paramref name="policies"/> over <paramref name="products"/>; diagnostics sorted by file, line, column.</summary>
    public static IReadOnlyList<SpecDiagnostic> Evaluate(IReadOnlyCollection<ProductSpec> products, MeshPolicies policies, PolicyContext context)
    {
        ArgumentNullException.ThrowIfNull(products);
        ArgumentNullException.ThrowIfNull(policies);
        ArgumentNullException.ThrowIfNull(context);

        var today = DateOnly.FromDateTime(context.Time.GetUtcNow().UtcDateTime);
        var scope = new PolicyScope(products, context);
        var evaluated = products.Select(p => p.Id).ToHashSet(StringComparer.Ordinal);
        var diagnostics = new List<SpecDiagnostic>();
        var usedExemptions = new HashSet<PolicyExemption>();

        foreach (var policy in policies.Policies)
        {
            var check = PolicyCatalog.Find(policy.Id)
                ?? throw new ArgumentException($"'{policy.Id}' is not a policy the engine knows.", nameof(policies));
            foreach (var violation in check.Check(scope, policy))
            {
                var exemption = policies.Exemptions.FirstOrDefault(e => e.Product == violation.Product.Id && e.Policy == policy.Id);
                var text = $"{violation.Detail} (policy {policy.Id}: {policy.Message})";
                var severity = policy.Severity;
                if (exemption is not null)
                {
                    usedExemptions.Add(exemption);
                    if (exemption.IsActiveOn(today))
                    {
                        severity = DiagnosticSeverity.Warning;
                        text += $" Exempted until {exemption.Expires:yyyy-MM-dd}: {exemption.Reason}";
                    }
                    else
                    {
                        text += $" Its exemption expired on {exemption.Expires:yyyy-MM-dd}.";
                    }
                }

                diagnostics.Add(new SpecDiagnostic(violation.Where.File, violation.Where.Line, violation.Where.Column, check.Code, text, severity));
            }
        }

        foreach (var exemption in policies.Exemptions)
        {
            var known = scope.MeshProducts.ContainsKey(exemption.Product) || scope.UnloadedProducts.Contains(exemption.Product);
            if (!known)
            {
                diagnostics.Add(new SpecDiagnostic(policies.File, exemption.Line, exemption.Column, PolicyDiagnosticCodes.ExemptionUnknownProduct,
                    $"exemption: no product {exemption.Product} in this mesh; remove the exemption or fix the product id.", DiagnosticSeverity.Warning));
            }

            if (!exemption.IsActiveOn(today) && (!known || evaluated.Contains(exemption.Product)))
            {
                diagnostics.Add(new SpecDiagnostic(policies.File, exemption.ExpiresLine, exemption.ExpiresColumn, PolicyDiagnosticCodes.ExemptionExpired,
                    $"exemption: {exemption.Product} from {exemption.Policy} expired on {exemption.Expires:yyyy-MM-dd}; fix the product, or renew the exemption with a new date and reason."));
            }
            else if (known && evaluated.Contains(exemption.Product) && !usedExemptions.Contains(exemption))
            {
                diagnostics.Add(new SpecDiagnostic(policies.File, exemption.Line, exemption.Column, PolicyDiagnosticCodes.ExemptionUnused,
                    $"exemption: {exemption.Product} complies with {exemption.Policy}; remove the exemption.", DiagnosticSeverity.Warning));
            }
        }

        return diagnostics
            .OrderBy(d => d.File, StringComparer.Ordinal)
            .ThenBy(d => d.Line)
            .ThenBy(d => d.Column)
            .ThenBy(d => d.Code, StringComparer.Ordinal)
            .ToList();
    }
}
