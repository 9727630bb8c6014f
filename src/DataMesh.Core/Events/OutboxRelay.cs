using Azure;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace DataMesh.Events;

/// <summary>
/// Re-sends the announcements still in the <see cref="AnnouncementOutbox"/> once they are older than a grace period
/// (so it does not race the announcing activity's own retries), and removes each the topic accepts. Run by a timer in
/// Azure and periodically by the local mesh. A re-sent event keeps its <c>source</c> + <c>id</c>, so one that did reach
/// the topic before (the host died before removing its row) is a duplicate the consumers collapse.
/// </summary>
public sealed partial class OutboxRelay
{
    /// <summary>
    /// Default age before a pending event is re-sent: longer than the pipeline's announcement retries
    /// (<c>DataProductPipeline.AnnounceRetry</c>, about two minutes of backoff) take.
    /// </summary>
    public static readonly TimeSpan DefaultGracePeriod = TimeSpan.FromMinutes(5);

    private readonly AnnouncementOutbox _outbox;
    private readonly IProductEventPublisher _events;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;

    public OutboxRelay(AnnouncementOutbox outbox, IProductEventPublisher events, ILogger<OutboxRelay>? logger = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(outbox);
        ArgumentNullException.ThrowIfNull(events);
        _outbox = outbox;
        _events = events;
        _logger = logger ?? NullLogger<OutboxRelay>.Instance;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>
    /// Sends every pending event recorded more than <paramref name="gracePeriod"/> ago (default
    /// <see cref="DefaultGracePeriod"/>). A failed send is recorded on its row and logged, and the sweep goes on with
    /// the next event; the row stays for the next sweep. Storage failures surface.
    /// </summary>
    public async Task<OutboxRelayResult> RelayAsync(TimeSpan? gracePeriod = null, CancellationToken cancellationToken = default)
    {
        var grace = gracePeriod ?? DefaultGracePeriod;
        ArgumentOutOfRangeException.ThrowIfLessThan(grace, TimeSpan.Zero, nameof(gracePeriod));
        var pending = await _outbox.GetPendingAsync(_time.GetUtcNow() - grace, cancellationToken).ConfigureAwait(false);
        var sent = 0;
        var failed = 0;
        foreach (var entry in pending)
        {
            try
            {
                await _events.PublishAsync(entry.Event, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is RequestFailedException or AggregateException or HttpRequestException)
            {
                failed++;
                LogSendFailed(_logger, entry.Event.Id, entry.Event.Type, entry.Attempts + 1, ex.Message);
                await _outbox.RecordFailureAsync(entry, ex.Message, cancellationToken).ConfigureAwait(false);
                continue;
            }

            await _outbox.RemoveAsync(entry.Event, cancellationToken).ConfigureAwait(false);
            sent++;
            LogResent(_logger, entry.Event.Id, entry.Event.Type, entry.CreatedAt);
        }

        return new OutboxRelayResult(sent, failed);
    }

    [LoggerMessage(EventId = 4000, Level = LogLevel.Information, Message = "Outbox: re-sent event {EventId} of type {Type}, pending since {CreatedAt}")]
    private static partial void LogResent(ILogger logger, string eventId, string type, DateTimeOffset createdAt);

    [LoggerMessage(EventId = 4001, Level = LogLevel.Warning, Message = "Outbox: sending event {EventId} of type {Type} failed (attempt {Attempts}); it stays pending: {Reason}")]
    private static partial void LogSendFailed(ILogger logger, string eventId, string type, int attempts, string reason);
}
