using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace DataMesh.Specs;

/// <summary>Collects the diagnostics of one file; every reader reports here instead of throwing, so a file yields all its problems at once.</summary>
internal sealed class DiagnosticSink
{
    private readonly List<SpecDiagnostic> _diagnostics = [];

    public DiagnosticSink(string file, YamlDiagnosticCodes codes)
    {
        File = file;
        Codes = codes;
    }

    /// <summary>The file as shown in diagnostics (see <see cref="DisplayPath"/>).</summary>
    public string File { get; }

    public YamlDiagnosticCodes Codes { get; }

    public IReadOnlyList<SpecDiagnostic> Diagnostics => _diagnostics;

    public bool HasErrors => _diagnostics.Exists(d => d.Severity == DiagnosticSeverity.Error);

    public void Error(Mark at, string code, string message) =>
        _diagnostics.Add(new SpecDiagnostic(File, (int)at.Line, (int)at.Column, code, message));

    public void Error(YamlNode at, string code, string message) => Error(at.Start, code, message);

    public void Warning(Mark at, string code, string message) =>
        _diagnostics.Add(new SpecDiagnostic(File, (int)at.Line, (int)at.Column, code, message, DiagnosticSeverity.Warning));

    public void Warning(YamlNode at, string code, string message) => Warning(at.Start, code, message);

    /// <summary>Reports at the start of the file, for problems that have no better place.</summary>
    public void ErrorAtStart(string code, string message) =>
        _diagnostics.Add(new SpecDiagnostic(File, 1, 1, code, message));
}
