namespace DataMesh.Specs;

/// <summary>What reading a product folder found: the spec when it has no errors, and every diagnostic (warnings included).</summary>
public sealed record ProductSpecLoadResult(ProductSpec? Spec, IReadOnlyList<SpecDiagnostic> Diagnostics)
{
    public bool HasErrors => Diagnostics.Any(d => d.Severity == DiagnosticSeverity.Error);
}
