using System.Net;
using DataMesh.Functions.Configuration;
using DataMesh.Pipeline;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Http;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;

namespace DataMesh.Functions.Pipeline;

/// <summary>
/// <c>POST api/runs/{runId}/cancel</c>: <c>datamesh runs cancel</c> on the domain app (<see cref="RunCancellation"/>):
/// terminates the run's orchestration; once the termination took effect (at once here when it did within a few
/// seconds, else at the next <c>StuckRunTimer</c> pass) its failure is announced with reason <c>cancelled</c>, its
/// workspace cleaned, its landing input left in landing. Operators only: besides the function key, the caller must hold
/// the <c>DataMesh.Operator</c> app role (App Service authentication). Answers 202 when terminated, 404 for a run this
/// app's task hub does not hold, 409 for a run already ended, 403 to other callers.
/// </summary>
public sealed partial class CancelRunFunction(IProductRegistry products, AppServiceAuthentication authentication, ILoggerFactory loggerFactory)
{
    // How long the route waits for the termination to take effect before leaving the announcement to the timer.
    private static readonly TimeSpan AnnounceWithin = TimeSpan.FromSeconds(5);

    private readonly ILogger _logger = loggerFactory.CreateLogger<CancelRunFunction>();

    [Function("CancelRun")]
    public async Task<HttpResponseData> RunAsync(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "runs/{runId}/cancel")] HttpRequestData request,
        string runId,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(client);
        if (await PipelineHttp.RefuseUnlessOperatorAsync(request, authentication, "Cancelling a run needs", cancellationToken) is { } refused)
        {
            return refused;
        }

        var outcome = await RunCancellation.CancelAsync(client, runId, "an operator (api/runs/{runId}/cancel)", cancellationToken);
        switch (outcome)
        {
            case RunCancellationOutcome.NotFound:
                return await PipelineHttp.ErrorAsync(request, HttpStatusCode.NotFound, $"No pipeline run '{runId}' on this app's task hub (run ids are printed by the runs' events and the catalog's runs).", cancellationToken);
            case RunCancellationOutcome.AlreadyEnded:
                return await PipelineHttp.ErrorAsync(request, HttpStatusCode.Conflict, $"Run '{runId}' has already ended: nothing to cancel (see its outcome in the catalog).", cancellationToken);
        }

        LogCancelled(_logger, runId);
        var sweep = new StuckRunSweep(client, products, StuckRunSweep.DefaultBound, loggerFactory.CreateLogger<StuckRunSweep>());
        string? failure = null;
        using (var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            wait.CancelAfter(AnnounceWithin);
            try
            {
                // The termination takes effect when the run's control queue is next processed: usually within a second.
                while (failure is null)
                {
                    failure = await sweep.FinishTerminatedAsync(runId, wait.Token);
                    if (failure is null)
                    {
                        await Task.Delay(TimeSpan.FromMilliseconds(250), wait.Token);
                    }
                }
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // Not yet: the StuckRunTimer's next pass announces it.
            }
        }

        var response = request.CreateResponse(HttpStatusCode.Accepted);
        await response.WriteAsJsonAsync(
            new
            {
                runId,
                status = "Terminated",
                announced = failure is not null,
                detail = failure is not null
                    ? "cancelled: its PipelineRunFailed (reason 'cancelled') is being announced and its workspace cleaned; its inputs stay where they were (landing, or the archive for a backfill)"
                    : "cancelled: its PipelineRunFailed (reason 'cancelled') is announced by the next StuckRunTimer pass; its inputs stay where they were (landing, or the archive for a backfill)",
            },
            cancellationToken);
        response.StatusCode = HttpStatusCode.Accepted;
        return response;
    }

    [LoggerMessage(EventId = 3110, Level = LogLevel.Warning, Message = "Run {RunId} cancelled by an operator: terminated; its failure is announced with reason 'cancelled' and its landing input kept")]
    private static partial void LogCancelled(ILogger logger, string runId);
}
