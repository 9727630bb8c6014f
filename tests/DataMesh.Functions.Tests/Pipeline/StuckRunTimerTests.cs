using DataMesh.Events;
using DataMesh.Functions.Pipeline;
using DataMesh.Functions.Tests.Triggers;
using DataMesh.Pipeline;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging.Abstractions;

namespace DataMesh.Functions.Tests.Pipeline;

/// <summary>
/// The Functions app's stuck-run timer over a Durable client that behaves like the host's (instances queried by status
/// and creation time, terminations kept with their reason): a run pending or running past
/// <c>DataMesh__Pipeline__StuckRunAfter</c> is terminated and its failure scheduled once.
/// </summary>
public sealed class StuckRunTimerTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);
    private const string RunId = "run-stuck-1";

    private readonly RecordingDurableTaskClient _client = new();
    private readonly StuckRunTimer _timer;

    public StuckRunTimerTests()
    {
        var storage = SampleMesh.AzureStorage();
        var products = SampleMesh.Products();
        var runtime = new PipelineRuntime(
            storage, products, new QueueProductEventPublisher(storage), new PipelineOptions { StuckRunAfter = TimeSpan.FromHours(1) }, NullLoggerFactory.Instance, new FixedTime(Now));
        _timer = new StuckRunTimer(products, runtime, NullLoggerFactory.Instance);
    }

    [Fact]
    public async Task RunAsync_RunPastTheBound_TerminatedWithTheReasonAndItsFailureScheduledOnce()
    {
        // Arrange: a run started 90 minutes ago, still at transform (its activity was lost with its worker).
        var request = new PipelineRequest { RunId = RunId, ProductId = SampleMesh.Ledger, LandingBlobs = ["ledger/emea/2026-12-01.csv"] };
        _client.AddInstance(nameof(DataProductPipeline), RunId, OrchestrationRuntimeStatus.Running, Now.AddMinutes(-90), request, new RunProgress("transform", 1));

        // Act: two passes (a second timer firing must not announce it again).
        await _timer.RunAsync(null!, _client, CancellationToken.None);
        await _timer.RunAsync(null!, _client, CancellationToken.None);

        // Assert
        var (terminated, reason) = Assert.Single(_client.Terminated);
        Assert.Equal(RunId, terminated);
        Assert.StartsWith(StuckRunSweep.Marker, Assert.IsType<string>(reason), StringComparison.Ordinal);
        Assert.Contains("at stage transform", (string)reason!, StringComparison.Ordinal);
        var (name, input, instanceId) = Assert.Single(_client.Scheduled);
        Assert.Equal(nameof(StuckRunFailure), name.Name);
        Assert.Equal(StuckRunFailure.InstanceId(RunId), instanceId);
        var stuck = Assert.IsType<StuckRun>(input);
        Assert.Equal((RunId, SampleMesh.Ledger, "transform"), (stuck.RunId, stuck.ProductId, stuck.Stage));
        Assert.Equal(request.LandingBlobs, stuck.LandingBlobs);
        Assert.Equal(reason, stuck.Reason);
    }

    [Theory]
    [InlineData(BackfillPlanner.Trigger, "its archived inputs kept in the archive: run the backfill again")]
    [InlineData("blob", "its landing input left in landing: drop it again or replay it")]
    public async Task RunAsync_RunPastTheBound_ReasonSaysWhereItsInputsStay(string trigger, string stays)
    {
        // Arrange: a backfill reads its inputs from the archive (nothing of it is in landing); a landing run's stays there.
        var request = new PipelineRequest { RunId = RunId, ProductId = SampleMesh.Ledger, Trigger = trigger };
        _client.AddInstance(nameof(DataProductPipeline), RunId, OrchestrationRuntimeStatus.Running, Now.AddMinutes(-90), request, new RunProgress("transform", 1));

        // Act
        await _timer.RunAsync(null!, _client, CancellationToken.None);

        // Assert
        var (_, reason) = Assert.Single(_client.Terminated);
        Assert.EndsWith(stays, Assert.IsType<string>(reason), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_RunWithinTheBound_LeftRunning()
    {
        // Arrange
        var request = new PipelineRequest { RunId = RunId, ProductId = SampleMesh.Ledger };
        _client.AddInstance(nameof(DataProductPipeline), RunId, OrchestrationRuntimeStatus.Running, Now.AddMinutes(-30), request, new RunProgress("transform", 1));

        // Act
        await _timer.RunAsync(null!, _client, CancellationToken.None);

        // Assert
        Assert.Empty(_client.Terminated);
        Assert.Empty(_client.Scheduled);
        Assert.Equal(OrchestrationRuntimeStatus.Running, _client.Instance(RunId)!.RuntimeStatus);
    }

    [Fact]
    public async Task RunAsync_RunTerminatedByAnOperator_NotAnnouncedAsStuck()
    {
        // Arrange: a termination without the sweep's marker is someone else's decision.
        var request = new PipelineRequest { RunId = RunId, ProductId = SampleMesh.Ledger };
        _client.AddInstance(nameof(DataProductPipeline), RunId, OrchestrationRuntimeStatus.Running, Now.AddMinutes(-90), request, null);
        await _client.TerminateInstanceAsync(RunId, new TerminateInstanceOptions("stopped by hand"));
        _client.Terminated.Clear();

        // Act
        await _timer.RunAsync(null!, _client, CancellationToken.None);

        // Assert
        Assert.Empty(_client.Terminated);
        Assert.Empty(_client.Scheduled);
    }

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
