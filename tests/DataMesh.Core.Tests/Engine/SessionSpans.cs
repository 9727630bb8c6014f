using System.Diagnostics;
using DataMesh.Engine;
using DuckDB.NET.Data;

namespace DataMesh.Core.Tests.Engine;

/// <summary>
/// The DuckDB sessions the code under test opens, as DuckDB reports their limits (<see cref="DuckDbSession.Source"/>'s
/// <c>duckdb.session</c> spans): only those opened within this test's own trace, so tests running beside it do not count.
/// </summary>
internal sealed class SessionSpans : IDisposable
{
    private readonly Activity _test = new Activity("test").SetIdFormat(ActivityIdFormat.W3C).Start();
    private readonly ActivityListener _listener;
    private readonly List<Activity> _spans = [];

    public SessionSpans()
    {
        var trace = _test.TraceId;
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == DuckDbSession.SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> options) => options.Parent.TraceId == trace ? ActivitySamplingResult.AllDataAndRecorded : ActivitySamplingResult.None,
            ActivityStopped = span =>
            {
                if (span.TraceId == trace)
                {
                    lock (_spans)
                    {
                        _spans.Add(span);
                    }
                }
            },
        };
        ActivitySource.AddActivityListener(_listener);
    }

    /// <summary>The sessions opened so far: each one's memory_limit, threads and spill cap as DuckDB reports them.</summary>
    public IReadOnlyList<(string? MemoryLimit, string? Threads, string? MaxSpillSize)> Opened
    {
        get
        {
            lock (_spans)
            {
                return [.. _spans.Select(s => (Tag(s, "memory_limit"), Tag(s, "threads"), Tag(s, "max_temp_directory_size")))];
            }
        }
    }

    /// <summary>How DuckDB reports <paramref name="limits"/>, asked of a bare DuckDB (not through <see cref="DuckDbSession"/>).</summary>
    public static (string? MemoryLimit, string? Threads, string? MaxSpillSize) AsDuckDbReports(SessionLimits limits)
    {
        using var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SET memory_limit = {Sql.Literal(limits.MemoryLimit)}; SET threads = {limits.Threads}; SET max_temp_directory_size = {Sql.Literal(limits.MaxSpillSize)};";
        command.ExecuteNonQuery();
        command.CommandText = "SELECT current_setting('memory_limit'), current_setting('threads')::VARCHAR, current_setting('max_temp_directory_size')";
        using var reader = command.ExecuteReader();
        reader.Read();
        return (reader.GetString(0), reader.GetString(1), reader.GetString(2));
    }

    public void Dispose()
    {
        _listener.Dispose();
        _test.Stop();
    }

    private static string? Tag(Activity span, string setting) => span.GetTagItem("duckdb." + setting) as string;
}
