using DataMesh.Functions.Pipeline;
using DataMesh.Functions.Tests.Triggers;
using DataMesh.Pipeline;
using DataMesh.Triggers;
using Grpc.Core;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging.Abstractions;

namespace DataMesh.Functions.Tests.Pipeline;

public sealed class PipelineTriggerTests
{
    private readonly PipelineTrigger _trigger = new(
        new PipelineTriggerRouter(SampleMesh.Products(), SampleMesh.AzureStorage(), "finance"), NullLogger<PipelineTrigger>.Instance);

    private readonly RecordingDurableTaskClient _client = new();

    [Fact]
    public async Task RunAsync_LandingBlobArrival_SchedulesPipelineUnderTheRunId()
    {
        // Act
        await _trigger.RunAsync(BlobEvents.Base64(BlobEvents.LedgerArrival), _client, CancellationToken.None);

        // Assert
        var (name, input, instanceId) = Assert.Single(_client.Scheduled);
        Assert.Equal(nameof(DataProductPipeline), name.Name);
        var request = Assert.IsType<PipelineRequest>(input);
        Assert.Equal(SampleMesh.Ledger, request.ProductId);
        Assert.Equal([BlobEvents.LedgerBlobName], request.LandingBlobs);
        Assert.Equal(request.RunId, instanceId);
    }

    [Fact]
    public async Task RunAsync_SameDeliveryTwice_SchedulesOnce()
    {
        // Act
        await _trigger.RunAsync(BlobEvents.LedgerArrival, _client, CancellationToken.None);
        await _trigger.RunAsync(BlobEvents.Base64(BlobEvents.LedgerArrival), _client, CancellationToken.None);

        // Assert
        Assert.Single(_client.Scheduled);
    }

    [Theory]
    [InlineData(OrchestrationRuntimeStatus.Completed)]
    [InlineData(OrchestrationRuntimeStatus.Failed)]
    [InlineData(OrchestrationRuntimeStatus.Running)]
    public async Task RunAsync_RunAlreadyExists_DoesNotStartItAgain(OrchestrationRuntimeStatus status)
    {
        // Arrange: starting an id whose run ended would replace that run; the trigger must not.
        var runId = new BlobCreatedRouter(SampleMesh.Products(), SampleMesh.AzureStorage(), "finance").Route(BlobEvents.LedgerArrival).Request!.RunId;
        _client.AddInstance(runId, status);

        // Act
        await _trigger.RunAsync(BlobEvents.LedgerArrival, _client, CancellationToken.None);

        // Assert
        Assert.Empty(_client.Scheduled);
    }

    [Fact]
    public async Task RunAsync_ConcurrentDeliveryStartedItFirst_Succeeds()
    {
        // Arrange: the existence check misses, the start is refused with AlreadyExists.
        _client.HideInstancesFromQueries = true;
        await _trigger.RunAsync(BlobEvents.LedgerArrival, _client, CancellationToken.None);

        // Act
        var error = await Record.ExceptionAsync(() => _trigger.RunAsync(BlobEvents.LedgerArrival, _client, CancellationToken.None));

        // Assert
        Assert.Null(error);
        Assert.Single(_client.Scheduled);
    }

    [Fact]
    public async Task RunAsync_SchedulingFailsOtherwise_Throws()
    {
        // Arrange: anything but AlreadyExists must surface, so the queue retries the delivery.
        _client.ScheduleFailure = new RpcException(new Status(StatusCode.Unavailable, "host is shutting down"));

        // Act and assert
        await Assert.ThrowsAsync<RpcException>(() => _trigger.RunAsync(BlobEvents.LedgerArrival, _client, CancellationToken.None));
    }

    [Fact]
    public async Task RunAsync_IrrelevantEvent_SchedulesNothing()
    {
        // Act
        await _trigger.RunAsync(BlobEvents.Delivery("ledger/emea/2026-11.csv", container: "products"), _client, CancellationToken.None);

        // Assert
        Assert.Empty(_client.Scheduled);
    }

    [Fact]
    public async Task RunAsync_MalformedBody_ThrowsSoItReachesThePoisonQueue()
    {
        // Act and assert
        await Assert.ThrowsAsync<FormatException>(() => _trigger.RunAsync("garbage", _client, CancellationToken.None));
        Assert.Empty(_client.Scheduled);
    }
}
