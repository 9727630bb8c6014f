using System.Text.Json;
using Azure.Messaging;
using DataMesh.Catalog;
using DataMesh.Core.Tests.Events;
using DataMesh.Events;
using DataMesh.Storage;
using DataMesh.Testing;

namespace DataMesh.Core.Tests.Catalog;

/// <summary>What each release changed, from its event through the catalog tables to the API's JSON; old events without it still project.</summary>
[Collection("azurite")]
public sealed class CatalogReleaseChangesTests(AzuriteFixture azurite)
{
    private const string Releases = "/api/products/finance.ledger-emea/releases";
    private readonly MeshStorage _storage = azurite.CreateMeshStorage();

    [Fact]
    public async Task ApplyAsync_ReleaseWithChanges_ReleaseListDetailAndProductServeChangesAndTotalRows()
    {
        // Arrange: release 2 appended 250 rows onto release 1 (two partitions, 130 more left out of the event)
        var changes = new ReleaseChangeSummary
        {
            Mode = "append",
            BasedOn = 1,
            RowsAdded = 250,
            RowsReplaced = 12,
            RowsRemoved = 3,
            Partitions = ["posted_on=2026-11-02", "posted_on=2026-11-03"],
            PartitionsOmitted = 130,
            FilesWritten = 2,
            FilesReferenced = 5,
        };
        var projection = new CatalogProjection(_storage);
        await projection.ApplyAsync(ProductEventFactory.CreateProductVersionPublished(SampleEvents.Published(release: 1)));
        await projection.ApplyAsync(ProductEventFactory.CreateProductVersionPublished(SampleEvents.Published(release: 2) with { Rows = 1_250, Changes = changes }));

        // Act
        using var list = await OkAsync(Releases);
        using var detail = await OkAsync(Releases + "/1.2.0/2");
        using var product = await OkAsync("/api/products/finance.ledger-emea");

        // Assert
        var listed = list.RootElement.GetProperty("items")[0];
        foreach (var release in new[] { listed, detail.RootElement, product.RootElement.GetProperty("releases")[0], product.RootElement.GetProperty("latestRelease") })
        {
            Assert.Equal(1_250, release.GetProperty("rows").GetInt64());
            var json = release.GetProperty("changes");
            Assert.Equal(
                ("append", 1, 250L, 12L, 3L, 130, 2, 5),
                (json.GetProperty("mode").GetString(), json.GetProperty("basedOn").GetInt32(), json.GetProperty("rowsAdded").GetInt64(), json.GetProperty("rowsReplaced").GetInt64(),
                    json.GetProperty("rowsRemoved").GetInt64(), json.GetProperty("partitionsOmitted").GetInt32(), json.GetProperty("filesWritten").GetInt32(), json.GetProperty("filesReferenced").GetInt32()));
            Assert.Equal(changes.Partitions, json.GetProperty("partitions").EnumerateArray().Select(p => p.GetString()));
            Assert.Equal(JsonValueKind.Null, json.GetProperty("basedOnVersion").ValueKind);
        }

        Assert.Equal(changes, (await new CatalogReader(_storage).GetReleaseAsync("finance.ledger-emea", "1.2.0", 2))!.Changes! with { Partitions = changes.Partitions });
        Assert.Equal(JsonValueKind.Null, list.RootElement.GetProperty("items")[1].GetProperty("changes").ValueKind);
    }

