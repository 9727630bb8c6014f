using DataMesh.Specs;

namespace DataMesh.Contracts;

/// <summary>What reading a contract found: the contract when it has no errors, and every diagnostic (warnings included).</summary>
public sealed record ContractLoadResult(DataContract? Contract, IReadOnlyList<SpecDiagnostic> Diagnostics)
{
    public bool HasErrors => Diagnostics.Any(d => d.Severity == DiagnosticSeverity.Error);
}
