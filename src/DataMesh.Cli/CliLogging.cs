using Microsoft.Extensions.Logging;

namespace DataMesh.Cli;

/// <summary>Logs go to stderr, so stdout carries only what a command reports.</summary>
internal static class CliLogging
{
    /// <summary>
    /// Warnings and errors by default; with <paramref name="verbose"/>, everything from Information up (the durable
    /// engine included); with <paramref name="meshActivity"/>, the mesh's own Information logs (runs, triggers) too.
    /// </summary>
    public static ILoggerFactory Create(bool verbose, bool meshActivity = false) => LoggerFactory.Create(builder =>
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
}
