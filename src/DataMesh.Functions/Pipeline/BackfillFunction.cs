using System.Net;
using DataMesh.Functions.Configuration;
using DataMesh.Pipeline;
using DataMesh.Storage;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;

namespace DataMesh.Functions.Pipeline;

/// <summary>
/// <c>POST api/products/{id}/backfill</c>: <c>datamesh backfill</c> on the domain app — one run over the product's
/// archived inputs that arrived in the range (<see cref="BackfillPlanner"/>), into one new release. Body, optional:
/// <c>{ "from": "2026-10-01T00:00:00Z", "to": "2026-11-01T00:00:00Z", "partitions": ["period=2026-10"] }</c>
/// (<c>to</c> exclusive). Operators only: besides the function key, the caller must hold the
/// <c>DataMesh.Operator</c> app role (App Service authentication); a rebuild replaces what consumers read. Answers 202
/// with the run id and the Durable status URLs, 403 to other callers, 404 for an unknown product, 422 when nothing is
/// archived in range (the reason says what is).
/// </summary>
public sealed partial class BackfillFunction(IProductRegistry products, MeshStorage storage, AppServiceAuthentication authentication, TimeProvider time, ILogger<BackfillFunction> logger)
{
    /// <summary>Largest request body read.</summary>
    private const int MaxBodyBytes = 16 * 1024;

    [Function("Backfill")]
    public async Task<HttpResponseData> RunAsync(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "products/{id}/backfill")] HttpRequestData request,
        string id,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(client);
        if (await PipelineHttp.RefuseUnlessOperatorAsync(request, authentication, "A backfill needs", cancellationToken) is { } refused)
        {
            return refused;
        }

        if (await PipelineHttp.RefuseUnknownProductAsync(request, products, id, cancellationToken) is { } unknown)
        {
            return unknown;
        }

        var (body, invalid) = await PipelineHttp.ReadJsonAsync<BackfillBody>(
            request, MaxBodyBytes, "{ \"from\": \"<ISO 8601>\", \"to\": \"<ISO 8601>\", \"partitions\": [\"column=value\"] } or empty", tooLargeHint: null, cancellationToken);
        if (invalid is not null)
        {
            return invalid;
        }

        var spec = products.Get(id);
        var range = new BackfillRange { From = body?.From, To = body?.To, Partitions = body?.Partitions ?? [] };
        var plan = await BackfillPlanner.PlanAsync(storage, spec, range, time, cancellationToken);
        if (plan.Request is not { } pipelineRequest)
        {
            return await ErrorAsync(request, HttpStatusCode.UnprocessableEntity, plan.Problem!, cancellationToken);
        }

        await client.ScheduleNewOrchestrationInstanceAsync(nameof(DataProductPipeline), pipelineRequest, new StartOrchestrationOptions(pipelineRequest.RunId), cancellationToken);
        LogStarted(logger, pipelineRequest.RunId, id, plan.Inputs.Count);
        return await client.CreateCheckStatusResponseAsync(request, pipelineRequest.RunId, cancellationToken);
    }

    private static Task<HttpResponseData> ErrorAsync(HttpRequestData request, HttpStatusCode status, string error, CancellationToken cancellationToken) =>
        PipelineHttp.ErrorAsync(request, status, error, cancellationToken);

    [LoggerMessage(EventId = 3104, Level = LogLevel.Information, Message = "Backfill run {RunId} of {ProductId} started over {Inputs} archived input(s)")]
    private static partial void LogStarted(ILogger logger, string runId, string productId, int inputs);

    private sealed record BackfillBody(DateTimeOffset? From, DateTimeOffset? To, IReadOnlyList<string>? Partitions);
}
