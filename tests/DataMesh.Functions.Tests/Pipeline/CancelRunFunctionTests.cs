using System.Net;
using DataMesh.Functions.Configuration;
using DataMesh.Functions.Pipeline;
using DataMesh.Functions.Tests.Triggers;
using DataMesh.Pipeline;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging.Abstractions;

namespace DataMesh.Functions.Tests.Pipeline;

/// <summary><c>POST api/runs/{runId}/cancel</c>: operators only; terminates the run and starts its failure with reason <c>cancelled</c>.</summary>
public sealed class CancelRunFunctionTests
{
    private const string RunId = "finance.ledger-emea-run-1";
    private const string Url = "https://func-finance.azurewebsites.net/api/runs/" + RunId + "/cancel";

    private readonly RecordingDurableTaskClient _client = new();

    [Fact]
    public async Task CancelRun_OperatorOnARunningRun_Answers202TerminatesAndAnnouncesItCancelled()
    {
        // Arrange: a run at transform.
        var request = new PipelineRequest { RunId = RunId, ProductId = SampleMesh.Ledger, LandingBlobs = ["ledger/emea/2026-12-01.csv"] };
        _client.AddInstance(nameof(DataProductPipeline), RunId, OrchestrationRuntimeStatus.Running, DateTimeOffset.UtcNow, request, new RunProgress("transform", 1));

        // Act
        var response = await Function(authentication: true).RunAsync(Request("DataMesh.Operator"), RunId, _client, CancellationToken.None);

        // Assert: terminated with the cancellation's reason; its failure started once, with reason 'cancelled' and the landing input kept.
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var (terminated, reason) = Assert.Single(_client.Terminated);
        Assert.Equal(RunId, terminated);
        Assert.StartsWith(RunCancellation.Marker, Assert.IsType<string>(reason), StringComparison.Ordinal);
        Assert.Contains("at stage transform", (string)reason!, StringComparison.Ordinal);
        var (name, input, instanceId) = Assert.Single(_client.Scheduled);
        Assert.Equal((nameof(StuckRunFailure), StuckRunFailure.InstanceId(RunId)), (name.Name, instanceId));
        var failure = Assert.IsType<StuckRun>(input);
        Assert.Equal(RunCancellation.Reason, failure.Cause);
        Assert.Equal(request.LandingBlobs, failure.LandingBlobs);
    }

    [Fact]
    public async Task CancelRun_CallerWithADomainRole_Answers403AndTerminatesNothing()
    {
        // Arrange
        _client.AddInstance(nameof(DataProductPipeline), RunId, OrchestrationRuntimeStatus.Running, DateTimeOffset.UtcNow, new PipelineRequest { RunId = RunId, ProductId = SampleMesh.Ledger }, null);

        // Act
        var response = await Function(authentication: true).RunAsync(Request("DataMesh.Domain.finance"), RunId, _client, CancellationToken.None);

        // Assert
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Empty(_client.Terminated);
    }

    [Fact]
    public async Task CancelRun_OperatorRoleForgedWhileAuthenticationIsOff_Answers403()
    {
        // Arrange
        _client.AddInstance(nameof(DataProductPipeline), RunId, OrchestrationRuntimeStatus.Running, DateTimeOffset.UtcNow, new PipelineRequest { RunId = RunId, ProductId = SampleMesh.Ledger }, null);

        // Act
        var response = await Function(authentication: false).RunAsync(Request("DataMesh.Operator"), RunId, _client, CancellationToken.None);

        // Assert
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Empty(_client.Terminated);
    }

    [Fact]
    public async Task CancelRun_UnknownOrEndedRun_Answers404Or409()
    {
        // Arrange
        _client.AddInstance(nameof(DataProductPipeline), RunId, OrchestrationRuntimeStatus.Completed, DateTimeOffset.UtcNow, new PipelineRequest { RunId = RunId, ProductId = SampleMesh.Ledger }, null);

        // Act
        var unknown = await Function(authentication: true).RunAsync(Request("DataMesh.Operator"), "no-such-run", _client, CancellationToken.None);
        var ended = await Function(authentication: true).RunAsync(Request("DataMesh.Operator"), RunId, _client, CancellationToken.None);

        // Assert
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, ended.StatusCode);
        Assert.Empty(_client.Terminated);
    }

    private static CancelRunFunction Function(bool authentication) =>
        new(SampleMesh.Products(), new AppServiceAuthentication(authentication), NullLoggerFactory.Instance);

    private static TestPostRequest Request(string role) => new TestPostRequest(Url, "").WithRole(role);
}
