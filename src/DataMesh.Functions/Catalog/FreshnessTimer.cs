using DataMesh.Catalog;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace DataMesh.Functions.Catalog;

/// <summary>
/// Every 5 minutes, announces <c>DataMesh.FreshnessBreached</c> for each product of this app whose newest release is
/// older than its SLA — once per breach (<see cref="FreshnessMonitor"/> remembers what it announced).
/// </summary>
public sealed partial class FreshnessTimer(FreshnessMonitor monitor, ILogger<FreshnessTimer> logger)
{
    /// <summary>NCRONTAB (with seconds) of the check.</summary>
    public const string Schedule = "0 */5 * * * *";

    [Function(nameof(FreshnessTimer))]
    public async Task RunAsync([TimerTrigger(Schedule)] TimerInfo timer, CancellationToken cancellationToken)
    {
        foreach (var breach in await monitor.CheckAsync(cancellationToken))
        {
            LogBreach(logger, breach.ProductId, breach.Freshness, breach.Since);
        }
    }

    [LoggerMessage(EventId = 3300, Level = LogLevel.Warning, Message = "{ProductId} breached its freshness SLA {Freshness}: newest data since {Since}")]
    private static partial void LogBreach(ILogger logger, string productId, string freshness, DateTimeOffset since);
}
