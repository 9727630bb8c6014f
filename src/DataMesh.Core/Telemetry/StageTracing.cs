using System.Diagnostics;
using DataMesh.Pipeline;
using DataMesh.Specs;

namespace DataMesh.Telemetry;

/// <summary>
/// Runs one attempt of a pipeline activity inside its stage span (a child of the run span, see
/// <see cref="PipelineTelemetry"/>) and records the attempt's duration. Costs a listener check when nothing listens.
/// </summary>
internal static class StageTracing
{
    /// <summary>
    /// Runs <paramref name="body"/> as attempt <paramref name="attempt"/> of <paramref name="stage"/>: the span carries
    /// the product, domain, version, run and attempt, then what <paramref name="describe"/> adds from the result; a
    /// failure sets the error status and an exception event, and is rethrown - with the values of a product's
    /// classified columns taken out of its text (<see cref="ErrorRedaction"/>), since every record of the run quotes it.
    /// </summary>
    public static async Task<TResult> RunAsync<TResult>(
        PipelineRuntime runtime, string stage, string runId, string productId, int attempt, Func<Task<TResult>> body, Action<Activity, TResult>? describe = null)
    {
        var products = runtime.Products;
        var started = Stopwatch.GetTimestamp();
        using var span = PipelineTelemetry.Source.StartActivity($"datamesh.{stage}", ActivityKind.Internal, PipelineTelemetry.RunContext(runId));
        try
        {
            if (span is not null)
            {
                var spec = products.Get(productId);
                span.SetTag(TelemetryAttributes.Product, productId)
                    .SetTag(TelemetryAttributes.Domain, spec.Domain)
                    .SetTag(TelemetryAttributes.Version, spec.Version)
                    .SetTag(TelemetryAttributes.RunId, runId)
                    .SetTag(TelemetryAttributes.Stage, stage)
                    .SetTag(TelemetryAttributes.Attempt, attempt);
            }

            var result = await body().ConfigureAwait(false);
            if (span is not null)
            {
                describe?.Invoke(span, result);
                span.SetTag(TelemetryAttributes.Outcome, "succeeded").SetStatus(ActivityStatusCode.Ok);
            }

            runtime.Metrics.RecordStage(stage, productId, "succeeded", Stopwatch.GetElapsedTime(started));
            return result;
        }
        catch (Exception ex)
        {
            // The product or its data (not retried) versus the platform (retried).
            var outcome = ex is PipelineStageException ? "rejected" : "failed";
            var leaving = Redacted(products, productId, ex);
            span?.SetTag(TelemetryAttributes.Outcome, outcome).SetStatus(ActivityStatusCode.Error, leaving.Message).AddException(leaving);
            runtime.Metrics.RecordStage(stage, productId, outcome, Stopwatch.GetElapsedTime(started));
            if (ReferenceEquals(leaving, ex))
            {
                throw;
            }

            throw leaving;
        }
    }

    private static Exception Redacted(IProductRegistry products, string productId, Exception exception)
    {
        ProductSpec spec;
        try
        {
            spec = products.Get(productId);
        }
        catch (KeyNotFoundException)
        {
            // An unknown product has no classified column to protect; its error says so.
            return exception;
        }

        return ErrorRedaction.Redact(spec, exception);
    }

    /// <summary>Adds the quality gate's outcome to its span: rows checked, passed, and the failed rules (count and names).</summary>
    public static void DescribeQuality(Activity span, QualitySummary quality)
    {
        var failed = quality.Rules.Where(r => !r.Passed).Select(r => r.Name).ToArray();
        span.SetTag(TelemetryAttributes.Rows, quality.Rows)
            .SetTag(TelemetryAttributes.QualityPassed, quality.Passed)
            .SetTag(TelemetryAttributes.QualityFailedRules, failed.Length);
        if (failed.Length > 0)
        {
            span.SetTag(TelemetryAttributes.QualityFailedRuleNames, failed);
        }
    }
}
