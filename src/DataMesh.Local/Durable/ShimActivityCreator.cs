using DurableTask.Core;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Worker.Shims;

namespace DataMesh.Local.Durable;

/// <summary>Hosts a class-based <see cref="ITaskActivity"/> in the Durable Task Framework through the SDK's shim.</summary>
public sealed class ShimActivityCreator : ObjectCreator<TaskActivity>
{
    private readonly Func<ITaskActivity> _create;
    private readonly DurableTaskShimFactory _shims;

    public ShimActivityCreator(string name, Func<ITaskActivity> create, DurableTaskShimFactory shims)
    {
        Name = name;
        Version = string.Empty;
        _create = create;
        _shims = shims;
    }

    public override TaskActivity Create() => _shims.CreateActivity(new TaskName(Name), _create());
}
