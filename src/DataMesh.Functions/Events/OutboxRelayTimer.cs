using DataMesh.Events;
using DataMesh.Pipeline;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace DataMesh.Functions.Events;

/// <summary>
/// Every 5 minutes, re-sends the announcements this app's outbox still holds (every attempt of the pipeline's announce
/// step failed, or the host died in between) once they are older than <see cref="OutboxRelay.DefaultGracePeriod"/>.
/// </summary>
public sealed partial class OutboxRelayTimer(PipelineRuntime runtime, ILoggerFactory loggerFactory)
{
    /// <summary>NCRONTAB (with seconds) of the sweep; offset from the freshness check.</summary>
    public const string Schedule = "30 */5 * * * *";

    [Function(nameof(OutboxRelayTimer))]
    public async Task RunAsync([TimerTrigger(Schedule)] TimerInfo timer, CancellationToken cancellationToken)
    {
        var relay = new OutboxRelay(runtime.Outbox, runtime.Events, loggerFactory.CreateLogger<OutboxRelay>(), runtime.Time);
        var result = await relay.RelayAsync(cancellationToken: cancellationToken);
        if (result.Sent + result.Failed > 0)
        {
            LogSwept(loggerFactory.CreateLogger<OutboxRelayTimer>(), result.Sent, result.Failed);
        }
    }

    [LoggerMessage(EventId = 3400, Level = LogLevel.Information, Message = "Outbox sweep: {Sent} event(s) re-sent, {Failed} still pending")]
    private static partial void LogSwept(ILogger logger, int sent, int failed);
}
