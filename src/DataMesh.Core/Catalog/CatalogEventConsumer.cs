using System.Text.Json.Nodes;
using Azure;
using Azure.Storage.Queues;
using DataMesh.Events;

namespace DataMesh.Catalog;

/// <summary>
/// Takes one <c>catalog-events</c> message to the catalog, the same way in Azure and locally: a message that can never
/// apply (not a CloudEvent, unknown type, foreign source, invalid data) goes at once to the poison queue wrapped with
/// the reason, instead of being retried; so does one the table service refuses to store whatever the attempt (a
/// property over 64 KiB, an entity over 1 MiB, a key it cannot hold): retrying it would fail every 30 s for ever.
/// Other storage failures throw so the queue redelivers.
/// </summary>
public sealed class CatalogEventConsumer
{
    /// <summary>Suffix of the poison queue beside the events queue (the Functions host's convention).</summary>
    public const string PoisonSuffix = "-poison";

    // Queue messages hold 64 KiB: the original body is cut to leave room for the reason (and for XML escaping).
    private const int MaxBodyLength = 24_000;

    private readonly CatalogProjection _projection;
    private readonly QueueClient _poison;
    private readonly TimeProvider _time;
    private volatile bool _poisonReady;

    public CatalogEventConsumer(CatalogProjection projection, QueueClient poison, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(projection);
        ArgumentNullException.ThrowIfNull(poison);
        _projection = projection;
        _poison = poison;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Applies the message's event, or poisons it; returns the reason when it was rejected (null when applied).</summary>
    /// <param name="body">The message body (raw or Base64 JSON).</param>
    /// <param name="messageId">The queue message id, kept in the poison message for tracing.</param>
    /// <param name="cancellationToken">Cancels the storage calls.</param>
    public async Task<string?> ConsumeAsync(string body, string? messageId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(body);
        try
        {
            await _projection.ApplyAsync(CloudEventDelivery.Parse(body), cancellationToken).ConfigureAwait(false);
            return null;
        }
        catch (Exception ex) when (ex is CatalogEventRejectedException or FormatException)
        {
            await PoisonAsync(body, messageId, ex.Message, cancellationToken).ConfigureAwait(false);
            return ex.Message;
        }
        catch (RequestFailedException ex) when (NeverWritable(ex))
        {
            var reason = $"The catalog tables refuse to store the event ({ex.Status} {ex.ErrorCode}): {FirstLine(ex.Message)} "
                + "Its producer must keep event data within the limits (ProductEventBudget).";
            await PoisonAsync(body, messageId, reason, cancellationToken).ConfigureAwait(false);
            return reason;
        }
    }

    /// <summary>
    /// Sends a message to the poison queue with <paramref name="reason"/>: for hosts that give up on a message after
    /// their own retries (the local mesh, as the Functions host does after its dequeue count).
    /// </summary>
    public Task PoisonAsync(string body, string? messageId, string reason, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(reason);
        return SendPoisonAsync(body, messageId, reason, cancellationToken);
    }

    /// <summary>
    /// Table service refusals that no retry can change: a value, entity or request over its size limits, or input it
    /// cannot hold (e.g. a key over 1 KiB). Throttling and server errors are not among them.
    /// </summary>
    internal static bool NeverWritable(RequestFailedException ex) =>
        ex.Status == 413
        || (ex.Status == 400 && ex.ErrorCode is "PropertyValueTooLarge" or "EntityTooLarge" or "RequestBodyTooLarge" or "KeyValueTooLarge"
            or "OutOfRangeInput" or "InvalidInput" or "PropertyNameTooLong" or "TooManyProperties" or "InvalidValueType");

    private static string FirstLine(string text) => text.Split('\n', 2)[0].Trim();

    /// <summary>The poison message: <c>{ reason, rejectedAt, messageId, body, bodyTruncated }</c>, <c>body</c> being the original text.</summary>
    private async Task SendPoisonAsync(string body, string? messageId, string reason, CancellationToken cancellationToken)
    {
        if (!_poisonReady)
        {
            await _poison.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            _poisonReady = true;
        }

        var envelope = new JsonObject
        {
            ["reason"] = reason.Length <= MaxBodyLength / 4 ? reason : reason[..(MaxBodyLength / 4)],
            ["rejectedAt"] = _time.GetUtcNow(),
            ["messageId"] = messageId,
            ["body"] = body.Length <= MaxBodyLength ? body : body[..MaxBodyLength],
            ["bodyTruncated"] = body.Length > MaxBodyLength,
        };
        await _poison.SendMessageAsync(envelope.ToJsonString(), cancellationToken: cancellationToken).ConfigureAwait(false);
    }
}
