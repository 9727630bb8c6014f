using Azure.Storage.Blobs;
using DataMesh.Testing;

namespace DataMesh.Local.Tests.Azurite;

/// <summary>The shared test fixture: one Azurite for the run, a fresh namespace per storage.</summary>
[Collection("azurite")]
public sealed class AzuriteFixtureTests(AzuriteFixture fixture)
{
    [Fact]
    public async Task CreateStorage_LandingBlob_UploadThenDownloadRoundTrips()
    {
        // Arrange
        var storage = fixture.CreateSingleAccountStorage();
        await storage.EnsureDomainAsync("finance");
        var blob = storage.Landing("finance").GetBlobClient("ledger/2026-01.csv");

        // Act
        await blob.UploadAsync(BinaryData.FromString("id,amount\n1,10.00\n"));
        var downloaded = await blob.DownloadContentAsync();

        // Assert
        Assert.Equal("id,amount\n1,10.00\n", downloaded.Value.Content.ToString());
    }

    [Fact]
    public async Task CreateStorage_QueueAndTable_ServeMessagesAndEntities()
    {
        // Arrange
        var storage = fixture.CreateSingleAccountStorage();
        var queue = storage.Queue("events");
        var table = storage.Table("Products");
        await queue.CreateAsync();
        await table.CreateAsync();

        // Act
        await queue.SendMessageAsync("{\"type\":\"ping\"}");
        await table.AddEntityAsync(new Azure.Data.Tables.TableEntity("finance", "ledger") { ["Version"] = "1.0.0" });
        var message = await queue.ReceiveMessageAsync();
        var entity = await table.GetEntityAsync<Azure.Data.Tables.TableEntity>("finance", "ledger");

        // Assert
        Assert.Equal("{\"type\":\"ping\"}", message.Value.MessageText);
        Assert.Equal("1.0.0", entity.Value.GetString("Version"));
    }

    [Fact]
    public async Task CreateStorage_TwoCalls_IsolateTheirContainers()
    {
        // Arrange
        var first = fixture.CreateSingleAccountStorage();
        var second = fixture.CreateSingleAccountStorage();

        // Act
        await first.EnsureDomainAsync("sales");

        // Assert
        Assert.True(await first.Landing("sales").ExistsAsync());
        Assert.False(await second.Landing("sales").ExistsAsync());
        Assert.Matches("^t[0-9a-f]{8}$", AzuriteFixture.CreateNamespace());
    }

    [Fact]
    public async Task ConnectionString_SharedAccount_ListsContainersOfEveryStorage()
    {
        // Arrange
        var storage = fixture.CreateSingleAccountStorage();
        await storage.EnsureDomainAsync("hr");

        // Act
        var names = new List<string>();
        await foreach (var container in new BlobServiceClient(fixture.ConnectionString).GetBlobContainersAsync())
        {
            names.Add(container.Name);
        }

        // Assert
        Assert.Contains(storage.Landing("hr").Name, names);
    }
}
