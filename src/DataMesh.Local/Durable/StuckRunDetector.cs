using System.Text.Json;
using DataMesh.Pipeline;
using DurableTask.AzureStorage.Tracking;
using DurableTask.Core;
using DurableTask.Core.Exceptions;
using Microsoft.Extensions.Logging;

namespace DataMesh.Local.Durable;

/// <summary>
/// Fails runs that have been running past their bound, so no run stays "Running" for ever. The Azure Storage
/// backend has no activity timeout: an activity message lost with the storage's unsaved state (Azurite keeps its
/// metadata in memory and saves it every 5 s, so a storage process killed hard loses what the task hub wrote last)
/// leaves the orchestration waiting for a completion that never comes. A pass terminates every pipeline instance
/// created more than the bound ago and still pending or running (the termination reason carries a marker), then,
/// for every instance so terminated, schedules one <see cref="StuckRunFailure"/> (instance id from the run id, so
/// once per run however many passes or hosts see it): it announces <c>PipelineRunFailed</c> with the reason and
/// cleans the workspace; the landing input stays in landing.
/// </summary>
public sealed partial class StuckRunDetector
{
    /// <summary>The bound used when none is configured: past any stage's time limit, far past a normal run.</summary>
    public static readonly TimeSpan DefaultBound = StuckRunSweep.DefaultBound;

    /// <summary>Starts a termination reason written by the detector (how a later pass recognises its own terminations).</summary>
    public const string Marker = StuckRunSweep.Marker;

    private static readonly JsonSerializerOptions Json = new() { PropertyNameCaseInsensitive = true };
    private static readonly OrchestrationStatus[] Unfinished = [OrchestrationStatus.Pending, OrchestrationStatus.Running, OrchestrationStatus.ContinuedAsNew];
    private static readonly OrchestrationStatus[] AnyStatus =
        [OrchestrationStatus.Pending, OrchestrationStatus.Running, OrchestrationStatus.ContinuedAsNew, OrchestrationStatus.Completed, OrchestrationStatus.Failed, OrchestrationStatus.Terminated, OrchestrationStatus.Canceled];

    private readonly LocalDurableEngine _engine;
    private readonly ProductRegistry _products;
    private readonly TimeSpan _bound;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    /// <summary>A detector over <paramref name="engine"/>'s task hub failing runs older than <paramref name="bound"/>.</summary>
    public StuckRunDetector(LocalDurableEngine engine, ProductRegistry products, TimeSpan bound, ILogger logger, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(products);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(bound, TimeSpan.Zero);
        (_engine, _products, _bound, _logger, _time) = (engine, products, bound, logger, time ?? TimeProvider.System);
    }

    /// <summary>How often a host runs a pass: a quarter of the bound, between 1 s and 1 minute.</summary>
    public TimeSpan Interval => TimeSpan.FromTicks(Math.Clamp(_bound.Ticks / 4, TimeSpan.FromSeconds(1).Ticks, TimeSpan.FromMinutes(1).Ticks));

