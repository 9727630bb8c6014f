using Grpc.Core;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;

namespace DataMesh.Functions.Tests.Pipeline;

/// <summary>
/// A Durable Task client that keeps instances in memory and records what was scheduled, behaving like the Functions
/// host's client: an id that exists is refused with gRPC status <c>AlreadyExists</c>.
/// </summary>
internal sealed class RecordingDurableTaskClient() : DurableTaskClient("test")
{
    private readonly Dictionary<string, OrchestrationMetadata> _instances = new(StringComparer.Ordinal);

    public List<(TaskName Name, object? Input, string InstanceId)> Scheduled { get; } = [];

    /// <summary>When set, the existence check misses (another delivery is starting the same id right now).</summary>
    public bool HideInstancesFromQueries { get; set; }

    /// <summary>When set, scheduling fails with this exception.</summary>
    public Exception? ScheduleFailure { get; set; }

    public void AddInstance(string instanceId, OrchestrationRuntimeStatus status) =>
        _instances[instanceId] = new OrchestrationMetadata("DataProductPipeline", instanceId) { RuntimeStatus = status };

    public override Task<string> ScheduleNewOrchestrationInstanceAsync(
        TaskName orchestratorName, object? input = null, StartOrchestrationOptions? options = null, CancellationToken cancellation = default)
    {
        if (ScheduleFailure is { } failure)
        {
            throw failure;
        }

        var instanceId = options?.InstanceId ?? Guid.NewGuid().ToString("N");
        if (_instances.ContainsKey(instanceId))
        {
            throw new RpcException(new Status(StatusCode.AlreadyExists, $"An Orchestration instance with the ID {instanceId} already exists."));
        }

        AddInstance(instanceId, OrchestrationRuntimeStatus.Pending);
        Scheduled.Add((orchestratorName, input, instanceId));
        return Task.FromResult(instanceId);
    }

    public override Task<OrchestrationMetadata?> GetInstancesAsync(string instanceId, bool getInputsAndOutputs = false, CancellationToken cancellation = default) =>
        Task.FromResult(!HideInstancesFromQueries && _instances.TryGetValue(instanceId, out var metadata) ? metadata : null);

    public override ValueTask DisposeAsync() => ValueTask.CompletedTask;

    public override AsyncPageable<OrchestrationMetadata> GetAllInstancesAsync(OrchestrationQuery? filter = null) => throw new NotSupportedException();

    public override Task RaiseEventAsync(string instanceId, string eventName, object? eventPayload = null, CancellationToken cancellation = default) => throw new NotSupportedException();

    public override Task ResumeInstanceAsync(string instanceId, string? reason = null, CancellationToken cancellation = default) => throw new NotSupportedException();

    public override Task SuspendInstanceAsync(string instanceId, string? reason = null, CancellationToken cancellation = default) => throw new NotSupportedException();

    public override Task<OrchestrationMetadata> WaitForInstanceCompletionAsync(string instanceId, bool getInputsAndOutputs = false, CancellationToken cancellation = default) =>
        throw new NotSupportedException();

    public override Task<OrchestrationMetadata> WaitForInstanceStartAsync(string instanceId, bool getInputsAndOutputs = false, CancellationToken cancellation = default) =>
        throw new NotSupportedException();
}
