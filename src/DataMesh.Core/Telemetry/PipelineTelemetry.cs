using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Security.Cryptography;
using System.Text;
using DataMesh.Pipeline;

namespace DataMesh.Telemetry;

/// <summary>
/// The pipeline's OpenTelemetry signals, made with <c>System.Diagnostics</c> only (hosts attach exporters): one
/// <see cref="ActivitySource"/> and one <see cref="Meter"/>, both named <see cref="Name"/>.
/// </summary>
/// <remarks>
/// <para>
/// Trace shape: one trace per run. Orchestrators replay, so no span is made in orchestrator code. Each activity
/// attempt makes one stage span (a retried stage has one span per attempt, with <c>datamesh.attempt</c>). The trace
/// id and the run span's id are derived from the run id (<see cref="TraceId"/>, <see cref="RunSpanId"/>), so an
/// activity on any instance or process parents its span to the run span without context travelling through the
/// durable engine. The run span (<c>datamesh.run &lt;product&gt;</c>) is emitted once, when the run's outcome has been
/// announced, with the run's real start and end and that derived span id.
/// </para>
/// <para>
/// <c>System.Diagnostics.Activity</c> has no public way to choose a span id: the run span's ids are set by reflection
/// (as the Durable Task Framework does for its own orchestration spans). Should a runtime rename those fields, the
/// run span keeps random ids and the stage spans point at a parent that was never exported; the telemetry tests fail.
/// </para>
/// </remarks>
public static class PipelineTelemetry
{
    /// <summary>Name of the activity source and of the meter: what an exporter listens to.</summary>
    public const string Name = "DataMesh.Pipeline";

    /// <summary>Source of the run and stage spans.</summary>
    public static readonly ActivitySource Source = new(Name, typeof(PipelineTelemetry).Assembly.GetName().Version?.ToString());

    /// <summary>Meter of the pipeline's metrics (<c>datamesh.*</c>).</summary>
    public static readonly Meter Meter = new(Name, typeof(PipelineTelemetry).Assembly.GetName().Version?.ToString());

    private static readonly Counter<long> Runs = Meter.CreateCounter<long>("datamesh.runs", "{run}", "Pipeline runs ended, by status.");

    private static readonly Histogram<double> StageDuration = Meter.CreateHistogram<double>(
        "datamesh.stage.duration", "s", "Duration of one attempt of a pipeline stage.");

    private static readonly Counter<long> RowsPublished = Meter.CreateCounter<long>("datamesh.rows.published", "{row}", "Rows of the releases published.");

    private static readonly Counter<long> QualityFailures = Meter.CreateCounter<long>(
        "datamesh.quality.failures", "{rule}", "Quality rules that failed in a run, by rule and severity.");

    // Newest release time per product, as this process last saw it (announced here, or read by the freshness check).
    private static readonly ConcurrentDictionary<string, (string Domain, DateTimeOffset Newest)> NewestRelease = new(StringComparer.Ordinal);

    private static readonly ObservableGauge<double> FreshnessLag = Meter.CreateObservableGauge(
        "datamesh.freshness.lag", ObserveFreshnessLag, "s", "Age of each product's newest release, when observed.");

    private static readonly Action<Activity, string?> SetTraceId = FieldSetter("_traceId");
    private static readonly Action<Activity, string?> SetSpanId = FieldSetter("_spanId");
    private static readonly Action<Activity, string?> SetId = FieldSetter("_id");
    private static readonly Action<Activity, string?> SetRootId = FieldSetter("_rootId");

    /// <summary>The W3C trace id of a run: the first 16 bytes of SHA-256(run id).</summary>
    public static ActivityTraceId TraceId(string runId) => ActivityTraceId.CreateFromBytes(Hash(runId).AsSpan(0, 16));

    /// <summary>The span id of a run's root span: bytes 16 to 23 of SHA-256(run id).</summary>
    public static ActivitySpanId RunSpanId(string runId) => ActivitySpanId.CreateFromBytes(Hash(runId).AsSpan(16, 8));

    /// <summary>The run span as a (remote) parent: what every stage span of the run hangs from.</summary>
    public static ActivityContext RunContext(string runId) => new(TraceId(runId), RunSpanId(runId), ActivityTraceFlags.Recorded, isRemote: true);

    /// <summary>Records the newest release of a product for <c>datamesh.freshness.lag</c>; an older time never replaces a newer one.</summary>
    public static void ObserveNewestRelease(string productId, string domain, DateTimeOffset newest) =>
        NewestRelease.AddOrUpdate(productId, (domain, newest), (_, seen) => seen.Newest >= newest ? seen : (domain, newest));

