using DurableTask.Core;
using DurableTask.Core.Exceptions;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Converters;
using CoreFailureDetails = DurableTask.Core.FailureDetails;

namespace DataMesh.Local.Durable;

/// <summary>
/// A <see cref="DurableTaskClient"/> (the client a Functions <c>[DurableClient]</c> binding hands to a function) over
/// the local engine's task hub: lets the Functions app's own trigger code schedule and observe real runs on the
/// Durable Task Framework and Azurite, outside the Functions host. Covers starting, reading, waiting for, raising
/// events to, suspending, resuming and terminating one instance; queries over many instances, purging, rewinding,
/// restarting, history and entities throw <see cref="NotSupportedException"/> saying so.
/// </summary>
/// <remarks>
/// Inputs are serialised by the engine's System.Text.Json converter; outputs, inputs and custom status are read back
/// with <see cref="JsonDataConverter.Default"/>, as the worker shims write them. Starting an id that is pending or
/// running fails with DTFx's <see cref="OrchestrationAlreadyExistsException"/>; a completed, failed or terminated
/// instance is replaced (the Durable Functions rule), unless <see cref="StartOrchestrationOptions.DedupeStatuses"/> says otherwise.
/// </remarks>
public sealed class LocalDurableTaskClient : DurableTaskClient
{
    private const string NotSupportedSuffix = "is not supported by the local engine's client (LocalDurableTaskClient): it covers one instance at a time.";

    private static readonly OrchestrationStatus[] RunningStatuses = [OrchestrationStatus.Pending, OrchestrationStatus.Running, OrchestrationStatus.ContinuedAsNew];
    private readonly LocalDurableEngine _engine;
    private readonly TaskHubClient _client;

    /// <summary>A client over <paramref name="engine"/>'s task hub; the engine owns the connection, so disposing this does nothing.</summary>
    public LocalDurableTaskClient(LocalDurableEngine engine)
        : base("local")
    {
        ArgumentNullException.ThrowIfNull(engine);
        _engine = engine;
        _client = engine.Client;
    }

    /// <inheritdoc/>
    public override async Task<string> ScheduleNewOrchestrationInstanceAsync(
        TaskName orchestratorName, object? input = null, StartOrchestrationOptions? options = null, CancellationToken cancellation = default)
    {
        var instanceId = options?.InstanceId ?? Guid.NewGuid().ToString("N");
        var dedupe = options?.DedupeStatuses is { Count: > 0 } statuses
            ? statuses.Select(s => Enum.Parse<OrchestrationStatus>(s, ignoreCase: true)).ToArray()
            : RunningStatuses;
        var tags = options?.Tags is { Count: > 0 } given ? new Dictionary<string, string>(given, StringComparer.Ordinal) : null;
        // The engine registers each orchestration without a version.
        var version = options?.Version is { } requested ? requested.Version ?? "" : "";
        var start = options?.StartAt is { } startAt
            ? _client.CreateOrchestrationInstanceAsync(orchestratorName.Name, version, instanceId, input, tags, dedupe, startAt.UtcDateTime)
            : _client.CreateOrchestrationInstanceAsync(orchestratorName.Name, version, instanceId, input, tags, dedupe);
        var instance = await start.WaitAsync(cancellation).ConfigureAwait(false);
        return instance.InstanceId;
    }

    /// <inheritdoc/>
    public override async Task<OrchestrationMetadata?> GetInstancesAsync(string instanceId, bool getInputsAndOutputs = false, CancellationToken cancellation = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(instanceId);
        var state = await _client.GetOrchestrationStateAsync(instanceId).WaitAsync(cancellation).ConfigureAwait(false);
        return state is null ? null : ToMetadata(state, getInputsAndOutputs);
    }

    /// <inheritdoc/>
    public override Task<OrchestrationMetadata> WaitForInstanceStartAsync(string instanceId, bool getInputsAndOutputs = false, CancellationToken cancellation = default) =>
        PollAsync(instanceId, getInputsAndOutputs, m => m.RuntimeStatus != OrchestrationRuntimeStatus.Pending, cancellation);

    /// <inheritdoc/>
    public override Task<OrchestrationMetadata> WaitForInstanceCompletionAsync(string instanceId, bool getInputsAndOutputs = false, CancellationToken cancellation = default) =>
        PollAsync(
            instanceId,
            getInputsAndOutputs,
            m => m.RuntimeStatus is OrchestrationRuntimeStatus.Completed or OrchestrationRuntimeStatus.Failed or OrchestrationRuntimeStatus.Terminated,
            cancellation);

    /// <inheritdoc/>
    public override Task RaiseEventAsync(string instanceId, string eventName, object? eventPayload = null, CancellationToken cancellation = default) =>
        _client.RaiseEventAsync(Instance(instanceId), eventName, eventPayload!).WaitAsync(cancellation);

