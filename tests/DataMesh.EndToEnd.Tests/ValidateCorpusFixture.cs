using System.Text.Json;
using DataMesh.Testing;

namespace DataMesh.EndToEnd.Tests;

/// <summary>
/// Runs <c>datamesh validate --json</c> once over a copy of the whole corpus (<c>Corpus/&lt;case&gt;/</c>, each case a
/// mesh of its own), with and without the official ODCS schemas at hand, and keeps the diagnostics of each run.
/// </summary>
public sealed class ValidateCorpusFixture : IAsyncLifetime
{
    private readonly string _root = Directory.CreateTempSubdirectory("dm-corpus-").FullName;

    /// <summary>The repository clone the tests run from.</summary>
    public static string Repository => RepositoryRoot.Path;

    /// <summary>The corpus in the source tree.</summary>
    public static string Corpus => Path.Combine(Repository, "tests", "DataMesh.EndToEnd.Tests", "Corpus");

    /// <summary>The folder of the official ODCS schemas (the clone's <c>../shared/standards/odcs</c>), or null where there is none.</summary>
    public static string? OdcsSchemas { get; } = FindOdcsSchemas();

    /// <summary>The diagnostics without the ODCS schemas.</summary>
    public IReadOnlyList<CorpusDiagnostic> WithoutSchemas { get; private set; } = [];

    /// <summary>The diagnostics with the ODCS schemas; null when they are not at hand.</summary>
    public IReadOnlyList<CorpusDiagnostic>? WithSchemas { get; private set; }

    /// <summary>The case names: each folder of the corpus.</summary>
    public static IEnumerable<string> Cases() =>
        Directory.EnumerateDirectories(Corpus).Select(d => Path.GetFileName(d)!).Order(StringComparer.Ordinal);

    public async Task InitializeAsync()
    {
        Folders.Copy(Corpus, _root);
        WithoutSchemas = await ValidateAsync(Path.Combine(_root, "no-schemas-here"));
        if (OdcsSchemas is not null)
        {
            WithSchemas = await ValidateAsync(OdcsSchemas);
        }
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_root, recursive: true);
        return Task.CompletedTask;
    }

    private async Task<IReadOnlyList<CorpusDiagnostic>> ValidateAsync(string odcsFolder)
    {
        var result = await CliRunner.RunAsync(_root, new Dictionary<string, string>
        {
            ["DATAMESH_HOME"] = Path.Combine(_root, ".datamesh"),
            ["DATAMESH_ODCS_SCHEMAS"] = odcsFolder,
        }, "validate", ".", "--json");
        Assert.True(result.StdOut.TrimStart().StartsWith('{'), $"validate printed no report (exit {result.ExitCode}): {result.StdErr}");
        using var report = JsonDocument.Parse(result.StdOut);
        return report.RootElement.GetProperty("diagnostics").EnumerateArray()
            .Select(d => new CorpusDiagnostic(
                d.GetProperty("file").GetString()!.Replace('\\', '/'),
                d.GetProperty("line").GetInt32(),
                d.GetProperty("column").GetInt32(),
                d.GetProperty("code").GetString()!,
                d.GetProperty("severity").GetString()!,
                d.GetProperty("message").GetString()!))
            .ToList();
    }

    private static string? FindOdcsSchemas()
    {
        for (var directory = new DirectoryInfo(Repository); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "shared", "standards", "odcs");
            if (File.Exists(Path.Combine(candidate, "odcs-json-schema-v3.1.0.json")))
            {
                return candidate;
            }
        }

        return null;
    }
}
