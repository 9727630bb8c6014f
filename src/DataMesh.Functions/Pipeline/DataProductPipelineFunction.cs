using DataMesh.Pipeline;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;

namespace DataMesh.Functions.Pipeline;

/// <summary>The orchestrator function: runs <see cref="DataProductPipeline"/> (deterministic; replays on every step).</summary>
public static class DataProductPipelineFunction
{
    [Function(nameof(DataProductPipeline))]
    public static Task<PipelineResult> RunAsync([OrchestrationTrigger] TaskOrchestrationContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return new DataProductPipeline().RunAsync(context, context.GetInput<PipelineRequest>()!);
    }
}
