using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;

namespace DataMesh.Pipeline;

/// <summary>
/// The durable pipeline of one data product run: ingest → transform → quality check → publish, then announce.
/// A failed quality gate (or bad input or SQL) quarantines the landing input and publishes nothing.
/// Orchestrators replay: this code is deterministic (no I/O, no clock, no random); all work is in activities.
/// </summary>
public sealed partial class DataProductPipeline : TaskOrchestrator<PipelineRequest, PipelineResult>
{
    /// <summary>Storage and engine work: retried with backoff, except failures caused by the product or its data.</summary>
    public static readonly TaskOptions StageRetry = TaskOptions.FromRetryPolicy(
        new RetryPolicy(maxNumberOfAttempts: 4, firstRetryInterval: TimeSpan.FromSeconds(1), backoffCoefficient: 2, maxRetryInterval: TimeSpan.FromSeconds(30))
        {
            HandleFailure = IsRetriedStageFailure,
        });

    /// <summary>Announcements must get out: more attempts, longer backoff.</summary>
    public static readonly TaskOptions AnnounceRetry = TaskOptions.FromRetryPolicy(
        new RetryPolicy(maxNumberOfAttempts: 8, firstRetryInterval: TimeSpan.FromSeconds(1), backoffCoefficient: 2, maxRetryInterval: TimeSpan.FromMinutes(1)));

    // Blobs whose version the run never pinned (it failed before planning, or nothing is quarantined).
    private static readonly IReadOnlyDictionary<string, string> Unpinned = new Dictionary<string, string>(StringComparer.Ordinal);

    public override async Task<PipelineResult> RunAsync(TaskOrchestrationContext context, PipelineRequest input)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(input);
        var logger = context.CreateReplaySafeLogger<DataProductPipeline>();
        LogRunStarted(logger, input.ProductId, input.RunId, input.LandingBlobs.Count);
        var stages = new List<StageTiming>();

        IngestPlan plan;
        try
        {
            plan = await CallStageAsync<ResolveInputsInput, IngestPlan>(
                context, stages, "resolve", nameof(ResolveInputsActivity), new ResolveInputsInput(input.RunId, input.ProductId, input.LandingBlobs) { StartedAt = Now(context), ArchivedBlobs = input.ArchivedBlobs }, (i, a) => i with { Attempt = a }, StageAttempts);
        }
        catch (TaskFailedException ex)
        {
            return await FailAsync(context, stages, input, version: "", "ingest", ex, input.LandingBlobs.Where(b => !b.EndsWith('/')).ToList(), Unpinned);
        }

        // Fan out: one ingest activity per file, in parallel; the transform then reads them all. An arrival whose bytes
        // were published already is a duplicate; a run asked for on purpose (cli, http, upstream) rebuilds from them.
        var refuseDuplicates = input.Trigger == Triggers.BlobCreatedRouter.BlobTrigger;
        var plannedBlobs = plan.Files.Select(f => f.BlobName).ToList();
        var plannedETags = plan.Files.Where(f => f.ETag is not null).DistinctBy(f => f.BlobName, StringComparer.Ordinal)
            .ToDictionary(f => f.BlobName, f => f.ETag!, StringComparer.Ordinal);
        IngestedFile[] files;
        try
        {
            files = await Task.WhenAll(plan.Files.Select(f =>
                CallStageAsync<IngestInput, IngestedFile>(context, stages, "ingest", nameof(IngestActivity), new IngestInput(input.RunId, input.ProductId, f) { RefuseDuplicates = refuseDuplicates }, (i, a) => i with { Attempt = a }, StageAttempts)));
        }
        catch (TaskFailedException ex)
        {
            return await FailAsync(context, stages, input, plan.Version, "ingest", ex, plannedBlobs, plannedETags);
        }

        IReadOnlyList<IngestedFile> ingested = files.OrderBy(f => f.LocalName, StringComparer.Ordinal).ToList();
        var landingBlobs = ingested.Select(f => f.Blob.Name).ToList();
        var ingestedETags = ingested.DistinctBy(f => f.Blob.Name, StringComparer.Ordinal).ToDictionary(f => f.Blob.Name, f => f.Blob.ETag, StringComparer.Ordinal);
        TransformResult output;
        try
        {
            // A partition backfill fans out, one activity per partition (TransformPartsAsync); any other run, one transform.
            output = input.Parts.Count > 0
                ? await TransformPartsAsync(context, stages, input, ingested, plan)
                : await CallStageAsync<TransformInput, TransformResult>(
                    context, stages, "transform", nameof(TransformActivity), new TransformInput(input.RunId, input.ProductId, ingested) { Upstream = plan.Upstream, Partitions = input.Partitions }, (i, a) => i with { Attempt = a }, StageAttempts);
        }
        catch (TaskFailedException ex)
        {
            // A backfill's inputs are archived, not landed: a failed part leaves them in the archive (nothing quarantined).
            return await FailAsync(context, stages, input, plan.Version, "transform", ex, input.Parts.Count > 0 ? [] : landingBlobs, ingestedETags);
        }

