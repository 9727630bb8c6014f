using System.Text.Json;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using DataMesh.Catalog;
using DataMesh.Core.Tests.Events;
using DataMesh.Events;
using DataMesh.Pipeline;
using DataMesh.Storage;
using DataMesh.Testing;

namespace DataMesh.Core.Tests.Catalog;

/// <summary>
/// A release takes the files it read off the product's quarantine list in the catalog: those quarantined before it, no
/// other, reading only their rows.
/// </summary>
[Collection("azurite")]
public sealed class CatalogQuarantineClearTests(AzuriteFixture azurite)
{
    private static readonly DateTimeOffset T0 = SampleEvents.BaseTime;

    [Fact]
    public async Task ApplyAsync_ReleaseReadsQuarantinedFiles_ClearsThoseQuarantinedBeforeItAndNoOther()
    {
        // Arrange: a.csv, a.csv~1 (a name that begins with a.csv's key), b.csv and a refused name quarantined at T0+1h;
        // a.csv quarantined again at T0+3h, after the release of T0+2h that read a.csv and b.csv.
        var storage = azurite.CreateMeshStorage();
        var projection = new CatalogProjection(storage);
        await projection.ApplyAsync(ProductEventFactory.CreatePipelineRunFailed(Failed("run-1", T0.AddHours(1), "ledger/a.csv", "ledger/a.csv~1", "ledger/b.csv", LandingBlobNames.RefusedNamesFolder + "x.csv")));
        await projection.ApplyAsync(ProductEventFactory.CreatePipelineRunFailed(Failed("run-3", T0.AddHours(3), "ledger/a.csv")));
        var release = ProductEventFactory.CreateProductVersionPublished(Released(T0.AddHours(2), "ledger/a.csv", "ledger/b.csv"));

        // Act: delivered twice, as a redelivery may.
        await projection.ApplyAsync(release);
        await projection.ApplyAsync(release);

        // Assert: b.csv and run-1's a.csv are gone; run-3's a.csv, a.csv~1 and the refused name stay (newest first, then by key).
        var listed = await new CatalogReader(storage).GetQuarantineAsync("finance.ledger-emea", 100);
        Assert.Equal(
            [("ledger/a.csv", "run-3"), (LandingBlobNames.RefusedNamesFolder + "x.csv", "run-1"), ("ledger/a.csv~1", "run-1")],
            listed.Select(f => (f.File, f.RunId)));
        Assert.Equal(3, await CatalogBatchesTests.CountAsync(storage.Table(CatalogTables.Quarantine)));
    }

    [Fact]
    public async Task ApplyAsync_ReleaseAfterManyQuarantinedFiles_ReadsOnlyTheRowsOfTheFileItRead()
    {
        // Arrange: one failed run quarantined 40 files; the release reads one of them. Tables reached through a policy
        // that counts the rows the quarantine tables answer.
        var reads = new QuarantineRowsRead();
        var tableOptions = new TableClientOptions();
        tableOptions.AddPolicy(reads, HttpPipelinePosition.PerCall);
        var storage = new MeshStorage(
            new BlobServiceClient(azurite.ConnectionString),
            new QueueServiceClient(azurite.ConnectionString),
            new TableServiceClient(azurite.ConnectionString, tableOptions),
            new MeshStorageOptions { Namespace = AzuriteFixture.CreateNamespace() });
        var projection = new CatalogProjection(storage);
        var files = Enumerable.Range(0, 40).Select(i => $"ledger/{i:D2}.csv").ToArray();
        await projection.ApplyAsync(ProductEventFactory.CreatePipelineRunFailed(Failed("run-1", T0.AddHours(1), files)));
        reads.Rows = 0;

        // Act
        await projection.ApplyAsync(ProductEventFactory.CreateProductVersionPublished(Released(T0.AddHours(2), "ledger/07.csv")));

        // Assert: the file's one row was read (not the 40), and it alone left the list.
        Assert.Equal(1, reads.Rows);
        var listed = await new CatalogReader(storage).GetQuarantineAsync("finance.ledger-emea", 100);
        Assert.Equal(files.Where(f => f != "ledger/07.csv"), listed.Select(f => f.File).Order(StringComparer.Ordinal));
    }

    private static PipelineRunFailedData Failed(string runId, DateTimeOffset at, params string[] quarantined) =>
        SampleEvents.RunFailed(runId) with { Stage = "ingest", FailedAt = at, Quarantined = quarantined };

    private static ProductVersionPublishedData Released(DateTimeOffset at, params string[] landing) =>
        SampleEvents.Published(release: 1) with
        {
            Landing = [.. landing.Select(name => new LandingBlob("finance-landing", name, "\"0x8DD\"", 2048, "e3b0c442"))],
            PublishedAt = at,
        };

    /// <summary>Counts the rows (entities) the service answers to reads of the quarantine tables.</summary>
    private sealed class QuarantineRowsRead : HttpPipelinePolicy
    {
        private int _rows;

        public int Rows
        {
            get => Volatile.Read(ref _rows);
            set => Volatile.Write(ref _rows, value);
        }

        public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            ProcessNext(message, pipeline);
            Count(message);
        }

        public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
        {
            await ProcessNextAsync(message, pipeline);
            Count(message);
        }

        private void Count(HttpMessage message)
        {
            if (message.Request.Method != RequestMethod.Get || message.Response.Status != 200
                || !message.Request.Uri.Path.Contains(CatalogTables.Quarantine, StringComparison.Ordinal))
            {
                return;
            }

            using var body = JsonDocument.Parse(message.Response.Content.ToMemory());
            Interlocked.Add(ref _rows, body.RootElement.TryGetProperty("value", out var rows) ? rows.GetArrayLength() : 1);
        }
    }
}
