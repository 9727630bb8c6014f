using System.Text.Json;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;

namespace DataMesh.Pipeline;

/// <summary>
/// Fails pipeline runs still running past their bound, over any <see cref="DurableTaskClient"/> (the one a Functions
/// <c>[DurableClient]</c> binding hands out): the Functions app's twin of the local host's detector. Durable Functions
/// has no activity timeout either: an activity whose worker died with its message, or an orchestration waiting on a
/// completion that was lost, leaves the run "Running" for ever. A pass terminates every <see cref="DataProductPipeline"/>
/// instance created more than the bound ago and still pending or running (its reason starts with <see cref="Marker"/>),
/// then, for every instance so terminated (by this pass or an earlier one, on any host), schedules one
/// <see cref="StuckRunFailure"/> whose instance id derives from the run id: the failure is announced once, the
/// workspace cleaned, the landing input left in landing.
/// </summary>
public sealed partial class StuckRunSweep
{
    /// <summary>The bound used when none is configured: past any stage's default time limit, far past a normal run.</summary>
    public static readonly TimeSpan DefaultBound = TimeSpan.FromHours(1);

    /// <summary>Starts a termination reason written by a sweep (how a later pass recognises its own terminations).</summary>
    public const string Marker = "stuck run: ";

    private static readonly JsonSerializerOptions Json = new() { PropertyNameCaseInsensitive = true };

    private readonly DurableTaskClient _client;
    private readonly IProductRegistry _products;
    private readonly TimeSpan _bound;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    /// <summary>A sweep over <paramref name="client"/>'s task hub failing runs older than <paramref name="bound"/>.</summary>
    public StuckRunSweep(DurableTaskClient client, IProductRegistry products, TimeSpan bound, ILogger logger, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(products);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(bound, TimeSpan.Zero);
        (_client, _products, _bound, _logger, _time) = (client, products, bound, logger, time ?? TimeProvider.System);
    }

    /// <summary>
    /// The reason given to a run terminated as stuck: its state, stage and age, the bound, and what became of its
    /// input (shared by both hosts, so a run fails with the same words wherever it hung): a landing run's input stays in
    /// landing; a backfill's inputs (<paramref name="backfill"/>) were read from the archive and stay there.
    /// </summary>
    public static string Reason(string status, string stage, TimeSpan age, TimeSpan bound, bool backfill = false) =>
        $"{Marker}still {status} at stage {stage} {age.TotalMinutes:0.#} minute(s) after it started, "
        + $"past the bound of {bound.TotalMinutes:0.#} minute(s) (its work was lost or hangs); terminated, its workspace cleaned, "
        + (backfill ? "its archived inputs kept in the archive: run the backfill again" : "its landing input left in landing: drop it again or replay it");

    /// <summary>One pass: terminates the runs past their bound, then schedules the announced failure of each run terminated as stuck. Returns the runs terminated now.</summary>
    public async Task<IReadOnlyList<string>> CheckAsync(CancellationToken cancellationToken = default)
    {
        var now = _time.GetUtcNow();
        var terminated = new List<string>();
        var stuck = new OrchestrationQuery
        {
            CreatedTo = now - _bound,
            Statuses = [OrchestrationRuntimeStatus.Pending, OrchestrationRuntimeStatus.Running],
            FetchInputsAndOutputs = true,
            PageSize = 100,
        };
        await foreach (var run in _client.GetAllInstancesAsync(stuck).WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            if (run.Name != nameof(DataProductPipeline))
            {
                continue;
            }

            var stage = StageOf(run);
            var reason = Reason(run.RuntimeStatus.ToString(), stage, now - run.CreatedAt, _bound, RunCancellation.IsBackfill(run));
            await _client.TerminateInstanceAsync(run.InstanceId, new TerminateInstanceOptions(reason), cancellationToken).ConfigureAwait(false);
            LogTerminated(_logger, run.InstanceId, stage);
            terminated.Add(run.InstanceId);
        }

        // A termination takes effect when the orchestration's queue is processed: its failure is scheduled by the
        // pass that finds it terminated (this one or a later one).
        var ended = new OrchestrationQuery { Statuses = [OrchestrationRuntimeStatus.Terminated], FetchInputsAndOutputs = true, PageSize = 100 };
        await foreach (var run in _client.GetAllInstancesAsync(ended).WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            if (run.Name == nameof(DataProductPipeline) && run.SerializedOutput is { } output
                && (output.Contains(Marker, StringComparison.Ordinal) || RunCancellation.IsCancellation(output)))
            {
                await ScheduleFailureAsync(run, output, cancellationToken).ConfigureAwait(false);
            }
        }

        return terminated;
    }