    /// <inheritdoc/>
    public override Task TerminateInstanceAsync(string instanceId, TerminateInstanceOptions? options = null, CancellationToken cancellation = default)
    {
        if (options?.Recursive == true)
        {
            throw new NotSupportedException($"Recursive termination {NotSupportedSuffix}");
        }

        return _client.TerminateInstanceAsync(Instance(instanceId), options?.Output?.ToString() ?? "").WaitAsync(cancellation);
    }

    /// <inheritdoc/>
    public override Task SuspendInstanceAsync(string instanceId, string? reason = null, CancellationToken cancellation = default) =>
        _client.SuspendInstanceAsync(Instance(instanceId), reason ?? "").WaitAsync(cancellation);

    /// <inheritdoc/>
    public override Task ResumeInstanceAsync(string instanceId, string? reason = null, CancellationToken cancellation = default) =>
        _client.ResumeInstanceAsync(Instance(instanceId), reason ?? "").WaitAsync(cancellation);

    /// <inheritdoc/>
    public override AsyncPageable<OrchestrationMetadata> GetAllInstancesAsync(OrchestrationQuery? filter = null) =>
        throw new NotSupportedException($"Querying instances ({nameof(GetAllInstancesAsync)}) {NotSupportedSuffix}");

    /// <inheritdoc/>
    public override Task<Microsoft.DurableTask.Client.PurgeResult> PurgeInstanceAsync(string instanceId, PurgeInstanceOptions? options = null, CancellationToken cancellation = default) =>
        throw new NotSupportedException($"Purging ({nameof(PurgeInstanceAsync)}) {NotSupportedSuffix}");

    /// <inheritdoc/>
    public override Task<Microsoft.DurableTask.Client.PurgeResult> PurgeAllInstancesAsync(PurgeInstancesFilter filter, PurgeInstanceOptions? options = null, CancellationToken cancellation = default) =>
        throw new NotSupportedException($"Purging ({nameof(PurgeAllInstancesAsync)}) {NotSupportedSuffix}");

    /// <inheritdoc/>
    public override Task<string> RestartAsync(string instanceId, bool restartWithNewInstanceId = false, CancellationToken cancellation = default) =>
        throw new NotSupportedException($"{nameof(RestartAsync)} {NotSupportedSuffix}");

    /// <inheritdoc/>
    public override Task RewindInstanceAsync(string instanceId, string reason, CancellationToken cancellation = default) =>
        throw new NotSupportedException($"{nameof(RewindInstanceAsync)} {NotSupportedSuffix}");

    /// <summary>Nothing to release: the engine owns the task hub client.</summary>
    public override ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private static OrchestrationInstance Instance(string instanceId)
    {
        ArgumentException.ThrowIfNullOrEmpty(instanceId);
        return new OrchestrationInstance { InstanceId = instanceId };
    }

    // DTFx's own wait polls every ~2 s (DESIGN §2): the engine's poll wakes when an orchestration episode ran instead.
    private async Task<OrchestrationMetadata> PollAsync(
        string instanceId, bool getInputsAndOutputs, Func<OrchestrationMetadata, bool> done, CancellationToken cancellation)
    {
        ArgumentException.ThrowIfNullOrEmpty(instanceId);
        var state = await _engine.PollAsync(instanceId, s => s is not null && done(ToMetadata(s, getInputsAndOutputs)), cancellation).ConfigureAwait(false);
        return ToMetadata(state!, getInputsAndOutputs);
    }

    private static OrchestrationMetadata ToMetadata(OrchestrationState state, bool getInputsAndOutputs) =>
        new(state.Name, state.OrchestrationInstance.InstanceId)
        {
            // DTFx's OrchestrationStatus and the SDK's OrchestrationRuntimeStatus share their names.
            RuntimeStatus = Enum.Parse<OrchestrationRuntimeStatus>(state.OrchestrationStatus.ToString()),
            CreatedAt = Utc(state.CreatedTime),
            LastUpdatedAt = Utc(state.LastUpdatedTime),
            SerializedInput = getInputsAndOutputs ? state.Input : null,
            SerializedOutput = getInputsAndOutputs ? state.Output : null,
            SerializedCustomStatus = getInputsAndOutputs ? state.Status : null,
            FailureDetails = ToFailure(state.FailureDetails),
            Tags = state.Tags is { Count: > 0 } tags ? new Dictionary<string, string>(tags, StringComparer.Ordinal) : new Dictionary<string, string>(StringComparer.Ordinal),
            DataConverter = JsonDataConverter.Default,
        };

    private static TaskFailureDetails? ToFailure(CoreFailureDetails? failure) =>
        failure is null ? null : new TaskFailureDetails(failure.ErrorType, failure.ErrorMessage, failure.StackTrace, ToFailure(failure.InnerFailure), failure.Properties);

    private static DateTimeOffset Utc(DateTime time) =>
        new(time.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(time, DateTimeKind.Utc) : time.ToUniversalTime());
}
