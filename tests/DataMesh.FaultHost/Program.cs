// The host process of the host-kill tests (tests/DataMesh.EndToEnd.Tests/HostKillTests.cs): starts a local mesh on the
// given namespace and state folder, runs one pipeline request, and kills itself (SIGKILL, no clean-up) when the run
// reaches the fault point (one of PipelineFaults' points: the 7th argument, else DATAMESH_FAULT_POINT).
// Its storage is the state folder's Azurite (azurite.json, as the CLI attaches to it): the hub's account and one per
// domain, each domain's pipeline holding only its own key and its grants; DATAMESH_STORAGE only as the explicit
// one-account choice.
// DATAMESH_TAKE_OVER_AFTER (seconds) shortens how long its work, once it is dead, waits for the next host.
// Exit codes: killed by the signal when the point was reached, 3 when the run ended without reaching it, 2 on bad
// arguments. Its hosts' warnings go to standard error (a run that cannot start says why, warning 4121), so a test
// that times out on it reports more than silence.
using System.Diagnostics;
using System.Globalization;
using DataMesh.Local;
using DataMesh.Pipeline;
using Microsoft.Extensions.Logging;

var point = args.Length == 7 ? args[6] : Environment.GetEnvironmentVariable("DATAMESH_FAULT_POINT");
if (args.Length is not (6 or 7) || string.IsNullOrEmpty(point))
{
    await Console.Error.WriteLineAsync("usage: DataMesh.FaultHost NAMESPACE STATE_DIR PRODUCT_DIR PRODUCT_ID RUN_ID LANDING_BLOB [FAULT_POINT] (or DATAMESH_FAULT_POINT)");
    return 2;
}

var (ns, state, productDir, productId, runId, blob) = (args[0], args[1], args[2], args[3], args[4], args[5]);
var options = new LocalMeshOptions
{
    Namespace = ns,
    StateDirectory = state,
    LoadPipelinesFolder = false,
    LoggerFactory = new StandardErrorWarnings(),
};
if (Environment.GetEnvironmentVariable("DATAMESH_TAKE_OVER_AFTER") is { Length: > 0 } seconds)
{
    options.TakeOverAfter = TimeSpan.FromSeconds(double.Parse(seconds, CultureInfo.InvariantCulture));
}

options.ExtraProductDirectories.Add(productDir);
options.Pipeline.Faults = new PipelineFaults(async (reached, run) =>
{
    if (reached == point && run == runId)
    {
        // The marker says where the process died, so the test knows the kill happened there and nowhere else.
        await File.WriteAllTextAsync(Path.Combine(state, "killed-at"), reached);
        Process.GetCurrentProcess().Kill();
    }
});

await using var mesh = await LocalMesh.StartAsync(options);
var result = await mesh.RunAsync(new PipelineRequest { RunId = runId, ProductId = productId, LandingBlobs = [blob], Trigger = "blob" });
await Console.Out.WriteLineAsync($"run {result.RunId} ended {result.Status} without reaching {point}");
return 3;

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
