using DataMesh.Pipeline;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DataMesh.Functions.Configuration;

/// <summary>
/// Loads the product specs when the worker starts, so an invalid spec, specs that are wrong together (overlapping landing
/// paths, an upstream not in the mesh: <see cref="DataMesh.Specs.MeshSpecChecks"/>), a domain without products or a missing
/// masking key (<see cref="MaskingKeyCheck"/>) stops the app at start-up with what to fix, rather than failing the first run.
/// </summary>
internal sealed partial class StartupProductCheck(ProductRegistry products, IOptions<DataMeshAppOptions> options, ILogger<StartupProductCheck> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (MaskingKeyCheck.Problem(options.Value, products) is { } problem)
        {
            throw new InvalidOperationException(problem);
        }

        var domain = options.Value.Domain;
        var served = products.All.Where(p => p.Domain == domain).Select(p => $"{p.Id}@{p.Version}").ToList();
        LogServing(logger, domain, served.Count, string.Join(", ", served));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 3000, Level = LogLevel.Information, Message = "Domain {Domain}: serving {Count} product(s): {Products}")]
    private static partial void LogServing(ILogger logger, string domain, int count, string products);
}
