using System.Globalization;
using System.Text.RegularExpressions;

namespace DataMesh.Infra.Tests.Bicep;

/// <summary>One diagnostic the Bicep CLI printed: <c>file(line,column) : Warning CODE: message</c>.</summary>
public sealed partial record BicepDiagnostic(string File, int Line, int Column, string Level, string Code, string Message)
{
    /// <summary>Every diagnostic in the CLI's output, each once (a module's diagnostics repeat for each file that uses it).</summary>
    public static IReadOnlyList<BicepDiagnostic> ParseAll(string output) =>
        Pattern().Matches(output)
            .Select(m => new BicepDiagnostic(
                m.Groups["file"].Value,
                int.Parse(m.Groups["line"].Value, CultureInfo.InvariantCulture),
                int.Parse(m.Groups["column"].Value, CultureInfo.InvariantCulture),
                m.Groups["level"].Value,
                m.Groups["code"].Value,
                m.Groups["message"].Value.TrimEnd('\r')))
            .Distinct()
            .ToList();

    public override string ToString() => $"{File}({Line},{Column}) : {Level} {Code}: {Message}";

    [GeneratedRegex(@"^(?<file>.+?)\((?<line>\d+),(?<column>\d+)\) : (?<level>Error|Warning|Info) (?<code>[^:]+): (?<message>.*)$", RegexOptions.Multiline)]
    private static partial Regex Pattern();
}
