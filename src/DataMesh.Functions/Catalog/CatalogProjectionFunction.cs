using DataMesh.Catalog;
using DataMesh.Events;
using DataMesh.Storage;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace DataMesh.Functions.Catalog;

/// <summary>
/// Records product events from <c>catalog-events</c> in the catalog tables. The projection is idempotent, so
/// redeliveries are harmless; an event that can never apply throws and ends in <c>catalog-events-poison</c>.
/// </summary>
public sealed partial class CatalogProjectionFunction(CatalogProjection projection, ILogger<CatalogProjectionFunction> logger)
{
    [Function(nameof(CatalogProjection))]
    public async Task RunAsync(
        [QueueTrigger(MeshStorage.CatalogEventsQueue, Connection = "AzureWebJobsStorage")] string body,
        CancellationToken cancellationToken)
    {
        var cloudEvent = CloudEventDelivery.Parse(body);
        await projection.ApplyAsync(cloudEvent, cancellationToken);
        LogApplied(logger, cloudEvent.Id, cloudEvent.Type, cloudEvent.Subject);
    }

    [LoggerMessage(EventId = 3200, Level = LogLevel.Information, Message = "Catalog recorded event {EventId} of type {Type} ({Subject})")]
    private static partial void LogApplied(ILogger logger, string eventId, string type, string? subject);
}
