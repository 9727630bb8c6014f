using Grpc.Core;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Converters;

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

    /// <summary>The instances terminated, with the output (reason) given.</summary>
    public List<(string InstanceId, object? Output)> Terminated { get; } = [];

    public void AddInstance(string instanceId, OrchestrationRuntimeStatus status) =>
        _instances[instanceId] = new OrchestrationMetadata("DataProductPipeline", instanceId) { RuntimeStatus = status };

    /// <summary>Adds an instance as the host stores it: created at <paramref name="createdAt"/>, its input and custom status serialised.</summary>
    public void AddInstance(string name, string instanceId, OrchestrationRuntimeStatus status, DateTimeOffset createdAt, object? input, object? customStatus) =>
        _instances[instanceId] = new OrchestrationMetadata(name, instanceId)
        {
            RuntimeStatus = status,
            CreatedAt = createdAt,
            LastUpdatedAt = createdAt,
            SerializedInput = input is null ? null : JsonDataConverter.Default.Serialize(input),
            SerializedCustomStatus = customStatus is null ? null : JsonDataConverter.Default.Serialize(customStatus),
            DataConverter = JsonDataConverter.Default,
        };

    public OrchestrationMetadata? Instance(string instanceId) => _instances.GetValueOrDefault(instanceId);

    /// <summary>Terminates at once (the host does it when the instance's queue is processed), keeping the output serialised as the host does.</summary>
    public override Task TerminateInstanceAsync(string instanceId, TerminateInstanceOptions? options = null, CancellationToken cancellation = default)
    {
        var instance = _instances[instanceId];
        Terminated.Add((instanceId, options?.Output));
        _instances[instanceId] = new OrchestrationMetadata(instance.Name, instanceId)
        {
            RuntimeStatus = OrchestrationRuntimeStatus.Terminated,
            CreatedAt = instance.CreatedAt,
            LastUpdatedAt = instance.LastUpdatedAt,
            SerializedInput = instance.SerializedInput,
            SerializedCustomStatus = instance.SerializedCustomStatus,
            SerializedOutput = options?.Output is null ? null : JsonDataConverter.Default.Serialize(options.Output),
            DataConverter = JsonDataConverter.Default,
        };
        return Task.CompletedTask;
    }

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

        _instances[instanceId] = new OrchestrationMetadata(orchestratorName.Name, instanceId) { RuntimeStatus = OrchestrationRuntimeStatus.Pending };
        Scheduled.Add((orchestratorName, input, instanceId));
        return Task.FromResult(instanceId);
    }

    public override Task<OrchestrationMetadata?> GetInstancesAsync(string instanceId, bool getInputsAndOutputs = false, CancellationToken cancellation = default) =>
        Task.FromResult(!HideInstancesFromQueries && _instances.TryGetValue(instanceId, out var metadata) ? metadata : null);

    public override ValueTask DisposeAsync() => ValueTask.CompletedTask;

    /// <summary>One page of the instances matching the filter's statuses and creation bound (the host filters the same way).</summary>
    public override AsyncPageable<OrchestrationMetadata> GetAllInstancesAsync(OrchestrationQuery? filter = null) =>
        Pageable.Create((string? _, int? _, CancellationToken _) => Task.FromResult(new Page<OrchestrationMetadata>(
            [.. _instances.Values.Where(m =>
                (filter?.Statuses is not { } statuses || statuses.Contains(m.RuntimeStatus))
                && (filter?.CreatedTo is not { } to || m.CreatedAt <= to)
                && (filter?.CreatedFrom is not { } from || m.CreatedAt >= from))],
            continuationToken: null)));

    public override Task RaiseEventAsync(string instanceId, string eventName, object? eventPayload = null, CancellationToken cancellation = default) => throw new NotSupportedException();

    public override Task ResumeInstanceAsync(string instanceId, string? reason = null, CancellationToken cancellation = default) => throw new NotSupportedException();

    public override Task SuspendInstanceAsync(string instanceId, string? reason = null, CancellationToken cancellation = default) => throw new NotSupportedException();

    public override Task<OrchestrationMetadata> WaitForInstanceCompletionAsync(string instanceId, bool getInputsAndOutputs = false, CancellationToken cancellation = default) =>
        throw new NotSupportedException();

    public override Task<OrchestrationMetadata> WaitForInstanceStartAsync(string instanceId, bool getInputsAndOutputs = false, CancellationToken cancellation = default) =>
        throw new NotSupportedException();
}
