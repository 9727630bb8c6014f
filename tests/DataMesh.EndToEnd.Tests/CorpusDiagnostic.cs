namespace DataMesh.EndToEnd.Tests;

/// <summary>One diagnostic of <c>datamesh validate --json</c>, as the corpus tests compare it.</summary>
public sealed record CorpusDiagnostic(string File, int Line, int Column, string Code, string Severity, string Message)
{
    public override string ToString() => $"{File}:{Line}:{Column} {Severity} {Code} {Message}";
}
