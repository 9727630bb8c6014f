using Azure.Monitor.OpenTelemetry.Exporter;
using DataMesh.Telemetry;
using Microsoft.Azure.Functions.Worker.OpenTelemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace DataMesh.Functions.Configuration;

/// <summary>
/// The app's OpenTelemetry: the pipeline's traces and metrics (<see cref="PipelineTelemetry.Name"/>) exported to
/// Application Insights with the app's managed identity (the component accepts no key), and to an OTLP endpoint when
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set (local runs of the app).
/// </summary>
internal static class TelemetryServiceCollectionExtensions
{
    /// <summary>App setting with the Application Insights connection string (an ingestion endpoint and key id, no secret).</summary>
    public const string ConnectionStringSetting = "APPLICATIONINSIGHTS_CONNECTION_STRING";

    public const string OtlpEndpointSetting = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>Adds the exporters the configuration asks for; without any, spans and metrics are still made but not exported.</summary>
    public static IServiceCollection AddDataMeshTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var telemetry = services.AddOpenTelemetry()
            .UseFunctionsWorkerDefaults()
            .ConfigureResource(resource => resource.AddService("datamesh-" + (configuration["DataMesh:Domain"] ?? "functions")))
            .WithTracing(tracing => tracing.AddSource(PipelineTelemetry.Name))
            .WithMetrics(metrics => metrics.AddMeter(PipelineTelemetry.Name));

        if (configuration[ConnectionStringSetting] is { Length: > 0 } connectionString)
        {
            // Entra ID ingestion: local auth is disabled on the component and the identity holds Monitoring Metrics Publisher.
            var credential = AppCredential.For(configuration[DataMeshServiceCollectionExtensions.ClientIdSetting]);
            telemetry
                .WithTracing(tracing => tracing.AddAzureMonitorTraceExporter(o => (o.ConnectionString, o.Credential) = (connectionString, credential)))
                .WithMetrics(metrics => metrics.AddAzureMonitorMetricExporter(o => (o.ConnectionString, o.Credential) = (connectionString, credential)));
        }

        if (configuration[OtlpEndpointSetting] is { Length: > 0 })
        {
            telemetry.WithTracing(tracing => tracing.AddOtlpExporter()).WithMetrics(metrics => metrics.AddOtlpExporter());
        }

        return services;
    }
}
