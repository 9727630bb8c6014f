using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using Microsoft.Extensions.Logging;

namespace DataMesh.Local.Durable;

/// <summary>
/// Cuts one durable worker off from its task hub's storage once it is abandoned: every request of its orchestration
/// service (lease renewals and acquisitions, control-queue and work-item reads, history writes) fails before it is sent,
/// and its log goes quiet. An abandoned worker whose stop hangs keeps its background loops running; cut off, it can no
/// longer renew the task hub's partition leases, which lapse within their interval, nor hold any queue message, so the
/// next host on the task hub takes the partition and resumes the runs from their history.
/// </summary>
internal sealed class WorkerCutOff : HttpPipelinePolicy
{
    private volatile bool _engaged;

    /// <summary>True once <see cref="Engage"/> was called.</summary>
    public bool Engaged => _engaged;

    /// <summary>Fails every later request of the worker's storage clients.</summary>
    public void Engage() => _engaged = true;

    /// <summary>The options of the worker's storage clients, with this policy first in their pipeline.</summary>
    public TOptions Apply<TOptions>(TOptions options)
        where TOptions : ClientOptions
    {
        // Per call, ahead of the retry policy: a cut-off request fails once, it is not retried.
        options.AddPolicy(this, HttpPipelinePosition.PerCall);
        return options;
    }

    /// <summary>The worker's logger factory, silent once engaged (the abandoned loops would log a failure per poll).</summary>
    public ILoggerFactory Wrap(ILoggerFactory inner) => new GatedLoggerFactory(inner, this);

    /// <summary>
    /// How long to hold a request before it is sent (none when null or zero): the host-kill tests slow chosen requests
    /// of the worker as a loaded machine does (<see cref="LocalDurableEngine.StorageLatency"/>).
    /// </summary>
    public Func<Request, TimeSpan>? Latency { get; set; }

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        ThrowIfEngaged(message);
        if (Latency?.Invoke(message.Request) is { } latency && latency > TimeSpan.Zero)
        {
            Thread.Sleep(latency);
        }

        ProcessNext(message, pipeline);
    }

    public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        ThrowIfEngaged(message);
        if (Latency?.Invoke(message.Request) is { } latency && latency > TimeSpan.Zero)
        {
            await Task.Delay(latency, message.CancellationToken).ConfigureAwait(false);
        }

        await ProcessNextAsync(message, pipeline).ConfigureAwait(false);
    }

    private void ThrowIfEngaged(HttpMessage message)
    {
        if (_engaged)
        {
            throw new RequestFailedException($"The durable worker was abandoned; its request {message.Request.Method} {message.Request.Uri.Path} is not sent.");
        }
    }

    private sealed class GatedLoggerFactory(ILoggerFactory inner, WorkerCutOff cutOff) : ILoggerFactory
    {
        public ILogger CreateLogger(string categoryName) => new GatedLogger(inner.CreateLogger(categoryName), cutOff);

        public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

        // The inner factory belongs to the host.
        public void Dispose()
        {
        }
    }

    private sealed class GatedLogger(ILogger inner, WorkerCutOff cutOff) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => !cutOff.Engaged && inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!cutOff.Engaged)
            {
                inner.Log(logLevel, eventId, state, exception, formatter);
            }
        }
    }
}
