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
            HandleFailure = failure => !failure.IsCausedBy<PipelineStageException>(),
        });

    /// <summary>Announcements must get out: more attempts, longer backoff.</summary>
    public static readonly TaskOptions AnnounceRetry = TaskOptions.FromRetryPolicy(
        new RetryPolicy(maxNumberOfAttempts: 8, firstRetryInterval: TimeSpan.FromSeconds(1), backoffCoefficient: 2, maxRetryInterval: TimeSpan.FromMinutes(1)));

    public override async Task<PipelineResult> RunAsync(TaskOrchestrationContext context, PipelineRequest input)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(input);
        var logger = context.CreateReplaySafeLogger<DataProductPipeline>();
        LogRunStarted(logger, input.ProductId, input.RunId, input.LandingBlobs.Count);

        IngestPlan plan;
        try
        {
            plan = await context.CallActivityAsync<IngestPlan>(nameof(ResolveInputsActivity), new ResolveInputsInput(input.RunId, input.ProductId, input.LandingBlobs), StageRetry);
        }
        catch (TaskFailedException ex)
        {
            return await FailAsync(context, input, version: "", "ingest", ex, input.LandingBlobs.Where(b => !b.EndsWith('/')).ToList());
        }

        // Fan out: one ingest activity per file, in parallel; the transform then reads them all.
        var plannedBlobs = plan.Files.Select(f => f.BlobName).ToList();
        IngestedFile[] files;
        try
        {
            files = await Task.WhenAll(plan.Files.Select(f =>
                context.CallActivityAsync<IngestedFile>(nameof(IngestActivity), new IngestInput(input.RunId, input.ProductId, f), StageRetry)));
        }
        catch (TaskFailedException ex)
        {
            return await FailAsync(context, input, plan.Version, "ingest", ex, plannedBlobs);
        }

        IReadOnlyList<IngestedFile> ingested = files.OrderBy(f => f.LocalName, StringComparer.Ordinal).ToList();
        var landingBlobs = ingested.Select(f => f.Blob.Name).ToList();
        TransformResult output;
        try
        {
            output = await context.CallActivityAsync<TransformResult>(nameof(TransformActivity), new TransformInput(input.RunId, input.ProductId, ingested) { Upstream = plan.Upstream }, StageRetry);
        }
        catch (TaskFailedException ex)
        {
            return await FailAsync(context, input, plan.Version, "transform", ex, landingBlobs);
        }

        QualitySummary quality;
        try
        {
            quality = await context.CallActivityAsync<QualitySummary>(nameof(QualityCheckActivity), new QualityCheckInput(input.RunId, input.ProductId, output), StageRetry);
        }
        catch (TaskFailedException ex)
        {
            return await FailAsync(context, input, plan.Version, "quality", ex, landingBlobs);
        }

        if (!quality.Passed)
        {
            var failures = quality.BlockingFailures.ToList();
            var reason = "quality gate failed: " + string.Join("; ", failures.Select(r => $"{r.Name} measured {r.Measured} {r.Unit}, expected {r.Expectation}"));
            var quarantined = await context.CallActivityAsync<IReadOnlyList<string>>(
                nameof(QuarantineActivity), new QuarantineInput(input.RunId, input.ProductId, landingBlobs, "quality", reason, quality), StageRetry);
            var failed = new PipelineResult
            {
                Status = PipelineStatus.QualityFailed,
                Product = input.ProductId,
                Version = plan.Version,
                RunId = input.RunId,
                Rows = output.Rows,
                Quality = quality.Rules,
                Inputs = output.Inputs,
                Stage = "quality",
                Error = reason,
                Quarantined = quarantined,
            };
            LogRunEnded(logger, input.ProductId, input.RunId, failed.Status, reason);
            return await AnnounceAsync(context, new AnnounceInput(failed, null, null, quality));
        }

        var publishInput = new PublishInput(input.RunId, input.ProductId, output, quality, ingested) { Upstream = plan.Upstream.Select(u => u.Release).ToList() };
        PublishResult published;
        try
        {
            published = await context.CallActivityAsync<PublishResult>(nameof(PublishActivity), publishInput, StageRetry);
        }
        catch (TaskFailedException ex)
        {
            // Nothing is quarantined here: the input was good, the platform failed; the landing blob stays for a re-run.
            return await FailAsync(context, input, plan.Version, "publish", ex, landingBlobs: []);
        }

        var result = new PipelineResult
        {
            Status = PipelineStatus.Published,
            Product = input.ProductId,
            Version = plan.Version,
            RunId = input.RunId,
            Release = published.Release,
            Rows = published.Rows,
            Location = published.Location,
            Quality = quality.Rules,
            Inputs = output.Inputs,
        };
        LogRunEnded(logger, input.ProductId, input.RunId, result.Status, $"release {published.Release}, {published.Rows} rows");
        return await AnnounceAsync(context, new AnnounceInput(result, published, publishInput, quality));
    }

    private static async Task<PipelineResult> FailAsync(
        TaskOrchestrationContext context, PipelineRequest input, string version, string stage, TaskFailedException exception, IReadOnlyList<string> landingBlobs)
    {
        // Bad data or a product error quarantines the landing input; an upstream without a release yet does not (the
        // input is fine, and the upstream's first release rebuilds this product from it).
        var causedByInput = exception.FailureDetails.IsCausedBy<PipelineStageException>()
            && !exception.FailureDetails.IsCausedBy<UpstreamNotReadyException>();
        if (exception.FailureDetails.IsCausedBy<InputRejectedException>())
        {
            // Input problems found while reading (e.g. values that do not cast, seen during the transform's scan).
            stage = "ingest";
        }

        var reason = exception.FailureDetails.ErrorMessage;
        IReadOnlyList<string> quarantined = [];
        if (causedByInput && landingBlobs.Count > 0)
        {
            quarantined = await context.CallActivityAsync<IReadOnlyList<string>>(
                nameof(QuarantineActivity), new QuarantineInput(input.RunId, input.ProductId, landingBlobs, stage, reason, null), StageRetry);
        }

        var result = new PipelineResult
        {
            Status = PipelineStatus.Failed,
            Product = input.ProductId,
            Version = version,
            RunId = input.RunId,
            Stage = stage,
            Error = reason,
            Quarantined = quarantined,
        };
        LogRunEnded(context.CreateReplaySafeLogger<DataProductPipeline>(), input.ProductId, input.RunId, result.Status, reason);
        return await AnnounceAsync(context, new AnnounceInput(result, null, null, null));
    }

    private static async Task<PipelineResult> AnnounceAsync(TaskOrchestrationContext context, AnnounceInput announce)
    {
        var result = announce.Result;

        // Announcing and cleaning up are independent (the announcement carries everything it says): both at once,
        // so a run ends one activity round trip sooner.
        var announcing = context.CallActivityAsync<string>(nameof(AnnounceActivity), announce, AnnounceRetry);
        var cleaning = context.CallActivityAsync<bool>(nameof(CleanUpActivity), new CleanUpInput(result.RunId, result.Product), StageRetry);
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

        return result;
    }

    [LoggerMessage(EventId = 1002, Level = LogLevel.Warning, Message = "Run {RunId}: clean-up of staged data failed: {Reason}")]
    private static partial void LogCleanUpFailed(ILogger logger, string runId, string reason);

    [LoggerMessage(EventId = 1000, Level = LogLevel.Information, Message = "Run {RunId} of {ProductId} started with {BlobCount} landing blob(s)")]
    private static partial void LogRunStarted(ILogger logger, string productId, string runId, int blobCount);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Run {RunId} of {ProductId} ended {Status}: {Detail}")]
    private static partial void LogRunEnded(ILogger logger, string productId, string runId, PipelineStatus status, string detail);
}
