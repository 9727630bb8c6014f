using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using DataMesh.Local;
using DataMesh.Pipeline;
using DataMesh.Telemetry;
using DataMesh.Testing;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace DataMesh.EndToEnd.Tests;

/// <summary>
/// The pipeline's OpenTelemetry signals on a real local mesh: the spans of a run as an in-memory exporter receives
/// them (one trace, the run span and a span per stage attempt under the run's context), a retried activity, the stage
/// timeline, and the metrics (made by the host's meter factory).
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class TelemetryTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private static readonly string[] Stages = ["resolve", "ingest", "transform", "quality", "publish", "archive", "announce", "cleanup"];

    private readonly string _domain = "otel" + Guid.NewGuid().ToString("N")[..6];
    private readonly List<Activity> _exported = [];
    private TestProduct? _product;
    private LocalMesh? _mesh;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_mesh is not null)
        {
            await _mesh.DisposeAsync();
        }

        _product?.Dispose();
    }

    [Fact]
    public async Task Run_Published_ExportsOneTraceWithTheRunSpanAndAStageSpanPerActivityUnderTheRunContext()
    {
        // Arrange
        var (product, mesh) = await StartAsync();
        using var tracing = Tracing();

        // Act
        var input = product.WriteOrders("orders-1.csv", rows: 100);
        var result = await mesh.RunAsync(product.Id, [input]);

        // Assert: one trace, derived from the run id, holding every span of the run.
        Assert.Equal(PipelineStatus.Published, result.Status);
        var spans = SpansOf(result.RunId);
        var traceId = PipelineTelemetry.TraceId(result.RunId);
        Assert.All(spans, s => Assert.Equal(traceId, s.TraceId));
        Assert.Equal(spans.Count, SpansInTrace(traceId).Count);

        // Every span, the run span and each stage span, is a child of the run's derived context (a span id cannot be
        // chosen through public APIs, so the run span, made last, cannot be the stages' parent); none is its own parent.
        var runContext = PipelineTelemetry.RunSpanId(result.RunId);
        var run = Assert.Single(spans, s => s.DisplayName == $"datamesh.run {product.Id}");
        Assert.All(spans, s => Assert.Equal(runContext, s.ParentSpanId));
        Assert.All(spans, s => Assert.True(s.HasRemoteParent));
        Assert.DoesNotContain(spans, s => s.SpanId == runContext);
        Assert.Equal(spans.Count, spans.Select(s => s.SpanId).Distinct().Count());
        var stages = spans.Where(s => s != run).ToList();
        Assert.Equal(Stages.Order(StringComparer.Ordinal), stages.Select(s => (string)s.GetTagItem(TelemetryAttributes.Stage)!).Order(StringComparer.Ordinal));
        Assert.All(stages, s => Assert.Equal($"datamesh.{s.GetTagItem(TelemetryAttributes.Stage)}", s.DisplayName));
        Assert.All(stages, s => Assert.Equal(1, s.GetTagItem(TelemetryAttributes.Attempt)));
        Assert.All(stages, s => Assert.Equal(ActivityStatusCode.Ok, s.Status));
        Assert.All(stages, s => Assert.InRange(s.StartTimeUtc, run.StartTimeUtc, run.StartTimeUtc + run.Duration));

        // Attributes: product, domain, version and run on every span; rows, bytes and release where they are known.
        Assert.All(spans, s =>
        {
            Assert.Equal(product.Id, s.GetTagItem(TelemetryAttributes.Product));
            Assert.Equal(product.Domain, s.GetTagItem(TelemetryAttributes.Domain));
            Assert.Equal("1.0.0", s.GetTagItem(TelemetryAttributes.Version));
            Assert.Equal(result.RunId, s.GetTagItem(TelemetryAttributes.RunId));
        });
        var rows = (long)TestProduct.ExpectedRows(100);
        var ingest = Stage(stages, "ingest");
        Assert.Equal(new FileInfo(input).Length, ingest.GetTagItem(TelemetryAttributes.Bytes));
        Assert.Equal("orders/orders-1.csv", ingest.GetTagItem(TelemetryAttributes.Blob));
        Assert.Equal(rows, Stage(stages, "transform").GetTagItem(TelemetryAttributes.Rows));
        Assert.Equal(true, Stage(stages, "transform").GetTagItem(TelemetryAttributes.QualityMeasured));
        var quality = Stage(stages, "quality");
        Assert.Equal(true, quality.GetTagItem(TelemetryAttributes.QualityPassed));
        Assert.Equal(0, quality.GetTagItem(TelemetryAttributes.QualityFailedRules));
        var publish = Stage(stages, "publish");
        Assert.Equal(1, publish.GetTagItem(TelemetryAttributes.Release));
        Assert.Equal(rows, publish.GetTagItem(TelemetryAttributes.Rows));
        Assert.True((long)publish.GetTagItem(TelemetryAttributes.Bytes)! > 0);
        Assert.Equal(1, run.GetTagItem(TelemetryAttributes.Release));
        Assert.Equal(rows, run.GetTagItem(TelemetryAttributes.Rows));
        Assert.Equal("Published", run.GetTagItem(TelemetryAttributes.Status));
        Assert.Equal(ActivityStatusCode.Ok, run.Status);
    }

    [Fact]
    public async Task Run_TransformStorageFailsOnce_ExportsTwoTransformSpansWithAttempts1And2AndTheTimeline()
    {
        // Arrange: the staging container vanishes once ingest has ended (the transform's upload then fails with a 404,
        // which is retried) and comes back when that failed attempt ends: a transient storage failure, no sleep.
        var (product, mesh) = await StartAsync();
        var staging = mesh.Storage.Staging(product.Domain);
        var deleted = 0;
        using var tracing = Tracing(new SpanEndHook(span =>
        {
            if ((string?)span.GetTagItem(TelemetryAttributes.Product) != product.Id)
            {
                return;
            }

            if (span.DisplayName == "datamesh.ingest" && Interlocked.Exchange(ref deleted, 1) == 0)
            {
                staging.DeleteIfExists();
            }
            else if (span.DisplayName == "datamesh.transform" && span.Status == ActivityStatusCode.Error)
            {
                staging.CreateIfNotExists();
            }
        }));

        // Act
        var result = await mesh.RunAsync(product.Id, [product.WriteOrders("orders-1.csv", rows: 60)]);

        // Assert: published on the second attempt; two transform spans, both under the run's context as the run span is.
        Assert.Equal(PipelineStatus.Published, result.Status);
        var spans = SpansOf(result.RunId);
        var run = Assert.Single(spans, s => s.DisplayName.StartsWith("datamesh.run ", StringComparison.Ordinal));
        var transforms = spans.Where(s => s.DisplayName == "datamesh.transform").OrderBy(s => s.StartTimeUtc).ToList();
        Assert.Equal(2, transforms.Count);
        Assert.Equal([1, 2], transforms.Select(s => (int)s.GetTagItem(TelemetryAttributes.Attempt)!));
        Assert.All(transforms, s => Assert.Equal(run.ParentSpanId, s.ParentSpanId));
        Assert.All(transforms, s => Assert.Equal(PipelineTelemetry.RunSpanId(result.RunId), s.ParentSpanId));
        Assert.All(transforms, s => Assert.Equal(PipelineTelemetry.TraceId(result.RunId), s.TraceId));
        Assert.Equal(ActivityStatusCode.Error, transforms[0].Status);
        Assert.Equal("failed", transforms[0].GetTagItem(TelemetryAttributes.Outcome));
        Assert.Contains(transforms[0].Events, e => e.Name == "exception");
        Assert.Equal(ActivityStatusCode.Ok, transforms[1].Status);
        Assert.Equal((long)TestProduct.ExpectedRows(60), transforms[1].GetTagItem(TelemetryAttributes.Rows));
        Assert.True(transforms[1].StartTimeUtc >= transforms[0].StartTimeUtc + transforms[0].Duration);

        // The stage timeline says the same, in the result and in the catalog's run record.
        var timeline = result.Stages.Where(s => s.Stage == "transform").ToList();
        Assert.Equal([(1, "failed"), (2, "succeeded")], timeline.Select(s => (s.Attempt, s.Outcome)));
        Assert.NotNull(timeline[0].Error);
        Assert.True(timeline[1].StartedAt >= timeline[0].EndedAt);
        Assert.Equal(["resolve", "ingest", "transform", "transform", "quality", "publish", "archive"], result.Stages.Select(s => s.Stage).Take(7));
        Assert.Contains(result.Stages, s => s.Stage == "announce" && s.Outcome == "succeeded");
        var catalogRun = Assert.Single(await mesh.Catalog.GetRunsAsync(product.Id), r => r.RunId == result.RunId);
        Assert.Equal(result.Stages.Take(7).ToList(), catalogRun.Stages);
    }

    [Fact]
    public async Task Run_Published_RecordsRunStageRowAndFreshnessMetrics()
    {
        // Arrange
        var (product, mesh) = await StartAsync();
        var measurements = new ConcurrentBag<(string Instrument, double Value, Dictionary<string, object?> Tags)>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == PipelineTelemetry.Name)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => measurements.Add((instrument.Name, value, Tags(tags))));
        listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => measurements.Add((instrument.Name, value, Tags(tags))));
        listener.Start();

        // Act
        var result = await mesh.RunAsync(product.Id, [product.WriteOrders("orders-1.csv", rows: 40)]);
        listener.RecordObservableInstruments();

        // Assert
        Assert.Equal(PipelineStatus.Published, result.Status);
        var ours = measurements.Where(m => Equals(m.Tags.GetValueOrDefault(TelemetryAttributes.Product), product.Id)).ToList();
        var runs = Assert.Single(ours, m => m.Instrument == "datamesh.runs");
        Assert.Equal(1, runs.Value);
        Assert.Equal("Published", runs.Tags[TelemetryAttributes.Status]);
        Assert.Equal(product.Domain, runs.Tags[TelemetryAttributes.Domain]);
        Assert.Equal(TestProduct.ExpectedRows(40), Assert.Single(ours, m => m.Instrument == "datamesh.rows.published").Value);
        var durations = ours.Where(m => m.Instrument == "datamesh.stage.duration").ToList();
        Assert.Equal(Stages.Order(StringComparer.Ordinal), durations.Select(m => (string)m.Tags[TelemetryAttributes.Stage]!).Distinct().Order(StringComparer.Ordinal));
        Assert.All(durations, m => Assert.Equal("succeeded", m.Tags[TelemetryAttributes.Outcome]));
        Assert.All(durations, m => Assert.True(m.Value > 0));
        Assert.DoesNotContain(ours, m => m.Instrument == "datamesh.quality.failures");
        var lag = Assert.Single(ours, m => m.Instrument == "datamesh.freshness.lag");
        Assert.InRange(lag.Value, 0, 600);
    }

    [Fact]
    public async Task Run_QualityGateFails_CountsEachFailedRuleAndMarksTheRunSpanFailed()
    {
        // Arrange
        var (product, mesh) = await StartAsync();
        using var tracing = Tracing();
        var failures = new ConcurrentBag<(string Rule, string Severity)>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == PipelineTelemetry.Name && instrument.Name == "datamesh.quality.failures")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
        {
            var t = Tags(tags);
            if (Equals(t.GetValueOrDefault(TelemetryAttributes.Product), product.Id))
            {
                failures.Add(((string)t[TelemetryAttributes.Rule]!, (string)t[TelemetryAttributes.Severity]!));
            }
        });
        listener.Start();

        // Act: a duplicate order id breaks order_id.unique.
        var result = await mesh.RunAsync(product.Id, [product.WriteOrders("orders-1.csv", rows: 20, "7,customer-x,10.00,open")]);

        // Assert
        Assert.Equal(PipelineStatus.QualityFailed, result.Status);
        Assert.Contains(("order_id.unique", "error"), failures);
        var spans = SpansOf(result.RunId);
        var run = Assert.Single(spans, s => s.DisplayName.StartsWith("datamesh.run ", StringComparison.Ordinal));
        Assert.Equal(ActivityStatusCode.Error, run.Status);
        Assert.Contains("order_id.unique", (string[])run.GetTagItem(TelemetryAttributes.QualityFailedRuleNames)!);
        var quality = Stage(spans, "quality");
        Assert.Equal(false, quality.GetTagItem(TelemetryAttributes.QualityPassed));
        Assert.True((int)quality.GetTagItem(TelemetryAttributes.QualityFailedRules)! >= 1);
        Assert.Equal(PipelineTelemetry.RunSpanId(result.RunId), run.ParentSpanId);
        Assert.Equal(run.ParentSpanId, Stage(spans, "quarantine").ParentSpanId);
        Assert.DoesNotContain(spans, s => s.DisplayName == "datamesh.publish");
    }

    [Fact]
    public async Task Run_MeshGivenAMeterFactory_RecordsOnThatFactorysMeterAndNoOtherHostSeesIt()
    {
        // Arrange: the mesh's meter factory, and another host's in the same process (its own pipeline metrics).
        using var hostServices = new ServiceCollection().AddMetrics().BuildServiceProvider();
        using var otherServices = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var hostFactory = hostServices.GetRequiredService<IMeterFactory>();
        var otherFactory = otherServices.GetRequiredService<IMeterFactory>();
        var other = new PipelineMetrics(otherFactory);
        _product = new TestProduct(_domain);
        _mesh = await _product.StartMeshAsync(azurite, options => (options.Namespace, options.MeterFactory) = (AzuriteFixture.CreateNamespace(), hostFactory));
        var host = new ConcurrentBag<string>();
        var elsewhere = new ConcurrentBag<string>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == PipelineTelemetry.Name && (instrument.Meter.Scope == hostFactory || instrument.Meter.Scope == otherFactory))
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        void Measured(Instrument instrument, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            if (Equals(Tags(tags).GetValueOrDefault(TelemetryAttributes.Product), _product!.Id))
            {
                (instrument.Meter.Scope == hostFactory ? host : elsewhere).Add(instrument.Name);
            }
        }

        listener.SetMeasurementEventCallback<long>((instrument, _, tags, _) => Measured(instrument, tags));
        listener.SetMeasurementEventCallback<double>((instrument, _, tags, _) => Measured(instrument, tags));
        listener.Start();

        // Act
        var result = await _mesh.RunAsync(_product.Id, [_product.WriteOrders("orders-1.csv", rows: 30)]);
        listener.RecordObservableInstruments();

        // Assert: the run, its stages and its freshness on the host's meter; nothing on the other host's, which has its
        // own freshness table (a process-wide one would report this product there too).
        Assert.Equal(PipelineStatus.Published, result.Status);
        Assert.Contains("datamesh.runs", host);
        Assert.Contains("datamesh.stage.duration", host);
        Assert.Contains("datamesh.freshness.lag", host);
        Assert.Empty(elsewhere);
        GC.KeepAlive(other);
    }

    [Fact]
    public void PipelineMetrics_FactoryDisposed_ItsInstrumentsEnd()
    {
        // Arrange
        var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var factory = services.GetRequiredService<IMeterFactory>();
        var metrics = new PipelineMetrics(factory);
        var ended = new ConcurrentBag<string>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Scope == factory)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
            MeasurementsCompleted = (instrument, _) => ended.Add(instrument.Name),
        };
        listener.Start();

        // Act: the host's container goes away.
        services.Dispose();

        // Assert: the meter was the factory's, and ended with it.
        Assert.Equal(["datamesh.freshness.lag", "datamesh.quality.failures", "datamesh.rows.published", "datamesh.runs", "datamesh.stage.duration"], ended.Order(StringComparer.Ordinal));
        GC.KeepAlive(metrics);
    }

    private static Activity Stage(IEnumerable<Activity> spans, string stage) =>
        Assert.Single(spans, s => s.DisplayName == $"datamesh.{stage}");

    private static Dictionary<string, object?> Tags(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var result = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var tag in tags)
        {
            result[tag.Key] = tag.Value;
        }

        return result;
    }

    private List<Activity> SpansOf(string runId)
    {
        lock (_exported)
        {
            return _exported.Where(s => (string?)s.GetTagItem(TelemetryAttributes.RunId) == runId).ToList();
        }
    }

    private List<Activity> SpansInTrace(ActivityTraceId traceId)
    {
        lock (_exported)
        {
            return _exported.Where(s => s.TraceId == traceId).ToList();
        }
    }

    /// <summary>A tracer provider listening to the pipeline's source, exporting to <see cref="_exported"/> in memory.</summary>
    private TracerProvider Tracing(BaseProcessor<Activity>? processor = null)
    {
        var builder = Sdk.CreateTracerProviderBuilder().AddSource(PipelineTelemetry.Name);
        if (processor is not null)
        {
            builder.AddProcessor(processor);
        }

        return builder.AddInMemoryExporter(new LockedList(_exported)).Build();
    }

    private async Task<(TestProduct Product, LocalMesh Mesh)> StartAsync()
    {
        _product = new TestProduct(_domain);
        _mesh = await _product.StartMeshAsync(azurite, options => options.Namespace = AzuriteFixture.CreateNamespace());
        return (_product, _mesh);
    }

    /// <summary>Runs an action when a span ends (before it is exported).</summary>
    private sealed class SpanEndHook(Action<Activity> action) : BaseProcessor<Activity>
    {
        public override void OnEnd(Activity data) => action(data);
    }

    /// <summary>The exporter's target, safe for spans ending on several threads at once.</summary>
    private sealed class LockedList(List<Activity> items) : ICollection<Activity>
    {
        public int Count
        {
            get
            {
                lock (items)
                {
                    return items.Count;
                }
            }
        }

        public bool IsReadOnly => false;

        public void Add(Activity item)
        {
            lock (items)
            {
                items.Add(item);
            }
        }

        public void Clear()
        {
            lock (items)
            {
                items.Clear();
            }
        }

        public bool Contains(Activity item)
        {
            lock (items)
            {
                return items.Contains(item);
            }
        }

        public void CopyTo(Activity[] array, int arrayIndex)
        {
            lock (items)
            {
                items.CopyTo(array, arrayIndex);
            }
        }

        public bool Remove(Activity item)
        {
            lock (items)
            {
                return items.Remove(item);
            }
        }

        public IEnumerator<Activity> GetEnumerator()
        {
            lock (items)
            {
                return items.ToList().GetEnumerator();
            }
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
