using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using DataMesh.Engine;
using DataMesh.Pipeline;
using DuckDB.NET.Data;

namespace DataMesh.Specs;

/// <summary>
/// Whether a declared input column type is a type DuckDB knows, asked of DuckDB itself (<c>CAST(NULL AS type)</c> in
/// an in-memory database without external access), so that <c>integr</c> fails at validate and not at the first run.
/// </summary>
/// <remarks>
/// The text reaches SQL only after the spec reader's strict grammar (letters, digits, spaces, underscores,
/// parentheses, commas, brackets: no quote, semicolon, comment or dot), so it cannot close the cast or name a file;
/// the database is also locked against settings and file access. Answers are cached by text: a mesh repeats few types.
/// </remarks>
internal static partial class DuckDbColumnTypes
{
    private static readonly ConcurrentDictionary<string, string?> Answers = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Null when DuckDB accepts <paramref name="type"/>; else why not, with DuckDB's did-you-mean as " (did you mean 'x'?)".</summary>
    public static string? Problem(string type) => Answers.GetOrAdd(type.Trim(), Ask);

    private static string? Ask(string type)
    {
        using var session = DuckDbSession.OpenLocked(new DuckDbSessionOptions { AllowedDirectories = [], TempDirectory = "", Limits = EngineLimits.Process.Side });
        try
        {
            session.Execute($"SELECT CAST(NULL AS {type})");
            return null;
        }
        catch (DuckDBException ex)
        {
            var first = ex.Message.Split('\n')[0].Trim();
            var near = DidYouMean().Match(ex.Message) is { Success: true } match ? $" (did you mean '{match.Groups[1].Value.ToLowerInvariant()}'?)" : "";
            return TypeMissing().Match(first) is { Success: true } missing
                ? $"'{missing.Groups[1].Value}' is not a DuckDB type{near}"
                : $"DuckDB does not accept it ({StripPrefix(first)})";
        }
    }

    private static string StripPrefix(string message) => message.IndexOf(": ", StringComparison.Ordinal) is var i and > 0 and < 40 ? message[(i + 2)..] : message;

    [GeneratedRegex("Did you mean \"([^\"]+)\"", RegexOptions.CultureInvariant)]
    private static partial Regex DidYouMean();

    [GeneratedRegex("Type with name (.+?) does not exist", RegexOptions.CultureInvariant)]
    private static partial Regex TypeMissing();
}