    /// <summary>Records one stage attempt's duration.</summary>
    internal static void RecordStage(string stage, string productId, string outcome, TimeSpan duration)
    {
        if (StageDuration.Enabled)
        {
            StageDuration.Record(duration.TotalSeconds, new TagList
            {
                { TelemetryAttributes.Stage, stage },
                { TelemetryAttributes.Product, productId },
                { TelemetryAttributes.Outcome, outcome },
            });
        }
    }

    /// <summary>
    /// Records a run's end once its outcome is announced: the run metrics, and the run span (from the first stage's
    /// start to <paramref name="endedAt"/>) with the run's derived ids.
    /// </summary>
    internal static void RecordRun(PipelineResult result, string domain, DateTimeOffset endedAt)
    {
        var product = new KeyValuePair<string, object?>(TelemetryAttributes.Product, result.Product);
        Runs.Add(1, product, new(TelemetryAttributes.Domain, domain), new(TelemetryAttributes.Status, result.Status.ToString()));
        if (result.Status == PipelineStatus.Published)
        {
            RowsPublished.Add(result.Rows ?? 0, product, new(TelemetryAttributes.Domain, domain));
            ObserveNewestRelease(result.Product, domain, endedAt);
        }

        var failed = result.Quality.Where(r => !r.Passed).ToList();
        foreach (var rule in failed)
        {
            QualityFailures.Add(1, product, new(TelemetryAttributes.Rule, rule.Name), new(TelemetryAttributes.Severity, rule.Severity));
        }

        if (!Source.HasListeners())
        {
            return;
        }

        var startedAt = result.Stages.Count > 0 ? result.Stages.Min(s => s.StartedAt) : endedAt;
        var previous = Activity.Current;
        Activity.Current = null; // a root span: not a child of the announcing stage's span
        try
        {
            using var run = Source.StartActivity($"datamesh.run {result.Product}", ActivityKind.Internal, parentContext: default, startTime: startedAt);
            if (run is null)
            {
                return;
            }

            SetTraceId(run, TraceId(result.RunId).ToHexString());
            SetSpanId(run, RunSpanId(result.RunId).ToHexString());
            SetId(run, null);
            SetRootId(run, null);
            run.SetTag(TelemetryAttributes.Product, result.Product)
                .SetTag(TelemetryAttributes.Domain, domain)
                .SetTag(TelemetryAttributes.Version, result.Version)
                .SetTag(TelemetryAttributes.RunId, result.RunId)
                .SetTag(TelemetryAttributes.Status, result.Status.ToString())
                .SetTag(TelemetryAttributes.Release, result.Release)
                .SetTag(TelemetryAttributes.Rows, result.Rows)
                .SetTag(TelemetryAttributes.QualityFailedRules, failed.Count);
            if (failed.Count > 0)
            {
                run.SetTag(TelemetryAttributes.QualityFailedRuleNames, failed.Select(r => r.Name).ToArray());
            }

            if (result.Status == PipelineStatus.Published)
            {
                run.SetStatus(ActivityStatusCode.Ok);
            }
            else
            {
                run.SetTag(TelemetryAttributes.FailedStage, result.Stage);
                run.SetStatus(ActivityStatusCode.Error, result.Error);
            }

            run.SetEndTime(endedAt.UtcDateTime);
        }
        finally
        {
            Activity.Current = previous;
        }
    }

    private static IEnumerable<Measurement<double>> ObserveFreshnessLag()
    {
        var now = DateTimeOffset.UtcNow;
        foreach (var (productId, (domain, newest)) in NewestRelease)
        {
            yield return new Measurement<double>(
                Math.Max(0, (now - newest).TotalSeconds),
                new KeyValuePair<string, object?>(TelemetryAttributes.Product, productId),
                new KeyValuePair<string, object?>(TelemetryAttributes.Domain, domain));
        }
    }

    private static byte[] Hash(string runId)
    {
        ArgumentNullException.ThrowIfNull(runId);
        return SHA256.HashData(Encoding.UTF8.GetBytes(runId));
    }

    private static Action<Activity, string?> FieldSetter(string name)
    {
        var field = typeof(Activity).GetField(name, System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance);
        return field is null ? static (_, _) => { } : (activity, value) => field.SetValue(activity, value);
    }
}
