namespace DataMesh.Governance;

/// <summary><c>output-columns-typed</c>: every property of the output contract has a logicalType or physicalType.</summary>
internal sealed class OutputColumnsTypedCheck : IPolicyCheck
{
    public string Id => PolicyIds.OutputColumnsTyped;

    public string Code => PolicyDiagnosticCodes.OutputColumnsTyped;

    public string DefaultMessage => "consumers rely on declared column types, not on what the data happened to look like";

    public IReadOnlyList<PolicyParameter> Parameters { get; } = [];

    public IEnumerable<PolicyViolation> Check(PolicyScope scope, MeshPolicy policy)
    {
        foreach (var product in scope.Products)
        {
            foreach (var schemaObject in product.Contract.Schema)
            {
                foreach (var property in schemaObject.Properties.Where(p => p.LogicalType is null && p.PhysicalType is null))
                {
                    yield return new PolicyViolation(product, scope.InContract(product, $"schema[name={schemaObject.Name}].properties[name={property.Name}]"),
                        $"column '{property.Name}' of '{schemaObject.Name}' has no type; add logicalType (string, number, integer, date...) or physicalType (e.g. decimal(18,2)).");
                }
            }
        }
    }
}