    /// <summary>
    /// Starts the announced failure of one run this sweep or <see cref="RunCancellation"/> terminated, as soon as the
    /// termination took effect (without waiting for the next pass). Returns the failure's instance id, or null when the
    /// run is not (yet) terminated by either.
    /// </summary>
    public async Task<string?> FinishTerminatedAsync(string runId, CancellationToken cancellationToken = default)
    {
        var run = await _client.GetInstanceAsync(runId, getInputsAndOutputs: true, cancellationToken).ConfigureAwait(false);
        if (run is not { RuntimeStatus: OrchestrationRuntimeStatus.Terminated, SerializedOutput: { } output } || run.Name != nameof(DataProductPipeline)
            || !(output.Contains(Marker, StringComparison.Ordinal) || RunCancellation.IsCancellation(output)))
        {
            return null;
        }

        await ScheduleFailureAsync(run, output, cancellationToken).ConfigureAwait(false);
        return StuckRunFailure.InstanceId(runId);
    }

    private async Task ScheduleFailureAsync(OrchestrationMetadata run, string output, CancellationToken cancellationToken)
    {
        var request = run.SerializedInput is { Length: > 0 } ? run.ReadInputAs<PipelineRequest>() : null;
        var spec = request is null ? null : _products.All.FirstOrDefault(p => p.Id == request.ProductId);
        if (request is null || spec is null)
        {
            LogUnannounced(_logger, run.InstanceId);
            return;
        }

        var instanceId = StuckRunFailure.InstanceId(request.RunId);
        if (await _client.GetInstanceAsync(instanceId, getInputsAndOutputs: false, cancellationToken).ConfigureAwait(false) is not null)
        {
            return; // Announced (or being announced) by an earlier pass.
        }

        // A termination reason may come back as a JSON string: read it as one.
        var reason = output.StartsWith('"') ? JsonSerializer.Deserialize<string>(output, Json) ?? output : output;
        var failure = new StuckRun(request.RunId, spec.Id, spec.Version, StageOf(run), reason, request.LandingBlobs)
        {
            Cause = RunCancellation.IsCancellation(reason) ? RunCancellation.Reason : null,
        };
        try
        {
            await _client.ScheduleNewOrchestrationInstanceAsync(nameof(StuckRunFailure), failure, new StartOrchestrationOptions(instanceId), cancellationToken).ConfigureAwait(false);
            LogFailureScheduled(_logger, request.RunId);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Another pass (another instance of the app) may have started it between the check and the start: that
            // is fine; anything else fails the pass, and the next pass tries again.
            if (await _client.GetInstanceAsync(instanceId, getInputsAndOutputs: false, cancellationToken).ConfigureAwait(false) is null)
            {
                throw;
            }
        }
    }

    private static string StageOf(OrchestrationMetadata run) => RunCancellation.StageOf(run);

    [LoggerMessage(EventId = 2110, Level = LogLevel.Warning, Message = "Run {RunId} stuck at stage {Stage} past its bound: terminated; its failure is announced and its landing input kept")]
    private static partial void LogTerminated(ILogger logger, string runId, string stage);

    [LoggerMessage(EventId = 2111, Level = LogLevel.Information, Message = "Run {RunId}: the failure of the stuck run is scheduled (announcement and clean-up)")]
    private static partial void LogFailureScheduled(ILogger logger, string runId);

    [LoggerMessage(EventId = 2112, Level = LogLevel.Warning, Message = "Run {RunId} was terminated as stuck but its product is not served here: its failure is not announced by this app")]
    private static partial void LogUnannounced(ILogger logger, string runId);
}
