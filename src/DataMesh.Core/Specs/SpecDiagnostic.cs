namespace DataMesh.Specs;

/// <summary>One finding about a spec file, printed as <c>file:line:col: error DM1234: message</c>.</summary>
public sealed record SpecDiagnostic(string File, int Line, int Column, string Code, string Message, DiagnosticSeverity Severity = DiagnosticSeverity.Error)
{
    public override string ToString() =>
        $"{File}:{Line}:{Column}: {(Severity == DiagnosticSeverity.Error ? "error" : "warning")} {Code}: {Message}";
}

/// <summary>How bad a finding is.</summary>
public enum DiagnosticSeverity
{
    Error,
    Warning,
}
