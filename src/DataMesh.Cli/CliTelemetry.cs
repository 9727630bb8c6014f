using System.Diagnostics;
using System.Globalization;
using System.Text;
using DataMesh.Telemetry;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace DataMesh.Cli;

/// <summary>
/// The local host's exporters of the pipeline's traces and metrics: OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set
/// (the exporter reads the standard <c>OTEL_*</c> variables), one line per span on stderr when
/// <c>DATAMESH_TRACE=console</c> (stdout stays for what a command reports), otherwise none: nothing listens, and the
/// pipeline pays a listener check per span.
/// </summary>
internal sealed class CliTelemetry : IDisposable
{
    /// <summary>Environment variable that turns on span lines on stderr: <c>console</c>.</summary>
    public const string TraceVariable = "DATAMESH_TRACE";

    public const string OtlpEndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";

    private readonly TracerProvider _tracing;
    private readonly MeterProvider _metrics;

    private CliTelemetry(TracerProvider tracing, MeterProvider metrics)
    {
        _tracing = tracing;
        _metrics = metrics;
    }

    /// <summary>The exporters the environment asks for, or null when it asks for none.</summary>
    public static CliTelemetry? FromEnvironment()
    {
        var otlp = !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(OtlpEndpointVariable));
        var console = string.Equals(Environment.GetEnvironmentVariable(TraceVariable), "console", StringComparison.OrdinalIgnoreCase);
        if (!otlp && !console)
        {
            return null;
        }

        var tracing = Sdk.CreateTracerProviderBuilder().ConfigureResource(Resource).AddSource(PipelineTelemetry.Name);
        var metrics = Sdk.CreateMeterProviderBuilder().ConfigureResource(Resource).AddMeter(PipelineTelemetry.Name);
        if (otlp)
        {
            tracing.AddOtlpExporter();
            metrics.AddOtlpExporter();
        }

        if (console)
        {
            tracing.AddProcessor(new SimpleActivityExportProcessor(new StderrSpanExporter()));
        }

        return new CliTelemetry(tracing.Build(), metrics.Build());
    }

    /// <summary>Flushes what is buffered and stops exporting.</summary>
    public void Dispose()
    {
        _tracing.Dispose();
        _metrics.Dispose();
    }

    private static void Resource(ResourceBuilder resource) => resource.AddService("datamesh", serviceVersion: typeof(CliTelemetry).Assembly.GetName().Version?.ToString());

    /// <summary>One line per ended span on stderr: name, duration, ids (trace/span ← parent), status and attributes.</summary>
    private sealed class StderrSpanExporter : BaseExporter<Activity>
    {
        public override ExportResult Export(in Batch<Activity> batch)
        {
            var line = new StringBuilder();
            foreach (var span in batch)
            {
                line.Clear();
                line.Append(CultureInfo.InvariantCulture, $"trace {span.DisplayName} {span.Duration.TotalMilliseconds:N0} ms ");
                line.Append(CultureInfo.InvariantCulture, $"{span.TraceId}/{span.SpanId}<-{span.ParentSpanId} {span.Status}");
                foreach (var (key, value) in span.TagObjects)
                {
                    line.Append(' ').Append(key).Append('=').Append(value is Array array ? string.Join(',', array.Cast<object>()) : value);
                }

                Console.Error.WriteLine(line.ToString());
            }

            return ExportResult.Success;
        }
    }
}
