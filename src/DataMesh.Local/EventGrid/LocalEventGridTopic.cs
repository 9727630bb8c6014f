using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Azure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace DataMesh.Local.EventGrid;

/// <summary>
/// The local stand-in for the mesh's Event Grid custom topic (DESIGN §7): an HTTP endpoint on loopback that takes what
/// <c>EventGridPublisherClient.SendEventsAsync</c> sends with an <c>AzureKeyCredential</c> (CloudEvents 1.0 batches,
/// key in the <c>aeg-sas-key</c> header) and fans each event out to the storage queue of every subscription whose
/// filter it passes, Base64-encoded as Event Grid writes to queues. Refuses a missing or wrong key (401, nothing
/// delivered), a request over Event Grid's 1 MB limit (413) and a malformed one (400, with the reason). A domain's
/// topic (<see cref="Domain"/> set) also refuses, with 403 and nothing delivered, any event whose <c>source</c> or
/// <c>subject</c> names a product of another domain: the local equivalent of the hub's subscription filter on each
/// domain topic in Azure, so a domain's key can announce only that domain's products.
/// Unlike Event Grid, delivery happens before the response: a failed delivery fails the publish (500), so the
/// publisher's retries and outbox cover it; a retried publish may repeat deliveries, which consumers collapse by id.
/// </summary>
public sealed partial class LocalEventGridTopic : IAsyncDisposable
{
    /// <summary>Header carrying the topic key (as <c>EventGridPublisherClient</c> sends an <c>AzureKeyCredential</c>).</summary>
    public const string KeyHeader = "aeg-sas-key";

    /// <summary>Path of the publish endpoint, as in Azure (<c>https://&lt;topic&gt;.&lt;region&gt;-1.eventgrid.azure.net/api/events</c>).</summary>
    public const string PublishPath = "/api/events";

    /// <summary>Event Grid's limit on one publish request, the whole batch (each event is then within it too): 1 MB.</summary>
    public const int MaxRequestBytes = 1024 * 1024;

    /// <summary>A storage queue message holds at most 64 KiB: the Base64 text of an event delivered to a queue must fit.</summary>
    public const int MaxQueueMessageBytes = 64 * 1024;

    /// <summary>The start of every product event's <c>source</c> (<c>/domains/&lt;domain&gt;/products/&lt;name&gt;</c>).</summary>
    private const string SourcePrefix = "/domains/";

    private readonly byte[] _key;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<Uri, bool> _createdQueues = new();
    private readonly SemaphoreSlim _gate = new(1, 1);
    private WebApplication? _app;
    private int _port;

    /// <param name="key">The topic key publishers must present; kept by the caller outside code (the mesh's state folder).</param>
    /// <param name="subscriptions">Where events go, by filter.</param>
    /// <param name="loggerFactory">Logs refused requests and deliveries.</param>
    /// <param name="domain">
    /// The domain this topic belongs to: only events about its products are accepted (403 otherwise). Null for a topic
    /// that takes any product's events (a test's topic).
    /// </param>
    public LocalEventGridTopic(string key, IEnumerable<LocalEventSubscription> subscriptions, ILoggerFactory? loggerFactory = null, string? domain = null)
    {
        if (domain is not null)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(domain);
        }

