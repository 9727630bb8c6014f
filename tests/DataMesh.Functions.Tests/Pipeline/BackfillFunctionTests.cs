using System.Net;
using System.Text.Json;
using DataMesh.Functions.Configuration;
using DataMesh.Functions.Pipeline;
using DataMesh.Pipeline;
using DataMesh.Storage;
using DataMesh.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using static DataMesh.Functions.Tests.TestHttp;

namespace DataMesh.Functions.Tests.Pipeline;

/// <summary><c>POST api/products/{id}/backfill</c>: operators only, nothing scheduled when nothing is archived in range.</summary>
[Collection("azurite")]
public sealed class BackfillFunctionTests(AzuriteFixture azurite)
{
    private const string Url = "https://func-finance.azurewebsites.net/api/products/finance.ledger-emea/backfill";

    private readonly MeshStorage _storage = azurite.CreateSingleAccountStorage();
    private readonly ProductRegistry _products = ProductRegistry.LoadFrom(RepositoryRoot.Combine("pipelines"));

    [Fact]
    public async Task Backfill_CallerWithADomainRole_Answers403AndSchedulesNothing()
    {
        // Arrange: a validated caller of the finance domain, not the operator.
        var client = new RecordingDurableTaskClient();
        var request = Request("{}", "DataMesh.Domain.finance");

        // Act
        var response = await Function(authentication: true).RunAsync(request, "finance.ledger-emea", client, CancellationToken.None);

        // Assert
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("DataMesh.Operator", Error(response), StringComparison.Ordinal);
        Assert.Empty(client.Scheduled);
    }

    [Fact]
    public async Task Backfill_OperatorRoleForgedWhileAuthenticationIsOff_Answers403()
    {
        // Arrange: without App Service authentication the header is the client's own: never trusted.
        var client = new RecordingDurableTaskClient();

        // Act
        var response = await Function(authentication: false).RunAsync(Request("{}", "DataMesh.Operator"), "finance.ledger-emea", client, CancellationToken.None);

        // Assert
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Empty(client.Scheduled);
    }

    [Fact]
    public async Task Backfill_OperatorAndNothingArchivedInRange_Answers422WithTheReason()
    {
        // Arrange
        await _storage.EnsureDomainAsync("finance");
        var client = new RecordingDurableTaskClient();
        var body = JsonSerializer.Serialize(new { from = "2026-10-01T00:00:00Z", to = "2026-11-01T00:00:00Z" });

        // Act
        var response = await Function(authentication: true).RunAsync(Request(body, "DataMesh.Operator"), "finance.ledger-emea", client, CancellationToken.None);

        // Assert
        Assert.Equal((HttpStatusCode)422, response.StatusCode);
        Assert.Contains("finance.ledger-emea: no archived input arrived from", Error(response), StringComparison.Ordinal);
        Assert.Empty(client.Scheduled);
    }

    [Fact]
    public async Task Backfill_OperatorOverArchivedPartitions_SchedulesThePipelineFanningOutOnePartPerPartition()
    {
        // Arrange: two archived ledger files of finance.ledger-emea (partitions by period), one per release, each
        // release's manifest naming the period it wrote.
        var spec = _products.Get("finance.ledger-emea");
        await _storage.EnsureDomainAsync("finance");
        var store = new DataMesh.Publishing.ReleaseStore(_storage.Products("finance"));
        foreach (var (file, release, period) in new[] { ("oct.csv", 1, "period=2026-10"), ("nov.csv", 2, "period=2026-11") })
        {
            await _storage.Archive("finance").GetBlobClient("ledger/emea/" + file).UploadAsync(BinaryData.FromString("entry_id\n1\n"), new Azure.Storage.Blobs.Models.BlobUploadOptions
            {
                Metadata = new Dictionary<string, string>
                {
                    [ArchiveActivity.ProductMetadata] = spec.Id,
                    [ArchiveActivity.VersionMetadata] = spec.Version,
                    [ArchiveActivity.ReleaseMetadata] = release.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    [ArchiveActivity.ArrivedAtMetadata] = new DateTime(2026, 11, release, 0, 0, 0, DateTimeKind.Utc).ToString("O", System.Globalization.CultureInfo.InvariantCulture),
                },
            });
            await store.WriteManifestAsync(DataMesh.Publishing.ReleaseStore.Folder(spec.Name, spec.Version, release), new DataMesh.Publishing.ReleaseManifest
            {
                ProductId = spec.Id,
                Version = spec.Version,
                Release = release,
                RunId = $"run-{release}",
                CreatedAt = DateTimeOffset.UnixEpoch,
                Rows = 1,
                Schema = [],
                SchemaHash = "",
                Files = [],
                Changes = new DataMesh.Publishing.ReleaseChanges { Partitions = [period] },
                Quality = new QualitySummary(true, 1, []),
                Lineage = new DataMesh.Publishing.ReleaseLineage([], []),
                ContractId = "test",
            });
        }

        var client = new RecordingDurableTaskClient();

        // Act
        var response = await Function(authentication: true).RunAsync(Request("{}", "DataMesh.Operator"), spec.Id, client, CancellationToken.None);

        // Assert: the same orchestration as the local host, its request carrying the fan-out: one part per period.
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var (name, input, _) = Assert.Single(client.Scheduled);
        Assert.Equal(nameof(DataProductPipeline), name.Name);
        var request = Assert.IsType<PipelineRequest>(input);
        Assert.Equal(BackfillPlanner.Trigger, request.Trigger);
        Assert.Equal(
            ["period=2026-10 <- ledger/emea/oct.csv", "period=2026-11 <- ledger/emea/nov.csv"],
            request.Parts.Select(p => $"{p.Describe()} <- {string.Join(", ", p.ArchivedBlobs)}"));
    }

    private BackfillFunction Function(bool authentication) =>
        new(_products, _storage, new AppServiceAuthentication(authentication), TimeProvider.System, NullLogger<BackfillFunction>.Instance);

    private static TestPostRequest Request(string body, string role) => new TestPostRequest(Url, body).WithRole(role);

    private static string Error(Microsoft.Azure.Functions.Worker.Http.HttpResponseData response)
    {
        using var document = BodyJson(response);
        return document.RootElement.GetProperty("error").GetString()!;
    }
}
