using DataMesh.Pipeline;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;

namespace DataMesh.Functions.Pipeline;

/// <summary>The orchestrator function scheduled by <see cref="StuckRunTimer"/>: runs <see cref="StuckRunFailure"/> (announce and clean up a stuck run).</summary>
public static class StuckRunFailureFunction
{
    [Function(nameof(StuckRunFailure))]
    public static Task<PipelineResult> RunAsync([OrchestrationTrigger] TaskOrchestrationContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return new StuckRunFailure().RunAsync(context, context.GetInput<StuckRun>()!);
    }
}
