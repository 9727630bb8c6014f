using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using DataMesh.Pipeline;

namespace DataMesh.Telemetry;

/// <summary>
/// The pipeline's spans, made with <c>System.Diagnostics</c> only (hosts attach exporters): one
/// <see cref="ActivitySource"/> named <see cref="Name"/>. Its metrics are <see cref="PipelineMetrics"/>, on a meter of the
/// same name made by the host's <see cref="System.Diagnostics.Metrics.IMeterFactory"/>.
/// </summary>
/// <remarks>
/// <para>
/// Trace shape: one trace per run. Orchestrators replay, so no span is made in orchestrator code. Each activity
/// attempt makes one stage span (a retried stage has one span per attempt, with <c>datamesh.attempt</c>). The trace
/// id and a run span id are derived from the run id (<see cref="TraceId"/>, <see cref="RunSpanId"/>): every span of the
/// run, on any instance or process, starts with <see cref="RunContext"/> as its (remote) parent, so no context has to
/// travel through the durable engine. The run span (<c>datamesh.run &lt;product&gt;</c>) is one of those children: it is
/// emitted once, when the run's outcome has been announced, with the run's real start and end.
/// </para>
/// <para>
/// Why the run span is a sibling of the stage spans and not their parent: <c>System.Diagnostics.Activity</c> has no
/// public way to choose a span's own id (only its parent's), and the run span is made last, after its stages ended in
/// other processes. Only public APIs are used (an <see cref="ActivityContext"/> as the parent): no runtime change can
/// silently break the ids.
/// </para>
/// </remarks>
public static class PipelineTelemetry
{
    /// <summary>Name of the activity source and of the meter (<see cref="PipelineMetrics"/>): what an exporter listens to.</summary>
    public const string Name = "DataMesh.Pipeline";

    /// <summary>Source of the run and stage spans.</summary>
    public static readonly ActivitySource Source = new(Name, typeof(PipelineTelemetry).Assembly.GetName().Version?.ToString());

    /// <summary>The W3C trace id of a run: the first 16 bytes of SHA-256(run id).</summary>
    public static ActivityTraceId TraceId(string runId) => ActivityTraceId.CreateFromBytes(Hash(runId).AsSpan(0, 16));

    /// <summary>The span id standing for the run itself, the parent of its spans: bytes 16 to 23 of SHA-256(run id).</summary>
    public static ActivitySpanId RunSpanId(string runId) => ActivitySpanId.CreateFromBytes(Hash(runId).AsSpan(16, 8));

    /// <summary>The run as a (remote) parent: what every span of the run, the run span and its stage spans, hangs from.</summary>
    public static ActivityContext RunContext(string runId) => new(TraceId(runId), RunSpanId(runId), ActivityTraceFlags.Recorded, isRemote: true);

    /// <summary>
    /// Emits a run's span once its outcome is announced: from the first stage's start to <paramref name="endedAt"/>,
    /// under <see cref="RunContext"/>, with the run's status, release, rows and failed rules.
    /// </summary>
    internal static void RecordRunSpan(PipelineResult result, string domain, DateTimeOffset endedAt)
    {
        if (!Source.HasListeners())
        {
            return;
        }

        var failed = result.Quality.Where(r => !r.Passed).Select(r => r.Name).ToArray();
        var startedAt = result.Stages.Count > 0 ? result.Stages.Min(s => s.StartedAt) : endedAt;
        // Ending the run span makes its (absent) in-process parent current: the announcing stage's span is put back after.
        var previous = Activity.Current;
        try
        {
            using var run = Source.StartActivity($"datamesh.run {result.Product}", ActivityKind.Internal, RunContext(result.RunId), startTime: startedAt);
            if (run is null)
            {
                return;
            }

            run.SetTag(TelemetryAttributes.Product, result.Product)
                .SetTag(TelemetryAttributes.Domain, domain)
                .SetTag(TelemetryAttributes.Version, result.Version)
                .SetTag(TelemetryAttributes.RunId, result.RunId)
                .SetTag(TelemetryAttributes.Status, result.Status.ToString())
                .SetTag(TelemetryAttributes.Release, result.Release)
                .SetTag(TelemetryAttributes.Rows, result.Rows)
                .SetTag(TelemetryAttributes.QualityFailedRules, failed.Length);
            if (failed.Length > 0)
            {
                run.SetTag(TelemetryAttributes.QualityFailedRuleNames, failed);
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

    private static byte[] Hash(string runId)
    {
        ArgumentNullException.ThrowIfNull(runId);
        return SHA256.HashData(Encoding.UTF8.GetBytes(runId));
    }
}
