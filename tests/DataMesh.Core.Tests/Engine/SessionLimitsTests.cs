using System.Text.RegularExpressions;
using DataMesh.Engine;
using DataMesh.Pipeline;
using DataMesh.Publishing;

namespace DataMesh.Core.Tests.Engine;

/// <summary>
/// Every DuckDB session takes its limits from the instance (issue 20 item 3), sessions outside runs included: none opens
/// a connection of its own, none states a figure of its own, and each kind runs with the limits
/// <see cref="EngineLimits"/> gives it, as DuckDB reports them.
/// </summary>
public sealed partial class SessionLimitsTests
{
    [Fact]
    public void Sources_EveryDuckDbConnection_IsOpenedByDuckDbSession()
    {
        // A bare DuckDBConnection runs on DuckDB's defaults: 80 % of the machine's memory, every core, 90 % of the disk.
        var opens = SourceFiles().Where(f => BareConnection().IsMatch(File.ReadAllText(f))).Select(Relative).ToList();

        Assert.Equal(["src/DataMesh.Core/Engine/DuckDbSession.cs"], opens);
    }

    [Fact]
    public void Sources_EverySessionsLimits_ComeFromEngineLimits()
    {
        // Limits are made in one place, derived from the instance: no caller writes its own figures.
        var made = SourceFiles().Where(f => NewLimits().IsMatch(File.ReadAllText(f))).Select(Relative).ToList();

        Assert.Equal(["src/DataMesh.Core/Pipeline/EngineLimits.cs"], made);
    }

    [Fact]
    public void ColumnTypeCheck_ProbeSession_RunsWithTheLimitsOfASessionOutsideRuns()
    {
        using var spans = new SessionSpans();

        // A type text never asked before, so the answer is not cached.
        Assert.NotNull(DataMesh.Specs.DuckDbColumnTypes.Problem("notatype" + Guid.NewGuid().ToString("N")[..8]));

        Assert.Equal(SessionSpans.AsDuckDbReports(EngineLimits.Process.Side), Assert.Single(spans.Opened));
    }

    [Fact]
    public async Task DeletionFilesApply_Session_RunsWithTheLimitsOfASessionOutsideRuns()
    {
        var root = Directory.CreateTempSubdirectory("dm-session-limits-").FullName;
        try
        {
            var (data, deletes, target) = (Path.Combine(root, "data.parquet"), Path.Combine(root, "deletes.parquet"), Path.Combine(root, "applied.parquet"));
            using (var writer = DuckDbSession.Open(new DuckDbSessionOptions { AllowedDirectories = [root], TempDirectory = "", Limits = EngineLimits.Process.Side }))
            {
                writer.Execute($"COPY (SELECT range AS id FROM range(10)) TO {Sql.Literal(data)} (FORMAT parquet)");
                writer.Execute($"COPY (SELECT 3::BIGINT AS pos) TO {Sql.Literal(deletes)} (FORMAT parquet)");
            }

            using var spans = new SessionSpans();
            await DeletionFiles.ApplyAsync(root, data, deletes, target);

            Assert.Equal(SessionSpans.AsDuckDbReports(EngineLimits.Process.Side), Assert.Single(spans.Opened));
            Assert.True(File.Exists(target));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void Process_SessionsOutsideRuns_FitBesideARunInDuckDbsShareOfTheInstance()
    {
        var limits = EngineLimits.Process;

        // One thread each; the run's limit plus SideSessions of them never exceed what the instance gives DuckDB.
        Assert.Equal(1, limits.Side.Threads);
        Assert.InRange(EngineLimits.Megabytes(limits.SideMemoryLimit)!.Value, EngineLimits.MinimumSideMemoryMB, EngineLimits.MaximumSideMemoryMB);
        Assert.True(EngineLimits.Megabytes(limits.SideMemoryLimit) <= EngineLimits.Megabytes(limits.QualityMemoryLimit));
    }

    private static IEnumerable<string> SourceFiles() =>
        Directory.EnumerateFiles(Path.Combine(RepositoryRoot(), "src"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal));

    private static string Relative(string file) => Path.GetRelativePath(RepositoryRoot(), file).Replace(Path.DirectorySeparatorChar, '/');

    private static string RepositoryRoot()
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "DataMesh.Functions.sln")))
        {
            folder = folder.Parent;
        }

        return folder?.FullName ?? throw new InvalidOperationException($"No DataMesh.Functions.sln above {AppContext.BaseDirectory}.");
    }

    [GeneratedRegex(@"new\s+(DuckDB\.NET\.Data\.)?DuckDBConnection\s*\(")]
    private static partial Regex BareConnection();

    [GeneratedRegex(@"new\s+(DataMesh\.Engine\.)?SessionLimits\s*\(|new\s*\(\s*(MemoryLimit|QualityMemoryLimit|SideMemoryLimit)\s*,")]
    private static partial Regex NewLimits();
}
