using DataMesh.Specs;

namespace DataMesh.Governance;

/// <summary>What reading <c>mesh.yaml</c> found: the policies when it has no errors, and every diagnostic.</summary>
public sealed record MeshPoliciesLoadResult(MeshPolicies? Policies, IReadOnlyList<SpecDiagnostic> Diagnostics)
{
    public bool HasErrors => Diagnostics.Any(d => d.Severity == DiagnosticSeverity.Error);
}
