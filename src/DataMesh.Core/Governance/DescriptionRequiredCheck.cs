using System.Globalization;

namespace DataMesh.Governance;

/// <summary><c>description-required</c>: every product says what it is, in at least <c>minLength</c> characters.</summary>
internal sealed class DescriptionRequiredCheck : IPolicyCheck
{
    public string Id => PolicyIds.DescriptionRequired;

    public string Code => PolicyDiagnosticCodes.DescriptionRequired;

    public string DefaultMessage => "every product says what it holds, so it can be found and understood in the catalog";

    public IReadOnlyList<PolicyParameter> Parameters { get; } = [new("minLength", PolicyParameterKind.PositiveInteger)];

    public IEnumerable<PolicyViolation> Check(PolicyScope scope, MeshPolicy policy)
    {
        var minLength = policy.Parameters.TryGetValue("minLength", out var value) ? int.Parse(value[0], CultureInfo.InvariantCulture) : 1;
        foreach (var product in scope.Products)
        {
            var description = product.Description?.Trim() ?? "";
            if (description.Length == 0)
            {
                yield return new PolicyViolation(product, scope.InSpec(product, "description"),
                    $"{product.Id} has no description; add description: one or two sentences on what a row is and where it comes from.");
            }
            else if (description.Length < minLength)
            {
                yield return new PolicyViolation(product, scope.InSpec(product, "description"),
                    $"description: {description.Length} characters, the mesh asks for at least {minLength}; say what a row is and where it comes from.");
            }
        }
    }
}
