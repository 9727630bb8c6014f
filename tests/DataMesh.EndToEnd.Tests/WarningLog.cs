using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace DataMesh.EndToEnd.Tests;

/// <summary>
/// A logger factory that keeps the warnings and errors of the hosts a test starts (the engine's 4120 abandoned stop, 4121
/// run not started, the Durable Task backend's own), so a failure message can say what the hosts saw.
/// </summary>
public sealed class WarningLog : ILoggerFactory
{
    private const int MaxEntries = 200;
    private readonly ConcurrentQueue<string> _entries = new();

    /// <summary>The entries kept, oldest first.</summary>
    public IReadOnlyList<string> Entries => _entries.ToArray();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }

    public override string ToString() => _entries.IsEmpty ? "(no host warnings)" : string.Join(Environment.NewLine, _entries);

    private sealed class Logger(WarningLog log, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel) && log._entries.Count < MaxEntries)
            {
                log._entries.Enqueue($"{DateTime.UtcNow:HH:mm:ss.fff} {logLevel} {category}[{eventId.Id}]: {formatter(state, exception)}");
            }
        }
    }
}
