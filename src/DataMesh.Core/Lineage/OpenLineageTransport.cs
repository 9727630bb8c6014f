using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace DataMesh.Lineage;

/// <summary>
/// Sends RunEvents to an OpenLineage HTTP endpoint (Marquez and most backends: <c>POST {url}/api/v1/lineage</c>),
/// configured the way OpenLineage clients are: <c>OPENLINEAGE_URL</c> and optionally <c>OPENLINEAGE_ENDPOINT</c>.
/// Lineage is an observer: a backend that stays down is logged, never a reason to fail the run, nor to hold one up:
/// stages hand events to <see cref="Post"/>, and one background sender delivers them with the retries.
/// </summary>
public sealed partial class OpenLineageTransport : IAsyncDisposable
{
    /// <summary>Events waiting for the background sender; past this the oldest is dropped (and logged).</summary>
    public const int MaxPending = 1000;

    /// <summary>The path OpenLineage clients post to unless told otherwise.</summary>
    public const string DefaultEndpoint = "api/v1/lineage";

    private const int MaxAttempts = 3;

    private readonly HttpClient _http;
    private readonly ILogger _logger;
    private readonly TimeSpan _retryDelay;

    public OpenLineageTransport(HttpClient http, Uri endpoint, ILogger logger, TimeSpan? retryDelay = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(logger);
        _http = http;
        Endpoint = endpoint;
        _logger = logger;
        _retryDelay = retryDelay ?? TimeSpan.FromSeconds(1);
        _pending = Channel.CreateBounded<JsonObject>(
            new BoundedChannelOptions(MaxPending) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true },
            dropped => LogDropped(_logger, Label(dropped), Endpoint, MaxPending));
        _sender = Task.Run(SendPendingAsync);
    }

    private readonly Channel<JsonObject> _pending;
    private readonly Task _sender;
    private readonly CancellationTokenSource _stopping = new();

    /// <summary>Where events are posted.</summary>
    public Uri Endpoint { get; }

    /// <summary>
    /// The endpoint named by <c>OPENLINEAGE_URL</c> (+ <c>OPENLINEAGE_ENDPOINT</c>, default <see cref="DefaultEndpoint"/>)
    /// in <paramref name="settings"/>; null when no URL is set (lineage then goes to the catalog only).
    /// </summary>
    /// <exception cref="InvalidOperationException">The URL is not an absolute http(s) URL.</exception>
    public static Uri? ResolveEndpoint(Func<string, string?> settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var url = settings("OPENLINEAGE_URL");
        if (string.IsNullOrWhiteSpace(url))
        {
            return null;
        }

        if (!Uri.TryCreate(url.Trim(), UriKind.Absolute, out var root) || root.Scheme is not ("http" or "https"))
        {
            throw new InvalidOperationException($"OPENLINEAGE_URL '{url}' is not an absolute http(s) URL.");
        }

        var path = settings("OPENLINEAGE_ENDPOINT");
        path = string.IsNullOrWhiteSpace(path) ? DefaultEndpoint : path.Trim();
        return new Uri(new Uri(root.AbsoluteUri.TrimEnd('/') + "/"), path.TrimStart('/'));
    }

    /// <summary>
    /// Queues one event for the background sender and returns at once: a slow or unreachable backend (its retries take
    /// up to ~30 s per event) never holds up the stage that emitted it. Events queued when the process dies are lost
    /// here; each run's events are also recorded with its announcement in the catalog.
    /// </summary>
    public void Post(JsonObject runEvent)
    {
        ArgumentNullException.ThrowIfNull(runEvent);
        if (!_pending.Writer.TryWrite(runEvent))
        {
            LogDropped(_logger, Label(runEvent), Endpoint, MaxPending);
        }
    }

    /// <summary>Sends what is still queued, for at most <paramref name="timeout"/>, and stops the background sender.</summary>
    public async Task StopAsync(TimeSpan timeout)
    {
        _pending.Writer.TryComplete();
        _stopping.CancelAfter(timeout);
        try
        {
            await _sender.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // What was still queued at the deadline is dropped: lineage never holds a host's shutdown.
        }
    }

    /// <summary>Stops the background sender after a short drain (5 s).</summary>
    public async ValueTask DisposeAsync()
    {
        await StopAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        _stopping.Dispose();
    }

    private async Task SendPendingAsync()
    {
        await foreach (var runEvent in _pending.Reader.ReadAllAsync(_stopping.Token).ConfigureAwait(false))
        {
            await SendAsync(runEvent, _stopping.Token).ConfigureAwait(false);
        }
    }

    private static string Label(JsonObject runEvent) => $"{runEvent["eventType"]} of run {runEvent["run"]?["runId"]} ({runEvent["job"]?["name"]})";

    /// <summary>Posts one event; retries transient failures (network, 408, 429, 5xx) and logs what could not be delivered.</summary>
    /// <returns>Whether the endpoint accepted the event.</returns>
    public async Task<bool> SendAsync(JsonObject runEvent, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runEvent);
        var label = Label(runEvent);
        for (var attempt = 1; ; attempt++)
        {
            string problem;
            try
            {
                using var response = await _http.PostAsJsonAsync(Endpoint, runEvent, cancellationToken).ConfigureAwait(false);
                if (response.IsSuccessStatusCode)
                {
                    return true;
                }

                problem = $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}";
                if (!IsTransient(response.StatusCode))
                {
                    LogRefused(_logger, label, Endpoint, problem);
                    return false;
                }
            }
            catch (HttpRequestException ex)
            {
                problem = ex.Message;
            }
            catch (TaskCanceledException ex) when (!cancellationToken.IsCancellationRequested)
            {
                problem = "timed out: " + ex.Message;
            }

            if (attempt == MaxAttempts)
            {
                LogGaveUp(_logger, label, Endpoint, attempt, problem);
                return false;
            }

            await Task.Delay(_retryDelay * attempt, cancellationToken).ConfigureAwait(false);
        }
    }

    [LoggerMessage(EventId = 3602, Level = LogLevel.Warning, Message = "OpenLineage {Event} dropped: {Max} events were already waiting for {Endpoint}")]
    private static partial void LogDropped(ILogger logger, string @event, Uri endpoint, int max);

    private static bool IsTransient(HttpStatusCode status) =>
        status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests || (int)status >= 500;

    [LoggerMessage(EventId = 3600, Level = LogLevel.Warning, Message = "OpenLineage endpoint {Endpoint} refused the {Event}: {Problem}")]
    private static partial void LogRefused(ILogger logger, string @event, Uri endpoint, string problem);

    [LoggerMessage(EventId = 3601, Level = LogLevel.Warning, Message = "OpenLineage {Event} not delivered to {Endpoint} after {Attempts} attempts: {Problem}")]
    private static partial void LogGaveUp(ILogger logger, string @event, Uri endpoint, int attempts, string problem);
}
