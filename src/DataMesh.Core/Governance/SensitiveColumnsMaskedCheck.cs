namespace DataMesh.Governance;

/// <summary>
/// <c>sensitive-columns-masked</c>: in a public product, a column classified <c>pii</c> or <c>restricted</c> (the
/// <c>classifications</c> parameter) is masked, either in the contract (<c>customProperties: [{ property: masking,
/// value: hash|redact|truncate|null }]</c>, applied by publish) or provably by the SQL itself (<see cref="SqlMasking"/>:
/// a constant, NULL, a short truncation; never a hash, which SQL can only compute unkeyed).
/// </summary>
internal sealed class SensitiveColumnsMaskedCheck : IPolicyCheck
{
    /// <summary>The masking kinds the engine knows.</summary>
    public static readonly IReadOnlyList<string> MaskingKinds = ["hash", "redact", "truncate", "null"];

    private static readonly IReadOnlyList<string> DefaultClassifications = ["pii", "restricted"];

    public string Id => PolicyIds.SensitiveColumnsMasked;

    public string Code => PolicyDiagnosticCodes.SensitiveColumnsMasked;

    public string DefaultMessage => "personal and restricted data never leaves its domain in clear through a public product";

    public IReadOnlyList<PolicyParameter> Parameters { get; } = [new("classifications", PolicyParameterKind.NameList)];

    public IEnumerable<PolicyViolation> Check(PolicyScope scope, MeshPolicy policy)
    {
        var classifications = policy.Parameters.GetValueOrDefault("classifications") ?? DefaultClassifications;
        foreach (var product in scope.Products.Where(p => p.Access.Visibility == "public"))
        {
            foreach (var schemaObject in product.Contract.Schema)
            {
                foreach (var property in schemaObject.Properties)
                {
                    if (property.Classification is null || !classifications.Contains(property.Classification, StringComparer.OrdinalIgnoreCase))
                    {
                        continue;
                    }

                    var path = $"schema[name={schemaObject.Name}].properties[name={property.Name}]";
                    if (property.Masking is not null)
                    {
                        if (!MaskingKinds.Contains(property.Masking, StringComparer.Ordinal))
                        {
                            yield return new PolicyViolation(product, scope.InContract(product, path + ".customProperties"),
                                $"column '{property.Name}': masking '{property.Masking}' is not a masking kind; use one of {string.Join(", ", MaskingKinds)}.");
                        }

                        continue;
                    }

                    if (!scope.MaskedInSql(product).Contains(property.Name))
                    {
                        var why = SqlMasking.WhyNotMasked(product.TransformSql, property.Name) is { } attempt
                            ? $"the SQL does not mask it ({attempt}); "
                            : "nothing masks it; ";
                        yield return new PolicyViolation(product, scope.InContract(product, path + ".classification"),
                            $"column '{property.Name}' is classified {property.Classification} and {product.Id} is public, but {why}"
                            + "declare the masking on the contract property, customProperties: [{ property: masking, value: hash }] "
                            + "(a keyed hash applied by publish; or redact, truncate, null), or make the product domain-visible.");
                    }
                }
            }
        }
    }
}
