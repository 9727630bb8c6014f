using DataMesh.Engine;

namespace DataMesh.Core.Tests.Engine;

/// <summary>
/// The bounds every DuckDB session runs within (issue 15): a statement stops when its token is cancelled (time limits,
/// cancelled runs), and the spill is capped instead of DuckDB's 90 % of the disk.
/// </summary>
public sealed class DuckDbSessionLimitsTests : IDisposable
{
    // Counts for ever: only an interrupt ends it.
    private const string Endless = "WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t) SELECT count(*) FROM t";

    private readonly string _root = Directory.CreateTempSubdirectory("dm-limits-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void Execute_RecursiveCteWithATimeLimit_InterruptedAsCancelled()
    {
        using var session = OpenLocked();
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(1));

        Assert.ThrowsAny<OperationCanceledException>(() => session.Execute($"CREATE TABLE x AS {Endless}", limit.Token));

        Assert.True(limit.IsCancellationRequested);
    }

    [Fact]
    public void Stream_RecursiveCteWithATimeLimit_InterruptedAsCancelled()
    {
        using var session = OpenLocked();
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(1));

        Assert.ThrowsAny<OperationCanceledException>(() => session.Stream(Endless, reader =>
        {
            while (reader.Read())
            {
            }
        }, limit.Token));

        // The session is still usable after the interrupt.
        Assert.Equal(2L, Convert.ToInt64(session.Scalar("SELECT 1 + 1"), System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void Stream_ManyRows_HandsThemOverOneByOne()
    {
        using var session = OpenLocked();
        long rows = 0;

        session.Stream("SELECT range AS n FROM range(1000000)", reader =>
        {
            while (reader.Read())
            {
                rows++;
            }
        });

        Assert.Equal(1_000_000, rows);
    }

    [Fact]
    public void Open_SpillCapGiven_DuckDbCapsTheSpillThere()
    {
        using var session = OpenLocked();

        var cap = (string?)session.Scalar("SELECT current_setting('max_temp_directory_size')");

        // DuckDB shows the cap in binary units (10 GB = 9.3 GiB); without the setting, 90 % of the free disk.
        Assert.Equal("9.3 GiB", cap);
    }

    [Fact]
    public void Execute_SpillPastTheCap_FailsInsteadOfFillingTheDisk()
    {
        using var session = DuckDbSession.OpenLocked(new DuckDbSessionOptions
        {
            AllowedDirectories = [_root],
            TempDirectory = Path.Combine(_root, "tmp"),
            Limits = new SessionLimits("64MB", 1, "1MB"),
        });

        var ex = Assert.ThrowsAny<Exception>(() => session.Execute(
            "CREATE TABLE sorted AS SELECT range AS n, md5(range::VARCHAR) AS h FROM range(5000000) ORDER BY h"));

        Assert.Contains("max_temp_directory_size", ex.Message, StringComparison.Ordinal);
    }

    private DuckDbSession OpenLocked() => DuckDbSession.OpenLocked(new DuckDbSessionOptions
    {
        AllowedDirectories = [_root],
        TempDirectory = Path.Combine(_root, "tmp"),
        Limits = new SessionLimits("256MB", 2, "10GB"),
    });
}