        if (output.Rejected is { } rejected)
        {
            // A drift that blocks (onDrift: block, a missing required column): the input is refused as any rejected
            // input is, and the run keeps what was found in its inputs, as a run stopped by the quality gate does.
            var transform = stages.FindLastIndex(s => s.Stage == "transform");
            if (transform >= 0)
            {
                stages[transform] = stages[transform] with { Outcome = "failed", Error = rejected };
            }

            return await FailAsync(context, stages, input, plan.Version, "ingest", rejected, causedByInput: true, inputRejected: true, landingBlobs, ingestedETags, output.Inputs);
        }

        QualitySummary quality;
        try
        {
            quality = await CallStageAsync<QualityCheckInput, QualitySummary>(
                context, stages, "quality", nameof(QualityCheckActivity), new QualityCheckInput(input.RunId, input.ProductId, output), (i, a) => i with { Attempt = a }, StageAttempts);
        }
        catch (TaskFailedException ex)
        {
            return await FailAsync(context, stages, input, plan.Version, "quality", ex, landingBlobs, ingestedETags);
        }

        if (!quality.Passed)
        {
            return await QualityFailedAsync(context, stages, input, plan.Version, output, quality, landingBlobs, ingestedETags);
        }

        var publishInput = new PublishInput(input.RunId, input.ProductId, output, quality, ingested) { Upstream = plan.Upstream.Select(u => u.Release).ToList() };
        PublishResult published;
        try
        {
            published = await CallStageAsync<PublishInput, PublishResult>(context, stages, "publish", nameof(PublishActivity), publishInput, (i, a) => i with { Attempt = a }, StageAttempts);
        }
        catch (TaskFailedException ex)
        {
            // Nothing is quarantined here: the input was good, the platform failed; the landing blob stays for a re-run.
            return await FailAsync(context, stages, input, plan.Version, "publish", ex, landingBlobs: [], Unpinned);
        }

        if (published.Refused is { } refused)
        {
            // The whole snapshot (the run's output on its base) failed a table-level rule: nothing was published.
            return await QualityFailedAsync(context, stages, input, plan.Version, output, refused, landingBlobs, ingestedETags);
        }

        // The inputs are the release's now: archived for replay, so no restart or redelivery runs them again (ArchiveActivity).
        string? archiveError = null;
        try
        {
            await CallStageAsync<ArchiveInput, IReadOnlyList<string>>(context, stages, "archive", nameof(ArchiveActivity), new ArchiveInput(input.RunId, input.ProductId, plan.Version, published.Release, ingested.Select(f => f.Blob).ToList()), (i, a) => i with { Attempt = a }, StageAttempts);
        }
        catch (TaskFailedException ex)
        {
            archiveError = $"archive failed: {ex.FailureDetails.ErrorMessage}; the inputs stay in landing (their bytes are refused as duplicates if they arrive again)";
        }

