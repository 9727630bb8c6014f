using DurableTask.Core;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Worker.Shims;

namespace DataMesh.Local.Durable;

/// <summary>Hosts a class-based <see cref="ITaskOrchestrator"/> in the Durable Task Framework through the SDK's shim.</summary>
public sealed class ShimOrchestrationCreator : ObjectCreator<TaskOrchestration>
{
    private readonly Func<ITaskOrchestrator> _create;
    private readonly DurableTaskShimFactory _shims;

    public ShimOrchestrationCreator(string name, Func<ITaskOrchestrator> create, DurableTaskShimFactory shims)
    {
        Name = name;
        Version = string.Empty;
        _create = create;
        _shims = shims;
    }

    public override TaskOrchestration Create() => _shims.CreateOrchestration(new TaskName(Name), _create());
}
