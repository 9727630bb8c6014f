namespace DataMesh.Specs;

/// <summary>A spec, contract or policy file is invalid; <see cref="Diagnostics"/> says where and why.</summary>
public sealed class SpecValidationException : Exception
{
    public SpecValidationException(IReadOnlyList<SpecDiagnostic> diagnostics)
        : base(string.Join(Environment.NewLine, diagnostics))
    {
        Diagnostics = diagnostics;
    }

    public IReadOnlyList<SpecDiagnostic> Diagnostics { get; }
}
