using System.Globalization;

namespace DataMesh.Governance;

/// <summary><c>quality-rule-required</c>: the output contract has at least <c>minimum</c> evaluated quality rules (library or sql).</summary>
internal sealed class QualityRuleRequiredCheck : IPolicyCheck
{
    public string Id => PolicyIds.QualityRuleRequired;

    public string Code => PolicyDiagnosticCodes.QualityRuleRequired;

    public string DefaultMessage => "a product is published only after checks that can fail";

    public IReadOnlyList<PolicyParameter> Parameters { get; } = [new("minimum", PolicyParameterKind.PositiveInteger)];

    public IEnumerable<PolicyViolation> Check(PolicyScope scope, MeshPolicy policy)
    {
        var minimum = policy.Parameters.TryGetValue("minimum", out var value) ? int.Parse(value[0], CultureInfo.InvariantCulture) : 1;
        foreach (var product in scope.Products)
        {
            var count = product.Contract.Schema.Sum(o => o.Quality.Count + o.Properties.Sum(p => p.Quality.Count));
            if (count < minimum)
            {
                var first = product.Contract.Schema.FirstOrDefault();
                var where = first is null ? scope.InContract(product, "schema") : scope.InContract(product, $"schema[name={first.Name}]");
                var rules = count == 1 ? "rule" : "rules";
                yield return new PolicyViolation(product, where,
                    $"the contract of {product.Id} has {count} evaluated quality {rules}, the mesh asks for at least {minimum}; add e.g. quality: [{{ metric: rowCount, mustBeGreaterThan: 0 }}] to the object, or a nullValues rule to a key column (text and custom rules are not evaluated).");
            }
        }
    }
}
