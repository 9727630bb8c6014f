using Microsoft.Extensions.Logging;

namespace DataMesh.Cli;

/// <summary>Logs go to stderr, so stdout carries only what a command reports.</summary>
internal static class CliLogging
{
    public static ILoggerFactory Create(bool verbose) => LoggerFactory.Create(builder =>
    {
        builder.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = verbose ? "HH:mm:ss.fff " : "HH:mm:ss "; });
        builder.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.AddFilter((category, level) =>
            level >= (verbose ? LogLevel.Information : LogLevel.Warning)
            && (verbose || category is null || !category.StartsWith("DurableTask", StringComparison.Ordinal) || level >= LogLevel.Error));
    });
}
