using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;

namespace DataMesh.Functions.Pipeline;

/// <summary>The activity context handed to a Core activity run by a Functions activity trigger.</summary>
internal sealed class FunctionActivityContext(TaskName name, string instanceId) : TaskActivityContext
{
    private const string InstanceIdBinding = "instanceId";

    public override TaskName Name { get; } = name;

    public override string InstanceId { get; } = instanceId;

    /// <summary>The context of activity <paramref name="activityName"/>, with the orchestration instance id the trigger bound.</summary>
    public static FunctionActivityContext For(string activityName, FunctionContext functionContext)
    {
        ArgumentNullException.ThrowIfNull(functionContext);
        var instanceId = functionContext.BindingContext.BindingData.TryGetValue(InstanceIdBinding, out var value) ? value?.ToString() : null;
        return new FunctionActivityContext(activityName, instanceId ?? "");
    }
}
