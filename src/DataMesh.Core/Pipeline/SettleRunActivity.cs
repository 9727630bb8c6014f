using DataMesh.Publishing;
using DataMesh.Telemetry;
using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;

namespace DataMesh.Pipeline;

/// <summary>
/// First step of a terminated run's failure (<see cref="StuckRunFailure"/>): settles what became of the run. It decides the
/// run terminated (<see cref="RunDecision"/>) unless its publish decided first; then the release is the run's: its
/// manifest is written if the publish died between its decision and its manifest (under the publish lock, and only while
/// no newer release exists: a release never sorts before its base), and its landing inputs recorded as published. A
/// decision that can no longer be committed is given up: the run is decided terminated and the uncommitted folder removed.
/// Idempotent.
/// </summary>
public sealed partial class SettleRunActivity(PipelineRuntime runtime) : TaskActivity<SettleRunInput, SettledRun>
{
    public override Task<SettledRun> RunAsync(TaskActivityContext context, SettleRunInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return StageTracing.RunAsync(runtime, "settle", input.RunId, input.ProductId, input.Attempt, () => StageTimeLimit.RunAsync(runtime.ProductsOf(input.RunId).Get(input.ProductId), "publish", token => SettleAsync(input, token)));
    }

    private async Task<SettledRun> SettleAsync(SettleRunInput input, CancellationToken cancellationToken)
    {
        var spec = runtime.ProductsOf(input.RunId).Get(input.ProductId);
        var decision = await RunDecision.TerminateAsync(runtime, spec, input.RunId, cancellationToken).ConfigureAwait(false);
        if (decision is not { Kind: RunDecisionKind.Publish, Manifest: { } manifest, Publish: { } publish })
        {
            return SettledRun.NothingPublished;
        }

        var store = new ReleaseStore(runtime.StorageFor(spec.Domain).Products(spec.Domain));
        var folder = ReleaseStore.Folder(spec.Name, manifest.Version, manifest.Release);
        var committed = await store.ReadManifestAsync(folder, cancellationToken).ConfigureAwait(false);
        if (committed is null)
        {
            // The publish decided and has not written its manifest: it is writing it now (it holds the lock until it has),
            // or it died. Under the lock, whichever it was is over; its own owner, so never the dead publish's lease.
            await using var publishLock = await PublishLock.AcquireAsync(store.Container, spec.Name, manifest.Version, owner: input.RunId + "/settle", cancellationToken: cancellationToken).ConfigureAwait(false);
            if (await RunDecision.ReadAsync(runtime, spec, input.RunId, cancellationToken).ConfigureAwait(false) is not { Decision: { Kind: RunDecisionKind.Publish, Manifest: { } latest, Publish: { } latestPublish } } standing)
            {
                return SettledRun.NothingPublished;
            }

            (manifest, publish, folder) = (latest, latestPublish, ReleaseStore.Folder(spec.Name, latest.Version, latest.Release));
            committed = await store.ReadManifestAsync(folder, cancellationToken).ConfigureAwait(false);
            if (committed is null)
            {
                var newer = (await store.ListReleasesAsync(spec.Name, manifest.Version, cancellationToken).ConfigureAwait(false)).Where(r => r > manifest.Release).ToList();
                var claimed = await store.FindClaimAsync(spec.Name, manifest.Version, input.RunId, cancellationToken).ConfigureAwait(false);
                if (newer.Count > 0 || claimed != manifest.Release)
                {
                    // Another run published after this one's lease ran out: its release built on an older base cannot be
                    // committed now. Given up for good (a publish still retrying finds the run terminated).
                    if (!await RunDecision.GiveUpAsync(runtime, spec, input.RunId, standing.ETag, cancellationToken).ConfigureAwait(false))
                    {
                        throw new InvalidOperationException($"The decision of run {input.RunId} changed while it was being given up; settled again on retry.");
                    }

                    await PublishActivity.RemoveUncommittedAsync(store, folder).ConfigureAwait(false);
                    LogGivenUp(runtime.LoggerFactory.CreateLogger<SettleRunActivity>(), input.RunId, manifest.Release, string.Join(", ", newer));
                    return SettledRun.NothingPublished;
                }

                publishLock.ThrowIfLost();
                committed = await store.WriteManifestAsync(folder, manifest, CancellationToken.None).ConfigureAwait(false);
                LogCommitted(runtime.LoggerFactory.CreateLogger<SettleRunActivity>(), input.RunId, manifest.Release);
            }
        }

        await PublishActivity.RecordInputsAsync(store, spec, publish.Landing, committed).ConfigureAwait(false);
        return new SettledRun(PublishActivity.Result(store, spec, committed), publish);
    }

    [LoggerMessage(EventId = 1045, Level = LogLevel.Warning, Message = "Run {RunId} was terminated after its publish decided, before its manifest: release {Release} committed by its failure")]
    private static partial void LogCommitted(ILogger logger, string runId, int release);

    [LoggerMessage(EventId = 1046, Level = LogLevel.Warning, Message = "Run {RunId} was terminated after its publish decided release {Release}, but newer releases ({Newer}) were published since: release {Release} given up, nothing published")]
    private static partial void LogGivenUp(ILogger logger, string runId, int release, string newer);
}

/// <summary>Input of <see cref="SettleRunActivity"/>: the terminated run.</summary>
public sealed record SettleRunInput(string RunId, string ProductId)
{
    /// <summary>Attempt of the activity, from 1 (set by the orchestrator, which retries it): telemetry only.</summary>
    public int Attempt { get; init; } = 1;
}

/// <summary>What became of a terminated run: the release its publish committed (with the publish's input, to announce it), or nothing.</summary>
/// <param name="Published">The committed release, or null when the run publishes nothing.</param>
/// <param name="Publish">The publish's input when a release was committed.</param>
public sealed record SettledRun(PublishResult? Published, PublishInput? Publish)
{
    /// <summary>The run was terminated before its publish decided: nothing published.</summary>
    public static SettledRun NothingPublished { get; } = new(null, null);
}
