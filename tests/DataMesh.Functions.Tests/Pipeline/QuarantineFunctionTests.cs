using System.Net;
using System.Text.Json;
using DataMesh.Functions.Configuration;
using DataMesh.Functions.Pipeline;
using DataMesh.Pipeline;
using DataMesh.Quarantine;
using DataMesh.Storage;
using DataMesh.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace DataMesh.Functions.Tests.Pipeline;

/// <summary>
/// <c>POST api/products/{id}/quarantine/replay</c> and <c>GET .../quarantine/file</c>: operators only; a replay moves the
/// file back to landing and schedules a new run over it.
/// </summary>
[Collection("azurite")]
public sealed class QuarantineFunctionTests(AzuriteFixture azurite)
{
    private const string Url = "https://func-finance.azurewebsites.net/api/products/finance.ledger-emea/quarantine/replay";

    private readonly MeshStorage _storage = azurite.CreateSingleAccountStorage();
    private readonly ProductRegistry _products = ProductRegistry.LoadFrom(RepositoryRoot.Combine("pipelines"));

    [Fact]
    public async Task Replay_CallerWithADomainRole_Answers403AndMovesNothing()
    {
        // Arrange
        var name = await QuarantineAsync();
        var client = new RecordingDurableTaskClient();

        // Act
        var response = await Function().ReplayAsync(Request(JsonSerializer.Serialize(new { file = name }), "DataMesh.Domain.finance"), "finance.ledger-emea", client, CancellationToken.None);

        // Assert
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Empty(client.Scheduled);
        Assert.True(await _storage.Quarantine("finance").GetBlobClient(name).ExistsAsync());
    }

    [Fact]
    public async Task Replay_Operator_MovesTheFileBackToLandingAndSchedulesANewReplayRun()
    {
        // Arrange
        var name = await QuarantineAsync();
        var client = new RecordingDurableTaskClient();

        // Act
        var response = await Function().ReplayAsync(Request(JsonSerializer.Serialize(new { file = name }), "DataMesh.Operator"), "finance.ledger-emea", client, CancellationToken.None);

        // Assert: in landing again, out of quarantine with its record, and one run over it under a new id.
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var (_, input, instanceId) = Assert.Single(client.Scheduled);
        var request = Assert.IsType<PipelineRequest>(input);
        Assert.Equal((instanceId, QuarantineClient.ReplayTrigger, name), (request.RunId, request.Trigger, Assert.Single(request.LandingBlobs)));
        Assert.StartsWith("finance.ledger-emea-replay-", instanceId, StringComparison.Ordinal);
        Assert.True(await _storage.Landing("finance").GetBlobClient(name).ExistsAsync());
        Assert.False(await _storage.Quarantine("finance").GetBlobClient(name).ExistsAsync());
        Assert.False(await _storage.Quarantine("finance").GetBlobClient(name + QuarantineClient.ErrorSuffix).ExistsAsync());
    }

    /// <summary>A file of finance.ledger-emea in quarantine with its record, as a failed run leaves it.</summary>
    private async Task<string> QuarantineAsync()
    {
        await _storage.EnsureDomainAsync("finance");
        var name = $"ledger/emea/q-{Guid.NewGuid():N}.csv";
        var quarantine = _storage.Quarantine("finance");
        await quarantine.GetBlobClient(name).UploadAsync(BinaryData.FromString("entry_id,amount\n1,2.00\n"));
        await quarantine.GetBlobClient(name + QuarantineClient.ErrorSuffix).UploadAsync(BinaryData.FromObjectAsJson(new
        {
            product = "finance.ledger-emea", version = "1.0.0", runId = "r1", blob = name, stage = "quality", reason = "rule failed", quarantinedAt = DateTimeOffset.UtcNow,
        }));
        return name;
    }

    private QuarantineFunction Function() =>
        new(_products, _storage, new AppServiceAuthentication(enabled: true), NullLogger<QuarantineFunction>.Instance);

    private static TestPostRequest Request(string body, string role) => new TestPostRequest(Url, body).WithRole(role);
}
