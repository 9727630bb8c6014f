using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using DataMesh.Pipeline;

namespace DataMesh.Telemetry;

/// <summary>
/// The pipeline's metrics (<c>datamesh.*</c>) on a meter named <see cref="PipelineTelemetry.Name"/>, made by the host's
/// <see cref="IMeterFactory"/>: the meter and what it observes live as long as the host's factory (its dependency-injection
/// container), so two hosts in one process (tests, a bench) neither share nor outlive each other's instruments.
/// </summary>
public sealed class PipelineMetrics
{
    private readonly Counter<long>? _runs;
    private readonly Histogram<double>? _stageDuration;
    private readonly Counter<long>? _rowsPublished;
    private readonly Counter<long>? _qualityFailures;

    // Newest release time per product, as this host last saw it (announced here, or read by the freshness check).
    private readonly ConcurrentDictionary<string, (string Domain, DateTimeOffset Newest)> _newestRelease = new(StringComparer.Ordinal);

    /// <summary>Creates the pipeline's meter and instruments through <paramref name="meterFactory"/>.</summary>
    public PipelineMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(PipelineTelemetry.Name, typeof(PipelineMetrics).Assembly.GetName().Version?.ToString());
        _runs = meter.CreateCounter<long>("datamesh.runs", "{run}", "Pipeline runs ended, by status.");
        _stageDuration = meter.CreateHistogram<double>("datamesh.stage.duration", "s", "Duration of one attempt of a pipeline stage.");
        _rowsPublished = meter.CreateCounter<long>("datamesh.rows.published", "{row}", "Rows of the releases published.");
        _qualityFailures = meter.CreateCounter<long>("datamesh.quality.failures", "{rule}", "Quality rules that failed in a run, by rule and severity.");
        meter.CreateObservableGauge("datamesh.freshness.lag", ObserveFreshnessLag, "s", "Age of each product's newest release, when observed.");
    }

    private PipelineMetrics()
    {
    }

    /// <summary>Records nothing: for a pipeline runtime built without a host's meter factory (unit tests, tools).</summary>
    public static PipelineMetrics None { get; } = new();

    /// <summary>Records the newest release of a product for <c>datamesh.freshness.lag</c>; an older time never replaces a newer one.</summary>
    public void ObserveNewestRelease(string productId, string domain, DateTimeOffset newest)
    {
        if (_runs is null)
        {
            return;
        }

        _newestRelease.AddOrUpdate(productId, (domain, newest), (_, seen) => seen.Newest >= newest ? seen : (domain, newest));
    }

    /// <summary>Records one stage attempt's duration.</summary>
    internal void RecordStage(string stage, string productId, string outcome, TimeSpan duration)
    {
        if (_stageDuration is { Enabled: true })
        {
            _stageDuration.Record(duration.TotalSeconds, new TagList
            {
                { TelemetryAttributes.Stage, stage },
                { TelemetryAttributes.Product, productId },
                { TelemetryAttributes.Outcome, outcome },
            });
        }
    }

    /// <summary>Records a run's end once its outcome is announced: the run, the rows published, each failed rule, the newest release.</summary>
    internal void RecordRun(PipelineResult result, string domain, DateTimeOffset endedAt)
    {
        if (_runs is null)
        {
            return;
        }

        var product = new KeyValuePair<string, object?>(TelemetryAttributes.Product, result.Product);
        _runs.Add(1, product, new(TelemetryAttributes.Domain, domain), new(TelemetryAttributes.Status, result.Status.ToString()));
        if (result.Status == PipelineStatus.Published)
        {
            _rowsPublished!.Add(result.Rows ?? 0, product, new(TelemetryAttributes.Domain, domain));
            ObserveNewestRelease(result.Product, domain, endedAt);
        }

        foreach (var rule in result.Quality.Where(r => !r.Passed))
        {
            _qualityFailures!.Add(1, product, new(TelemetryAttributes.Rule, rule.Name), new(TelemetryAttributes.Severity, rule.Severity));
        }
    }

    private IEnumerable<Measurement<double>> ObserveFreshnessLag()
    {
        var now = DateTimeOffset.UtcNow;
        foreach (var (productId, (domain, newest)) in _newestRelease)
        {
            yield return new Measurement<double>(
                Math.Max(0, (now - newest).TotalSeconds),
                new KeyValuePair<string, object?>(TelemetryAttributes.Product, productId),
                new KeyValuePair<string, object?>(TelemetryAttributes.Domain, domain));
        }
    }
}
