namespace DataMesh.Infra.Tests.Bicep;

/// <summary>What one Bicep CLI invocation printed and returned.</summary>
public sealed record BicepRun(IReadOnlyList<string> Arguments, int ExitCode, string StandardOutput, string StandardError, TimeSpan Elapsed)
{
    public IReadOnlyList<BicepDiagnostic> Diagnostics { get; } = BicepDiagnostic.ParseAll(StandardError);

    /// <summary>Exit code 0 and nothing at all on stderr: no error, no warning, no info.</summary>
    public bool IsClean => ExitCode == 0 && StandardError.Trim().Length == 0;

    public string Describe() =>
        $"bicep {string.Join(' ', Arguments)} exited {ExitCode} after {Elapsed.TotalSeconds:0.0} s\n{StandardError}";
}