        var result = new PipelineResult
        {
            Error = archiveError,
            Status = PipelineStatus.Published,
            Product = input.ProductId,
            Version = plan.Version,
            RunId = input.RunId,
            Release = published.Release,
            Rows = published.Rows,
            Location = published.Location,
            Quality = (published.Quality ?? quality).Rules,
            Inputs = output.Inputs,
            Upstream = publishInput.Upstream,
            Stages = [.. stages],
        };
        LogDrift(logger, result);
        LogRunEnded(logger, input.ProductId, input.RunId, result.Status, $"release {published.Release}, {published.Rows} rows");
        return await AnnounceAsync(context, stages, new AnnounceInput(result, published, publishInput, quality) { LandingBlobs = input.LandingBlobs });
    }

    /// <summary>
    /// Parts of a fan-out scheduled at once. More wait for a free slot: a cancelled backfill (its orchestration terminated)
    /// leaves at most this many activities queued or running, and a host's activity slots stay open to other runs.
    /// </summary>
    public const int MaxPartsInFlight = 32;

    /// <summary>
    /// Runs <see cref="TransformActivity"/> once per part, at most <see cref="MaxPartsInFlight"/> at a time, each over the
    /// ingested files its part replays, into the run's scratch (its own folder, the run's staging prefix: parts never
    /// write the same partition). Their outputs together are the run's output: one quality gate and one publish follow.
    /// Deterministic: the parts and their order come from the request. A failed part stops the scheduling, waits for the
    /// parts still running (so clean-up finds all they staged) and throws its failure with the part's partitions named.
    /// </summary>
    private static async Task<TransformResult> TransformPartsAsync(
        TaskOrchestrationContext context, List<StageTiming> stages, PipelineRequest input, IReadOnlyList<IngestedFile> ingested, IngestPlan plan)
    {
        var results = new TransformResult?[input.Parts.Count];
        var running = new List<(Task<TransformResult> Task, int Index)>();
        TaskFailedException? failure = null;
        var next = 0;
        while (running.Count > 0 || (failure is null && next < input.Parts.Count))
        {
            while (failure is null && next < input.Parts.Count && running.Count < MaxPartsInFlight)
            {
                var part = input.Parts[next];
                var files = ingested.Where(f => part.ArchivedBlobs.Contains(f.Blob.Name, StringComparer.Ordinal)).ToList();
                var transform = new TransformInput(input.RunId, input.ProductId, files) { Upstream = plan.Upstream, Partitions = input.Partitions, Part = next, Folders = part.Folders };
                running.Add((CallStageAsync<TransformInput, TransformResult>(context, stages, "transform", nameof(TransformActivity), transform, (i, a) => i with { Attempt = a }, StageAttempts, part.Describe()), next));
                next++;
            }

            var done = await Task.WhenAny(running.Select(r => r.Task));
            var finished = running.First(r => r.Task == done);
            running.Remove(finished);
            try
            {
                results[finished.Index] = await done;
            }
            catch (TaskFailedException ex) when (failure is null)
            {
                // The part is named in the run's error: the run fails with it, nothing is published.
                var part = input.Parts[finished.Index];
                failure = new TaskFailedException(ex.TaskName, ex.TaskId, ex.FailureDetails with { ErrorMessage = $"partition {part.Describe()}: {ex.FailureDetails.ErrorMessage}" });
            }
            catch (TaskFailedException)
            {
                // A second failure while the first drains: the first is the one reported.
            }
        }

        if (failure is not null)
        {
            throw failure;
        }

        return Combine(input.Parts, results!);
    }

    /// <summary>
    /// The parts' outputs as one run's output: every part's files under the run's staging prefix, rows summed, the
    /// inputs' reports merged per port. No measures: the quality stage measures the whole output once.
    /// </summary>
    private static TransformResult Combine(IReadOnlyList<BackfillPart> parts, IReadOnlyList<TransformResult> results)
    {
        // An archived input that a drift rule now blocks fails its part: the backfill publishes nothing, the archive stays.
        var rejected = results.ToList().FindIndex(r => r.Rejected is not null);
        if (rejected >= 0)
        {
            throw new TaskFailedException(nameof(TransformActivity), -1, new TaskFailureDetails(
                typeof(PipelineStageException).FullName!, $"partition {parts[rejected].Describe()}: {results[rejected].Rejected}", null, null, null));
        }

        var written = results.Where(r => r.Files.Count > 0).ToList();
        var first = written.FirstOrDefault() ?? results[0];
        var other = written.FirstOrDefault(r => r.SchemaHash != first.SchemaHash);
        if (other is not null)
        {
            // Rows of one table in files of two shapes cannot make one snapshot: the product's fault (its inputs' types).
            var index = results.ToList().IndexOf(other);
            throw new TaskFailedException(nameof(TransformActivity), -1, new TaskFailureDetails(
                typeof(PipelineStageException).FullName!,
                $"partition {parts[index].Describe()}: its output's columns ({string.Join(", ", other.Schema.Select(c => $"{c.Name} {c.Type}"))}) differ from partition "
                + $"{parts[results.ToList().IndexOf(first)].Describe()}'s ({string.Join(", ", first.Schema.Select(c => $"{c.Name} {c.Type}"))}): declare the input columns' types in product.yaml so every archived file reads alike.",
                null, null, null));
        }

        var inputs = results.SelectMany(r => r.Inputs).GroupBy(i => i.Name, StringComparer.Ordinal)
            .Select(g => g.First() with { Files = g.Sum(i => i.Files), Drift = g.SelectMany(i => i.Drift).Distinct().ToList() })
            .ToList();
        return first with
        {
            Rows = results.Sum(r => r.Rows),
            Files = results.SelectMany(r => r.Files).Order(StringComparer.Ordinal).ToList(),
            Inputs = inputs,
            Quality = null,
        };
    }

    /// <summary>A run stopped at the quality gate (its output, or the snapshot it would make): input quarantined, failure announced.</summary>
    private static async Task<PipelineResult> QualityFailedAsync(
        TaskOrchestrationContext context, List<StageTiming> stages, PipelineRequest input, string version, TransformResult output, QualitySummary quality,
        IReadOnlyList<string> landingBlobs, IReadOnlyDictionary<string, string> ingestedETags)
    {
        var logger = context.CreateReplaySafeLogger<DataProductPipeline>();
        var failures = quality.BlockingFailures.ToList();
        var reason = "quality gate failed: " + string.Join("; ", failures.Select(r => $"{r.Name} measured {r.DescribeMeasured()}, expected {r.Expectation}"));
        var (quarantined, keptInLanding, quarantineError) = await QuarantineAsync(
            context, stages, new QuarantineInput(input.RunId, input.ProductId, landingBlobs, "quality", reason, quality) { ETags = ingestedETags });
        var failed = new PipelineResult
        {
            // A quarantine that failed is a platform failure the owner must see: PipelineRunFailed, input in landing.
            Status = quarantineError is null ? PipelineStatus.QualityFailed : PipelineStatus.Failed,
            Product = input.ProductId,
            Version = version,
            RunId = input.RunId,
            Rows = output.Rows,
            Quality = quality.Rules,
            Inputs = output.Inputs,
            Stage = quarantineError is null ? "quality" : "quarantine",
            Error = quarantineError is null ? reason : $"{reason}; {quarantineError}",
            Quarantined = quarantined,
            KeptInLanding = keptInLanding,
            Stages = [.. stages],
        };
        LogDrift(logger, failed);
        LogRunEnded(logger, input.ProductId, input.RunId, failed.Status, reason);
        return await AnnounceAsync(context, stages, new AnnounceInput(failed, null, null, quality) { LandingBlobs = input.LandingBlobs });
    }

    private static async Task<PipelineResult> FailAsync(
        TaskOrchestrationContext context, List<StageTiming> stages, PipelineRequest input, string version, string stage, TaskFailedException exception, IReadOnlyList<string> landingBlobs,
        IReadOnlyDictionary<string, string> etags)
    {
        // Bad data or a product error quarantines the landing input; an upstream without a release yet does not (the
        // input is fine, and the upstream's first release rebuilds this product from it).
        var causedByInput = exception.FailureDetails.IsCausedBy<PipelineStageException>()
            && !exception.FailureDetails.IsCausedBy<UpstreamNotReadyException>()
            && !exception.FailureDetails.IsCausedBy<UpstreamReadRefusedException>();
        return await FailAsync(
            context, stages, input, version, stage, exception.FailureDetails.ErrorMessage, causedByInput, exception.FailureDetails.IsCausedBy<InputRejectedException>(), landingBlobs, etags, inputs: []);
    }

    /// <summary>
    /// Ends a failed run: quarantines its landing input when the input caused the failure, logs and announces it.
    /// <paramref name="inputs"/> is what the transform found in its inputs (a drift that blocked the run), else empty.
    /// </summary>
    private static async Task<PipelineResult> FailAsync(
        TaskOrchestrationContext context, List<StageTiming> stages, PipelineRequest input, string version, string stage, string reason, bool causedByInput, bool inputRejected,
        IReadOnlyList<string> landingBlobs, IReadOnlyDictionary<string, string> etags, IReadOnlyList<InputReport> inputs)
    {
        if (inputRejected)
        {
            // Input problems found while reading (e.g. values that do not cast, seen during the transform's scan): the
            // typed read of the landing files is ingest's work even where the transform's scan does it, so the failed
            // attempt in the timeline says ingest too, as the run's stage, its quarantine reason and the CLI do.
            stage = "ingest";
            var failed = stages.FindLastIndex(s => s.Outcome == "failed");
            if (failed >= 0 && stages[failed].Stage != stage)
            {
                stages[failed] = stages[failed] with { Stage = stage };
            }
        }

        IReadOnlyList<string> quarantined = [];
        IReadOnlyList<string> keptInLanding = [];
        if (causedByInput && landingBlobs.Count > 0)
        {
            (quarantined, keptInLanding, var quarantineError) = await QuarantineAsync(
                context, stages, new QuarantineInput(input.RunId, input.ProductId, landingBlobs, stage, reason, null) { ETags = etags });
            if (quarantineError is not null)
            {
                (stage, reason) = ("quarantine", $"{reason}; {quarantineError}");
            }
        }

        var result = new PipelineResult
        {
            Status = PipelineStatus.Failed,
            Product = input.ProductId,
            Version = version,
            RunId = input.RunId,
            Stage = stage,
            Error = reason,
            Inputs = inputs,
            Quarantined = quarantined,
            KeptInLanding = keptInLanding,
            Stages = [.. stages],
        };
        var logger = context.CreateReplaySafeLogger<DataProductPipeline>();
        LogDrift(logger, result);
        LogRunEnded(logger, input.ProductId, input.RunId, result.Status, reason);
        return await AnnounceAsync(context, stages, new AnnounceInput(result, null, null, null) { LandingBlobs = input.LandingBlobs });
    }

    /// <summary>
    /// Quarantines a failed run's landing input with the stage retries. When every attempt fails the run still ends
    /// and is announced: the error (third item) says so and that the input stays in landing; nothing was moved. The
    /// second item is what the quarantine recorded but left in landing (<see cref="PipelineResult.KeptInLanding"/>).
    /// </summary>
    private static async Task<(IReadOnlyList<string> Quarantined, IReadOnlyList<string> KeptInLanding, string? Error)> QuarantineAsync(
        TaskOrchestrationContext context, List<StageTiming> stages, QuarantineInput quarantine)
    {
        try
        {
            var moved = await CallStageAsync<QuarantineInput, IReadOnlyList<string>>(
                context, stages, "quarantine", nameof(QuarantineActivity), quarantine, (i, a) => i with { Attempt = a }, StageAttempts);
            // QuarantineActivity records every name with '.'/'..' segments and leaves its blob in landing.
            return (moved, quarantine.LandingBlobs.Distinct(StringComparer.Ordinal).Where(LandingBlobNames.HasDotSegments).ToList(), null);
        }
        catch (TaskFailedException ex)
        {
            var attempts = stages.Count(s => s.Stage == "quarantine");
            return ([], [], $"quarantine failed after {attempts} attempt(s): {ex.FailureDetails.ErrorMessage}; the input stays in landing ({string.Join(", ", quarantine.LandingBlobs)}): fix the cause and move or drop it again");
        }
    }

    private static async Task<PipelineResult> AnnounceAsync(TaskOrchestrationContext context, List<StageTiming> stages, AnnounceInput announce)
    {
        // The first stage started with the orchestration: the START time every OpenLineage event of the run agrees on.
        announce = announce with { StartedAt = stages.Count > 0 ? stages.Min(s => s.StartedAt) : Now(context) };
        var result = announce.Result;

        // Announcing and cleaning up are independent (the announcement carries everything it says): both at once,
        // so a run ends one activity round trip sooner.
        var announcing = CallStageAsync<AnnounceInput, string>(context, stages, "announce", nameof(AnnounceActivity), announce, (i, a) => i with { Attempt = a }, AnnounceAttempts);
        var cleaning = CallStageAsync<CleanUpInput, bool>(
            context, stages, "cleanup", nameof(CleanUpActivity), new CleanUpInput(result.RunId, result.Product), (i, a) => i with { Attempt = a }, StageAttempts);
        try
        {
            await announcing;
        }
        catch (TaskFailedException ex)
        {
            // The outcome stands (a release is never undone); the missing announcement is reported with it.
            result = result with { Error = $"{result.Error}{(result.Error is null ? "" : "; ")}announcement failed: {ex.FailureDetails.ErrorMessage}" };
        }

        try
        {
            await cleaning;
        }
        catch (TaskFailedException ex)
        {
            // Leftover scratch data is not a reason to fail a run that has ended; say so in the log.
            LogCleanUpFailed(context.CreateReplaySafeLogger<DataProductPipeline>(), result.RunId, ex.FailureDetails.ErrorMessage);
        }

        return result with { Stages = [.. stages] };
    }

    /// <summary>
    /// Calls activity <paramref name="activity"/> with the retry policy of <paramref name="retry"/>, as the durable
    /// engine's own retries would (same attempts, backoff and failure filter, durable timers between attempts), but
    /// telling each attempt its number and recording each in <paramref name="stages"/>. Deterministic: the times are
    /// the orchestration's replay-safe clock.
    /// </summary>
    private static async Task<TResult> CallStageAsync<TInput, TResult>(
        TaskOrchestrationContext context,
        List<StageTiming> stages,
        string stage,
        string activity,
        TInput input,
        Func<TInput, int, TInput> withAttempt,
        StageRetryPolicy retry,
        string? part = null)
    {
        var policy = retry.Policy;
        for (var attempt = 1; ; attempt++)
        {
            var startedAt = Now(context);
            context.SetCustomStatus(new RunProgress(stage, attempt));
            try
            {
                var result = await context.CallActivityAsync<TResult>(activity, withAttempt(input, attempt));
                stages.Add(new StageTiming(stage, attempt, startedAt, Now(context), "succeeded") { Part = part });
                return result;
            }
            catch (TaskFailedException ex)
            {
                stages.Add(new StageTiming(stage, attempt, startedAt, Now(context), "failed") { Error = ex.FailureDetails.ErrorMessage, Part = part });
                if (attempt >= policy.MaxNumberOfAttempts || !retry.IsRetried(ex.FailureDetails))
                {
                    throw;
                }

                await context.CreateTimer(RetryDelay(policy, attempt), CancellationToken.None);
            }
        }
    }

    // The policies of StageRetry and AnnounceRetry with their failure filters (RetryPolicy does not expose its own).
    private static StageRetryPolicy StageAttempts => new(StageRetry.Retry!.Policy!, IsRetriedStageFailure);

    private static StageRetryPolicy AnnounceAttempts => new(AnnounceRetry.Retry!.Policy!, _ => true);

    /// <summary>Storage and engine failures are retried; failures caused by the product or its data are not.</summary>
    private static bool IsRetriedStageFailure(TaskFailureDetails failure) => !failure.IsCausedBy<PipelineStageException>();

    /// <summary>The delay before attempt <paramref name="attempt"/> + 1: first interval times the backoff per attempt, capped.</summary>
    internal static TimeSpan RetryDelay(RetryPolicy policy, int attempt)
    {
        var delay = policy.FirstRetryInterval.TotalMilliseconds * Math.Pow(policy.BackoffCoefficient, attempt - 1);
        return TimeSpan.FromMilliseconds(Math.Min(delay, policy.MaxRetryInterval.TotalMilliseconds));
    }

    private static DateTimeOffset Now(TaskOrchestrationContext context) =>
        new(DateTime.SpecifyKind(context.CurrentUtcDateTime, DateTimeKind.Utc));

    /// <summary>A retry policy and which failures it retries.</summary>
    private sealed record StageRetryPolicy(RetryPolicy Policy, Func<TaskFailureDetails, bool> IsRetried);

    /// <summary>One structured warning per drift finding and per failed warning-level rule of a run that read its inputs.</summary>
    private static void LogDrift(ILogger logger, PipelineResult result)
    {
        foreach (var input in result.Inputs)
        {
            foreach (var drift in input.Drift)
            {
                LogInputDrift(logger, result.RunId, result.Product, input.Name, drift.Column, drift.Kind, drift.Detail);
            }
        }

        foreach (var rule in result.Quality.Where(r => !r.Passed && r.Severity != "error"))
        {
            LogQualityWarning(logger, result.RunId, result.Product, rule.Name, rule.Measured, rule.Unit, rule.Expectation);
        }
    }

    [LoggerMessage(EventId = 1003, Level = LogLevel.Warning, Message = "Run {RunId} of {ProductId}: input {Input} drifted: {Kind} '{Column}' ({Detail})")]
    private static partial void LogInputDrift(ILogger logger, string runId, string productId, string input, string column, string kind, string detail);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Warning, Message = "Run {RunId} of {ProductId}: warning rule {Rule} measured {Measured} {Unit}, expected {Expectation}")]
    private static partial void LogQualityWarning(ILogger logger, string runId, string productId, string rule, decimal measured, string unit, string expectation);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Warning, Message = "Run {RunId}: clean-up of staged data failed: {Reason}")]
    private static partial void LogCleanUpFailed(ILogger logger, string runId, string reason);

    [LoggerMessage(EventId = 1000, Level = LogLevel.Information, Message = "Run {RunId} of {ProductId} started with {BlobCount} landing blob(s)")]
    private static partial void LogRunStarted(ILogger logger, string productId, string runId, int blobCount);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Run {RunId} of {ProductId} ended {Status}: {Detail}")]
    private static partial void LogRunEnded(ILogger logger, string productId, string runId, PipelineStatus status, string detail);
}
