using Azure.Storage.Blobs;
using DataMesh.Pipeline;
using DataMesh.Testing;

namespace DataMesh.Core.Tests.Pipeline;

/// <summary>The local twin of staging's lifecycle rule, on Azurite: blobs older than 7 days go, younger ones stay.</summary>
[Collection("azurite")]
public sealed class StagingExpiryTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task SweepAsync_BlobsWrittenNow_KeptUntilSevenDaysHavePassedThenDeleted()
    {
        // Arrange: a decision and a leftover of a run's scratch.
        var staging = new BlobContainerClient(azurite.ConnectionString, "staging-" + Guid.NewGuid().ToString("N")[..8]);
        await staging.CreateAsync();
        await staging.UploadBlobAsync("orders/run-1.decision", BinaryData.FromString("{\"kind\":\"terminated\"}"));
        await staging.UploadBlobAsync("orders/run-1/part-0.parquet", BinaryData.FromString("PAR1"));
        var now = DateTimeOffset.UtcNow;

        // Act
        var atSixDays = await StagingExpiry.SweepAsync(staging, now + TimeSpan.FromDays(6));
        var left = await NamesAsync(staging);
        var atEightDays = await StagingExpiry.SweepAsync(staging, now + TimeSpan.FromDays(8));

        // Assert
        Assert.Equal(0, atSixDays);
        Assert.Equal(["orders/run-1.decision", "orders/run-1/part-0.parquet"], left);
        Assert.Equal(2, atEightDays);
        Assert.Empty(await NamesAsync(staging));
    }

    private static async Task<List<string>> NamesAsync(BlobContainerClient container)
    {
        var names = new List<string>();
        await foreach (var blob in container.GetBlobsAsync())
        {
            names.Add(blob.Name);
        }

        return names;
    }
}