    /// <summary>Runs passes (the first at once) until <paramref name="cancellationToken"/> fires; a failed pass is logged and retried next time.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                await CheckAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The detector is what keeps runs from staying Running for ever: a failed pass (storage down, an
                // instance it cannot read) must not end it. The next pass starts over.
                LogPassFailed(_logger, ex.Message);
            }

            try
            {
                await Task.Delay(Interval, _time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    /// <summary>One pass: terminates the runs past their bound, then schedules the announced failure of each run it terminated. Returns the runs terminated now.</summary>
    public async Task<IReadOnlyList<string>> CheckAsync(CancellationToken cancellationToken = default)
    {
        var now = _time.GetUtcNow().UtcDateTime;
        var terminated = new List<string>();
        foreach (var state in await QueryAsync(Unfinished, createdBefore: now - _bound, cancellationToken).ConfigureAwait(false))
        {
            if (state.Name != nameof(DataProductPipeline))
            {
                continue;
            }

            var stage = StageOf(state);
            var reason = StuckRunSweep.Reason(state.OrchestrationStatus.ToString(), stage, now - state.CreatedTime, _bound, IsBackfill(state));
            await _engine.Client.TerminateInstanceAsync(state.OrchestrationInstance, reason).WaitAsync(cancellationToken).ConfigureAwait(false);
            LogTerminated(_logger, state.OrchestrationInstance.InstanceId, stage);
            terminated.Add(state.OrchestrationInstance.InstanceId);
        }

        // A termination takes effect when the orchestration's control queue is processed: its failure is scheduled
        // by the pass that finds it terminated (this one or a later one, after a restart too).
        foreach (var state in await QueryAsync([OrchestrationStatus.Terminated], createdBefore: null, cancellationToken).ConfigureAwait(false))
        {
            // Runs an operator cancelled too: their failure is announced even when the process that cancelled them died first.
            if (state.Name == nameof(DataProductPipeline) && state.Output is { } output
                && (output.Contains(Marker, StringComparison.Ordinal) || RunCancellation.IsCancellation(output)))
            {
                await ScheduleFailureAsync(state, cancellationToken).ConfigureAwait(false);
            }
        }

        return terminated;
    }

    /// <summary>Whether the run is a backfill (its request's trigger): its inputs were read from the archive and stay there.</summary>
    private static bool IsBackfill(OrchestrationState state)
    {
        try
        {
            return state.Input is { Length: > 0 } input && JsonSerializer.Deserialize<PipelineRequest>(input, Json)?.Trigger == BackfillPlanner.Trigger;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private async Task ScheduleFailureAsync(OrchestrationState state, CancellationToken cancellationToken)
    {
        var request = state.Input is { Length: > 0 } input ? JsonSerializer.Deserialize<PipelineRequest>(input, Json) : null;
        var spec = request is null ? null : _products.All.FirstOrDefault(p => p.Id == request.ProductId);
        if (request is null || spec is null)
        {
            LogUnannounced(_logger, state.OrchestrationInstance.InstanceId);
            return;
        }

        // The engine keeps a termination reason as given (raw text); a JSON string is read as one.
        var reason = state.Output!.StartsWith('"') ? JsonSerializer.Deserialize<string>(state.Output!, Json) ?? state.Output! : state.Output!;
        var stuck = new StuckRun(request.RunId, spec.Id, spec.Version, StageOf(state), reason, request.LandingBlobs)
        {
            Cause = RunCancellation.IsCancellation(reason) ? RunCancellation.Reason : null,
        };
        try
        {
            await _engine.Client.CreateOrchestrationInstanceAsync(nameof(StuckRunFailure), string.Empty, StuckRunFailure.InstanceId(request.RunId), stuck, tags: null, AnyStatus)
                .WaitAsync(cancellationToken).ConfigureAwait(false);
            LogFailureScheduled(_logger, request.RunId);
        }
        catch (OrchestrationAlreadyExistsException)
        {
            // Announced (or being announced) by an earlier pass.
        }
    }

    private async Task<List<OrchestrationState>> QueryAsync(OrchestrationStatus[] statuses, DateTime? createdBefore, CancellationToken cancellationToken)
    {
        var condition = new OrchestrationInstanceStatusQueryCondition
        {
            RuntimeStatus = statuses,
            CreatedTimeTo = createdBefore ?? default,
            FetchInput = true,
            FetchOutput = true,
        };
        var states = new List<OrchestrationState>();
        string? continuation = null;
        do
        {
            var page = await _engine.Service.GetOrchestrationStateAsync(condition, 100, continuation, cancellationToken).ConfigureAwait(false);
            states.AddRange(page.OrchestrationState);
            continuation = page.ContinuationToken;
        }
        while (!string.IsNullOrEmpty(continuation));
        return states;
    }

    private static string StageOf(OrchestrationState state) =>
        state.Status is { Length: > 0 } status && TryRead(status) is { } progress ? progress.Stage : "unknown";

    private static RunProgress? TryRead(string status)
    {
        try
        {
            return JsonSerializer.Deserialize<RunProgress>(status, Json);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    [LoggerMessage(EventId = 2100, Level = LogLevel.Warning, Message = "Run {RunId} stuck at stage {Stage} past its bound: terminated; its failure is announced and its landing input kept")]
    private static partial void LogTerminated(ILogger logger, string runId, string stage);

    [LoggerMessage(EventId = 2101, Level = LogLevel.Information, Message = "Run {RunId}: the failure of the stuck run is scheduled (announcement and clean-up)")]
    private static partial void LogFailureScheduled(ILogger logger, string runId);

    [LoggerMessage(EventId = 2102, Level = LogLevel.Warning, Message = "Run {RunId} was terminated as stuck but its product is not served here: its failure is not announced by this host")]
    private static partial void LogUnannounced(ILogger logger, string runId);

    [LoggerMessage(EventId = 2103, Level = LogLevel.Warning, Message = "Stuck-run check failed, retried at the next pass: {Reason}")]
    private static partial void LogPassFailed(ILogger logger, string reason);
}