        Domain = domain;
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        ArgumentNullException.ThrowIfNull(subscriptions);
        _key = Encoding.UTF8.GetBytes(key);
        Subscriptions = [.. subscriptions];
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<LocalEventGridTopic>();
    }

    /// <summary>The domain whose products alone this topic announces; null when it takes any product's events.</summary>
    public string? Domain { get; }

    /// <summary>The subscriptions events are fanned out to (replaced whole when the mesh's specs are reloaded).</summary>
    public IReadOnlyList<LocalEventSubscription> Subscriptions { get; private set; }

    /// <summary>
    /// Replaces the subscriptions at once (<c>datamesh up</c> reloading its specs: a consumer's new upstream gets its
    /// subscription, a dropped one loses it); an event being fanned out goes to the list it was received under.
    /// </summary>
    public void Resubscribe(IEnumerable<LocalEventSubscription> subscriptions)
    {
        ArgumentNullException.ThrowIfNull(subscriptions);
        Subscriptions = [.. subscriptions];
    }

    /// <summary>Publish endpoint, <c>http://127.0.0.1:&lt;port&gt;/api/events</c>; the same port across a stop and a restart.</summary>
    public Uri Endpoint => _port == 0
        ? throw new InvalidOperationException("The local event topic has not been started yet: call StartAsync first.")
        : new Uri($"http://127.0.0.1:{_port}{PublishPath}");

    /// <summary>Whether the topic is accepting events.</summary>
    public bool IsRunning => _app is not null;

    /// <summary>Starts listening on loopback: on a free port the first time, on the same port after a stop.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_app is not null)
            {
                return;
            }

            // Content root away from the working directory: a user's appsettings.json there must not configure this endpoint.
            var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
            builder.Logging.ClearProviders();
            var port = _port;
            builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port));
            var app = builder.Build();
            app.MapPost(PublishPath, (Func<HttpContext, Task<IResult>>)PublishAsync);
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
            if (_port == 0)
            {
                _port = new Uri(app.Urls.First()).Port;
            }

            _app = app;
            LogStarted(_logger, Endpoint, Subscriptions.Count);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Stops listening; publishers get connection errors until <see cref="StartAsync"/> is called again.</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_app is not { } app)
            {
                return;
            }

            _app = null;
            await app.StopAsync(cancellationToken).ConfigureAwait(false);
            await app.DisposeAsync().ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _gate.Dispose();
    }

    private async Task<IResult> PublishAsync(HttpContext context)
    {
        var request = context.Request;
        var cancellationToken = context.RequestAborted;
        if (!HasKey(request.Headers[KeyHeader]))
        {
            var reason = request.Headers.ContainsKey(KeyHeader)
                ? $"The '{KeyHeader}' header does not hold this topic's key."
                : $"No '{KeyHeader}' header: publish with the topic's key (AzureKeyCredential).";
            return Refuse(StatusCodes.Status401Unauthorized, "Unauthorized", reason);
        }

        if (request.ContentLength > MaxRequestBytes)
        {
            return Refuse(StatusCodes.Status413PayloadTooLarge, "PayloadTooLarge", TooLarge(request.ContentLength.Value));
        }

        var body = await ReadBodyAsync(request.Body, cancellationToken).ConfigureAwait(false);
        if (body is null)
        {
            return Refuse(StatusCodes.Status413PayloadTooLarge, "PayloadTooLarge", TooLarge(null));
        }

        if (!CloudEventBatch.TryRead(body, request.ContentType, out var events, out var error))
        {
            return Refuse(StatusCodes.Status400BadRequest, "BadRequest", error);
        }

        // A domain's key announces that domain's products only: one foreign event refuses the whole request.
        if (events.FirstOrDefault(e => ForeignProduct(e) is not null) is { } foreign)
        {
            return Refuse(
                StatusCodes.Status403Forbidden,
                "Forbidden",
                $"The key presented is domain '{Domain}''s, and event '{foreign.Id}' announces {ForeignProduct(foreign)}: a domain announces only its own "
                + $"products (source '{SourcePrefix}{Domain}/products/<name>', subject '{Domain}.<name>/...'). Publish it with the key of that product's domain topic. Nothing was delivered.");
        }

        // Check every delivery before making any: a refused request delivers nothing.
        var deliveries = new List<(CloudEventBatch.ReceivedEvent Event, string Body, List<LocalEventSubscription> To)>();
        foreach (var received in events)
        {
            var to = Subscriptions.Where(s => s.Matches(received.Type, received.Subject)).ToList();
            if (to.Count == 0)
            {
                LogUnmatched(_logger, received.Id, received.Type, received.Subject);
                continue;
            }

            var message = Convert.ToBase64String(Encoding.UTF8.GetBytes(received.Json));
            if (message.Length > MaxQueueMessageBytes)
            {
                return Refuse(
                    StatusCodes.Status413PayloadTooLarge,
                    "PayloadTooLarge",
                    $"Event '{received.Id}' is {received.Json.Length} bytes of JSON, {message.Length} in Base64: over the {MaxQueueMessageBytes}-byte storage queue message "
                    + $"its subscription '{to[0].Name}' delivers to (Event Grid would dead-letter it). Trim the event's data.");
            }

            deliveries.Add((received, message, to));
        }

        foreach (var (received, message, to) in deliveries)
        {
            foreach (var subscription in to)
            {
                try
                {
                    if (!_createdQueues.ContainsKey(subscription.Queue.Uri))
                    {
                        await subscription.Queue.CreateIfNotExistsAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
                        _createdQueues.TryAdd(subscription.Queue.Uri, true);
                    }

                    await subscription.Queue.SendMessageAsync(message, cancellationToken).ConfigureAwait(false);
                }
                catch (RequestFailedException ex)
                {
                    return Refuse(
                        StatusCodes.Status500InternalServerError,
                        "DeliveryFailed",
                        $"Delivering event '{received.Id}' to subscription '{subscription.Name}' (queue {subscription.Queue.Name}) failed: {ex.Message}");
                }

                LogDelivered(_logger, received.Id, received.Type, subscription.Name);
            }
        }

        return Results.Ok();
    }

    /// <summary>How to name the product of an event that is not this domain's (null when it is, or the topic takes any domain).</summary>
    private string? ForeignProduct(CloudEventBatch.ReceivedEvent received)
    {
        if (Domain is null)
        {
            return null;
        }

        var ownSource = SourcePrefix + Domain + "/products/";
        if (!received.Source.StartsWith(ownSource, StringComparison.Ordinal) || received.Source.Length == ownSource.Length)
        {
            return $"product source '{received.Source}'";
        }

        // Consumers' subscriptions route on the subject (<productId>/...): it must name this domain's product too.
        var ownSubject = Domain + ".";
        return received.Subject is { } subject && !subject.StartsWith(ownSubject, StringComparison.Ordinal)
            ? $"product '{subject.Split('/')[0]}' (subject '{subject}')"
            : null;
    }

    private bool HasKey(Microsoft.Extensions.Primitives.StringValues values) =>
        values.Count == 1
        && values[0] is { Length: > 0 } presented
        && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), _key);

    // The body up to the limit; null when it is longer (a chunked request has no Content-Length to refuse early).
    private static async Task<byte[]?> ReadBodyAsync(Stream body, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81_920];
        int read;
        while ((read = await body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > MaxRequestBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private static string TooLarge(long? length) =>
        $"The request{(length is { } l ? $" is {l} bytes" : "")} is over Event Grid's limit of {MaxRequestBytes} bytes per publish: send fewer events per batch.";

    private IResult Refuse(int status, string code, string message)
    {
        LogRefused(_logger, status, message);
        return Results.Json(new { error = new { code, message } }, statusCode: status);
    }

    [LoggerMessage(EventId = 4200, Level = LogLevel.Information, Message = "Local event topic listening on {Endpoint} with {SubscriptionCount} subscription(s)")]
    private static partial void LogStarted(ILogger logger, Uri endpoint, int subscriptionCount);

    [LoggerMessage(EventId = 4201, Level = LogLevel.Warning, Message = "Local event topic refused a publish ({Status}): {Reason}")]
    private static partial void LogRefused(ILogger logger, int status, string reason);

    [LoggerMessage(EventId = 4202, Level = LogLevel.Debug, Message = "Event {EventId} of type {Type} delivered to subscription {Subscription}")]
    private static partial void LogDelivered(ILogger logger, string eventId, string type, string subscription);

    [LoggerMessage(EventId = 4203, Level = LogLevel.Debug, Message = "Event {EventId} of type {Type} (subject {Subject}) matches no subscription")]
    private static partial void LogUnmatched(ILogger logger, string eventId, string type, string? subject);
}
