using System.Net;
using System.Text.Json;
using DataMesh.Functions.Configuration;
using DataMesh.Pipeline;
using DataMesh.Quarantine;
using DataMesh.Storage;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;

namespace DataMesh.Functions.Pipeline;

/// <summary>
/// <c>datamesh quarantine show|replay</c> on the domain app, over the same <see cref="QuarantineClient"/>:
/// <c>GET api/products/{id}/quarantine/file?name=FILE</c> answers one file's <c>.error.json</c> as read, and
/// <c>POST api/products/{id}/quarantine/replay</c> (body <c>{ "file": "FILE" }</c>, or empty for every replayable file of
/// the product) moves the file(s) back to landing and starts a run for each under a new run id (202 with the run ids).
/// Operators only, as the backfill route: the function key and the <c>DataMesh.Operator</c> app role (a reason may quote
/// the product's data, and a replay publishes).
/// </summary>
public sealed partial class QuarantineFunction(IProductRegistry products, MeshStorage storage, AppServiceAuthentication authentication, ILogger<QuarantineFunction> logger)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Largest request body read.</summary>
    private const int MaxBodyBytes = 8 * 1024;

    [Function("ShowQuarantined")]
    public async Task<HttpResponseData> ShowAsync(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "products/{id}/quarantine/file")] HttpRequestData request,
        string id,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (await RefuseAsync(request, id, cancellationToken) is { } refused)
        {
            return refused;
        }

        var name = System.Web.HttpUtility.ParseQueryString(request.Url.Query)["name"];
        if (string.IsNullOrWhiteSpace(name))
        {
            return await PipelineHttp.ErrorAsync(request, HttpStatusCode.BadRequest, "Name the quarantined file: ?name=<its name in quarantine>, as GET api/products/{id}/quarantine lists it.", cancellationToken);
        }

        var file = await Client().FindAsync(name, products.Get(id).Domain, cancellationToken);
        if (file is null || file.ProductId != id)
        {
            return await PipelineHttp.ErrorAsync(request, HttpStatusCode.NotFound, $"No quarantined file '{name}' of {id}.", cancellationToken);
        }

        var response = request.CreateResponse(HttpStatusCode.OK);
        response.Headers.Add("Content-Type", "application/json; charset=utf-8");
        await JsonSerializer.SerializeAsync(response.Body, file, Json, cancellationToken);
        return response;
    }

    [Function("ReplayQuarantined")]
    public async Task<HttpResponseData> ReplayAsync(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "products/{id}/quarantine/replay")] HttpRequestData request,
        string id,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(client);
        if (await RefuseAsync(request, id, cancellationToken) is { } refused)
        {
            return refused;
        }

        var (body, invalid) = await PipelineHttp.ReadJsonAsync<ReplayBody>(
            request, MaxBodyBytes, "{ \"file\": \"<quarantined file>\" } or empty (every file of the product)", tooLargeHint: null, cancellationToken);
        if (invalid is not null)
        {
            return invalid;
        }

        var quarantine = Client();
        var files = body?.File is { } name
            ? (await quarantine.FindAsync(name, products.Get(id).Domain, cancellationToken) is { } one && one.ProductId == id ? [one] : [])
            : (await quarantine.ListAsync(id, cancellationToken)).Where(f => f.NotReplayable is null).ToList();
        if (files.Count == 0)
        {
            return await PipelineHttp.ErrorAsync(request, HttpStatusCode.NotFound, body?.File is { } missing ? $"No quarantined file '{missing}' of {id}." : $"Nothing of {id} is quarantined that can be replayed.", cancellationToken);
        }

        var runs = new List<object>();
        foreach (var file in files)
        {
            QuarantineReplay replay;
            try
            {
                replay = await quarantine.MoveToLandingAsync(file, cancellationToken);
            }
            catch (InvalidOperationException ex)
            {
                return await PipelineHttp.ErrorAsync(request, HttpStatusCode.Conflict, ex.Message, cancellationToken);
            }

            await client.ScheduleNewOrchestrationInstanceAsync(nameof(DataProductPipeline), replay.Request, new StartOrchestrationOptions(replay.Request.RunId), cancellationToken);
            LogReplayed(logger, replay.Request.RunId, id, file.File);
            runs.Add(new { file = file.File, landingName = replay.Request.LandingBlobs[0], runId = replay.Request.RunId, trigger = replay.Request.Trigger });
        }

        var response = request.CreateResponse(HttpStatusCode.Accepted);
        response.Headers.Add("Content-Type", "application/json; charset=utf-8");
        await JsonSerializer.SerializeAsync(response.Body, new { productId = id, runs }, Json, cancellationToken);
        return response;
    }

    private QuarantineClient Client() => new(storage, products);

    /// <summary>401/403/404 as the backfill route answers them; null when an operator asks about a product served here.</summary>
    private async Task<HttpResponseData?> RefuseAsync(HttpRequestData request, string id, CancellationToken cancellationToken)
    {
        if (await PipelineHttp.RefuseUnlessOperatorAsync(request, authentication, "Reading or replaying quarantined files needs", cancellationToken) is { } refused)
        {
            return refused;
        }

        return await PipelineHttp.RefuseUnknownProductAsync(request, products, id, cancellationToken);
    }

    [LoggerMessage(EventId = 3105, Level = LogLevel.Information, Message = "Replay run {RunId} of {ProductId} started over quarantined file {File}")]
    private static partial void LogReplayed(ILogger logger, string runId, string productId, string file);

    private sealed record ReplayBody(string? File);
}
