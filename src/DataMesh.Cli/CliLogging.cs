using Microsoft.Extensions.Logging;

namespace DataMesh.Cli;

/// <summary>Logs go to stderr, so stdout carries only what a command reports.</summary>
internal static class CliLogging
{
    /// <summary>
    /// Warnings and errors by default; with <paramref name="verbose"/>, everything from Information up (the durable
    /// engine included); with <paramref name="meshActivity"/>, the mesh's own Information logs (runs, triggers) too.
    /// </summary>
    /// <remarks>The pipeline's traces and metrics are exported for as long as the factory lives (<see cref="CliTelemetry"/>).</remarks>
    public static ILoggerFactory Create(bool verbose, bool meshActivity = false, bool telemetry = true)
    {
        var factory = CreateLogging(verbose, meshActivity);
        return (telemetry ? CliTelemetry.FromEnvironment() : null) is { } exporters ? new WithTelemetry(factory, exporters) : factory;
    }

    private static ILoggerFactory CreateLogging(bool verbose, bool meshActivity) => LoggerFactory.Create(builder =>
    {
        builder.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = verbose || meshActivity ? "HH:mm:ss.fff " : "HH:mm:ss "; });
        builder.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.AddFilter((category, level) =>
        {
            if (verbose)
            {
                return level >= LogLevel.Information;
            }

            if (meshActivity && category is not null && category.StartsWith("DataMesh.", StringComparison.Ordinal))
            {
                return level >= LogLevel.Information;
            }

            var engine = category is not null && category.StartsWith("DurableTask", StringComparison.Ordinal);
            return level >= (engine ? LogLevel.Error : LogLevel.Warning);
        });
    });

    /// <summary>A logger factory that also flushes and stops the telemetry exporters when disposed.</summary>
    private sealed class WithTelemetry(ILoggerFactory inner, CliTelemetry telemetry) : ILoggerFactory
    {
        public ILogger CreateLogger(string categoryName) => inner.CreateLogger(categoryName);

        public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

        public void Dispose()
        {
            telemetry.Dispose();
            inner.Dispose();
        }
    }
}
