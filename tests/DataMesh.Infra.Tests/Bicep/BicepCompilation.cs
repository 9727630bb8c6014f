namespace DataMesh.Infra.Tests.Bicep;

/// <summary>The result of compiling one .bicep file: success, every diagnostic (linter included), the ARM template.</summary>
public sealed record BicepCompilation(string Path, bool Success, IReadOnlyList<BicepDiagnostic> Diagnostics, string? Template)
{
    public string Describe() =>
        $"{Path}: {(Success ? "compiled" : "failed")}\n{string.Join('\n', Diagnostics)}";
}