    [Fact]
    public async Task ApplyAsync_EventFromBeforeOutputModes_ProjectsWithChangesNull()
    {
        // Arrange: the data exactly as an older producer wrote it, without a "changes" member
        var data = JsonSerializer.SerializeToNode(SampleEvents.Published(release: 1), ProductEventJson.Options)!.AsObject();
        data.Remove("changes");
        var current = ProductEventFactory.CreateProductVersionPublished(SampleEvents.Published(release: 1));
        var old = new CloudEvent(current.Source, current.Type, BinaryData.FromString(data.ToJsonString()), ProductEventJson.ContentType, CloudEventDataFormat.Json)
        {
            Id = current.Id,
            Subject = current.Subject,
            Time = current.Time,
        };

        // Act
        await new CatalogProjection(_storage).ApplyAsync(old);

        // Assert
        var release = await new CatalogReader(_storage).GetReleaseAsync("finance.ledger-emea", "1.2.0", 1);
        Assert.Equal(100L, release!.Rows);
        Assert.Null(release.Changes);
        using var detail = await OkAsync(Releases + "/1.2.0/1");
        Assert.Equal(JsonValueKind.Null, detail.RootElement.GetProperty("changes").ValueKind);
    }

    [Fact]
    public async Task ApplyAsync_ChangesOverTheTablePropertyLimit_PartitionsShortenedAndCounted()
    {
        // Arrange: an event sent past the factory's budget (another producer) with 5,000 partition names, ~150 KB
        var changes = new ReleaseChangeSummary { Mode = "partitions", RowsAdded = 7, Partitions = [.. Enumerable.Range(0, 5_000).Select(i => $"posted_on=d{i:D5}-{new string('x', 16)}")] };
        var current = ProductEventFactory.CreateProductVersionPublished(SampleEvents.Published(release: 1));
        var data = JsonSerializer.SerializeToNode(SampleEvents.Published(release: 1) with { Changes = changes }, ProductEventJson.Options)!.ToJsonString();
        var large = new CloudEvent(current.Source, current.Type, BinaryData.FromString(data), ProductEventJson.ContentType, CloudEventDataFormat.Json) { Id = current.Id, Subject = current.Subject, Time = current.Time };

        // Act
        await new CatalogProjection(_storage).ApplyAsync(large);

        // Assert
        var stored = (await new CatalogReader(_storage).GetReleaseAsync("finance.ledger-emea", "1.2.0", 1))!.Changes!;
        Assert.InRange(stored.Partitions.Count, 1, 4_999);
        Assert.Equal(5_000, stored.Partitions.Count + stored.PartitionsOmitted);
        Assert.Equal(changes.Partitions.Take(stored.Partitions.Count), stored.Partitions);
        Assert.Equal(7, stored.RowsAdded);
    }

    [Fact]
    public async Task GetOpenApiDocument_ReleaseSchema_DescribesChangesAndTotalRows()
    {
        // Act
        using var document = await OkAsync("/api/openapi.json");

        // Assert
        var schemas = document.RootElement.GetProperty("components").GetProperty("schemas");
        var release = schemas.GetProperty("Release").GetProperty("properties");
        Assert.Equal("#/components/schemas/ReleaseChanges", release.GetProperty("changes").GetProperty("allOf")[0].GetProperty("$ref").GetString());
        Assert.True(release.GetProperty("changes").GetProperty("nullable").GetBoolean());
        Assert.Contains("whole snapshot", release.GetProperty("rows").GetProperty("description").GetString(), StringComparison.Ordinal);
        var changes = schemas.GetProperty("ReleaseChanges").GetProperty("properties");
        Assert.Equal(
            ["mode", "basedOn", "basedOnVersion", "rowsAdded", "rowsReplaced", "rowsRemoved", "partitions", "partitionsOmitted", "filesWritten", "filesReferenced"],
            changes.EnumerateObject().Select(p => p.Name));
        var serialized = JsonSerializer.SerializeToNode(new ReleaseChangeSummary { Mode = "merge" }, ProductEventJson.Options)!.AsObject();
        Assert.Equal(serialized.Select(p => p.Key).Order(StringComparer.Ordinal), changes.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
    }

    private async Task<JsonDocument> OkAsync(string path)
    {
        var response = await new CatalogHttpApi(new CatalogReader(_storage)).HandleAsync("GET", path, "", DataMesh.Consumption.DataReader.Operator);
        Assert.True(response.StatusCode == 200, $"{response.StatusCode}: {response.Body}");
        return JsonDocument.Parse(response.Body);
    }
}
