// The host process of the host-kill tests (tests/DataMesh.EndToEnd.Tests/HostKillTests.cs): starts a local mesh per
// run given, on that run's namespace and state folder, runs each run, and kills itself (SIGKILL, no clean-up) once every
// run has reached its fault point (one of PipelineFaults' points), or ended without reaching it. A run that reaches its
// point writes the point to its state folder's killed-at and waits there, so it dies at that point whichever run is
// last: one process start serves several runs (the tests kill every stage at once, one mesh each).
// Arguments: NAMESPACE STATE_DIR PRODUCT_DIR PRODUCT_ID RUN_ID LANDING_BLOB FAULT_POINT, once per run; or the first six
// alone with the point in DATAMESH_FAULT_POINT.
// Its storage is each state folder's Azurite (azurite.json, as the CLI attaches to it): the hub's account and one per
// domain, each domain's pipeline holding only its own key and its grants; DATAMESH_STORAGE only as the explicit
// one-account choice.
// DATAMESH_TAKE_OVER_AFTER (seconds) shortens how long its work, once it is dead, waits for the next host.
// Exit codes: killed by the signal once every run reached its point or ended (a run that ended without reaching it
// prints so and leaves no killed-at), 2 on bad arguments. Its hosts' warnings go to standard error (a run that cannot
// start says why, warning 4121), so a test that times out on it reports more than silence.
using System.Diagnostics;
using System.Globalization;
using DataMesh.Local;
using DataMesh.Pipeline;
using Microsoft.Extensions.Logging;

string[][] runs = args.Length == 6 && Environment.GetEnvironmentVariable("DATAMESH_FAULT_POINT") is { Length: > 0 } single
    ? [[.. args, single]]
    : args.Length > 0 && args.Length % 7 == 0 ? args.Chunk(7).ToArray() : [];
if (runs.Length == 0)
{
    await Console.Error.WriteLineAsync("usage: DataMesh.FaultHost (NAMESPACE STATE_DIR PRODUCT_DIR PRODUCT_ID RUN_ID LANDING_BLOB FAULT_POINT)... (or the first six and DATAMESH_FAULT_POINT)");
    return 2;
}

TimeSpan? takeOverAfter = Environment.GetEnvironmentVariable("DATAMESH_TAKE_OVER_AFTER") is { Length: > 0 } seconds
    ? TimeSpan.FromSeconds(double.Parse(seconds, CultureInfo.InvariantCulture))
    : null;
var left = runs.Length;
await Task.WhenAll(runs.Select(RunToPointAsync));

// Not reached: the last run to reach its point (or end) kills the process.
await Task.Delay(Timeout.Infinite);
return 3;

async Task RunToPointAsync(string[] run)
{
    var (ns, state, productDir, productId, runId, blob, point) = (run[0], run[1], run[2], run[3], run[4], run[5], run[6]);
    var options = new LocalMeshOptions
    {
        Namespace = ns,
        StateDirectory = state,
        LoadPipelinesFolder = false,
        LoggerFactory = new StandardErrorWarnings(),
    };
    if (takeOverAfter is { } after)
    {
        options.TakeOverAfter = after;
    }

    options.ExtraProductDirectories.Add(productDir);
    options.Pipeline.Faults = new PipelineFaults(async (reached, id) =>
    {
        if (reached == point && id == runId)
        {
            // The marker says where the run died, so the test knows the kill happened there and nowhere else.
            await File.WriteAllTextAsync(Path.Combine(state, "killed-at"), reached);
            Done();
            await Task.Delay(Timeout.Infinite);
        }
    });

    await using var mesh = await LocalMesh.StartAsync(options);

    var result = await mesh.RunAsync(new PipelineRequest { RunId = runId, ProductId = productId, LandingBlobs = [blob], Trigger = "blob" });
    await Console.Out.WriteLineAsync($"run {result.RunId} ended {result.Status} without reaching {point}");
    Done();
}

void Done()
{
    if (Interlocked.Decrement(ref left) == 0)
    {
        Process.GetCurrentProcess().Kill();
    }
}

/// <summary>Writes warnings and errors to standard error, one line each, as they come.</summary>
internal sealed class StandardErrorWarnings : ILoggerFactory, ILogger
{
    private static readonly Lock Gate = new();

    public ILogger CreateLogger(string categoryName) => this;

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (IsEnabled(logLevel))
        {
            lock (Gate)
            {
                Console.Error.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} {logLevel} [{eventId.Id}] {formatter(state, exception)}");
            }
        }
    }
}
