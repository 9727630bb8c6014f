using DataMesh.Catalog;
using DataMesh.Storage;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace DataMesh.Functions.Catalog;

/// <summary>
/// Records product events from <c>catalog-events</c> in the catalog tables. The projection is idempotent, so
/// redeliveries are harmless. An event that can never apply goes at once to <c>catalog-events-poison</c> with its
/// reason (<see cref="CatalogEventConsumer"/>), rather than after the host's retries with none; storage failures throw
/// and are retried by the host.
/// </summary>
public sealed partial class CatalogProjectionFunction(CatalogProjection projection, MeshStorage storage, ILogger<CatalogProjectionFunction> logger)
{
    private readonly CatalogEventConsumer _consumer = new(
        projection, storage.Queue(MeshStorage.CatalogEventsQueue + CatalogEventConsumer.PoisonSuffix));

    [Function(nameof(CatalogProjection))]
    public async Task RunAsync(
        [QueueTrigger(MeshStorage.CatalogEventsQueue, Connection = "AzureWebJobsStorage")] string body,
        FunctionContext context,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var messageId = context.BindingContext.BindingData.TryGetValue("Id", out var id) ? id?.ToString() : null;
        if (await _consumer.ConsumeAsync(body, messageId, cancellationToken) is { } reason)
        {
            LogRejected(logger, messageId, reason);
            return;
        }

        LogApplied(logger, messageId);
    }

    [LoggerMessage(EventId = 3200, Level = LogLevel.Information, Message = "Catalog recorded queue message {MessageId}")]
    private static partial void LogApplied(ILogger logger, string? messageId);

    [LoggerMessage(EventId = 3201, Level = LogLevel.Warning, Message = "Catalog rejected queue message {MessageId} to the poison queue: {Reason}")]
    private static partial void LogRejected(ILogger logger, string? messageId, string reason);
}
