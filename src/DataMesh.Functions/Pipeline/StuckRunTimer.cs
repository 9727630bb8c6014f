using DataMesh.Pipeline;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;

namespace DataMesh.Functions.Pipeline;

/// <summary>
/// Every 5 minutes, fails the runs of this app's task hub still pending or running past
/// <c>DataMesh__Pipeline__StuckRunAfter</c> (default 1 hour): terminated, <c>PipelineRunFailed</c> announced once with
/// the reason, workspace cleaned, landing input kept (<see cref="StuckRunSweep"/>; the local host's detector does the same).
/// </summary>
public sealed partial class StuckRunTimer(IProductRegistry products, PipelineRuntime runtime, ILoggerFactory loggerFactory)
{
    /// <summary>NCRONTAB (with seconds) of the sweep; offset from the other timers.</summary>
    public const string Schedule = "45 */5 * * * *";

    [Function(nameof(StuckRunTimer))]
    public async Task RunAsync([TimerTrigger(Schedule)] TimerInfo timer, [DurableClient] DurableTaskClient client, CancellationToken cancellationToken)
    {
        var sweep = new StuckRunSweep(client, products, runtime.Options.StuckRunAfter, loggerFactory.CreateLogger<StuckRunSweep>(), runtime.Time);
        var terminated = await sweep.CheckAsync(cancellationToken);
        if (terminated.Count > 0)
        {
            LogSwept(loggerFactory.CreateLogger<StuckRunTimer>(), terminated.Count);
        }
    }

    [LoggerMessage(EventId = 3500, Level = LogLevel.Warning, Message = "Stuck-run sweep: {Count} run(s) terminated as stuck")]
    private static partial void LogSwept(ILogger logger, int count);
}
