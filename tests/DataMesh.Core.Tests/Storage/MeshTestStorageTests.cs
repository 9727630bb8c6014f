using Azure;
using DataMesh.Storage;
using DataMesh.Testing;

namespace DataMesh.Core.Tests.Storage;

/// <summary>
/// The storage Core's tests store domain data with (<see cref="AzuriteFixture.CreateMesh"/>) is shaped as the local mesh:
/// the catalog in the hub's account, each domain in its own account with its own key, a domain pipeline reaching
/// another domain's data only through a read grant on its <c>products</c>. A test on one shared key cannot catch a
/// cross-domain read that Azure would refuse.
/// </summary>
[Collection("azurite")]
public sealed class MeshTestStorageTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task CreateMeshStorage_TwoDomains_EachInItsOwnAccountAndTheCatalogInTheHubs()
    {
        // Arrange
        var storage = azurite.CreateMeshStorage();
        if (azurite.Server is null)
        {
            // A run given DATAMESH_STORAGE holds the whole mesh in that one account (the user's explicit choice).
            return;
        }

        // Act
        await storage.EnsureDomainAsync("finance");
        await storage.EnsureDomainAsync("sales");
        await storage.Products("finance").GetBlobClient("ledger/1.0.0/1/_manifest.json").UploadAsync(BinaryData.FromString("{}"));

        // Assert
        Assert.Equal(
            (StorageAccountName.ForDomain("finance"), StorageAccountName.ForDomain("sales"), StorageAccountName.Hub),
            (storage.Domain("finance").AccountName, storage.Domain("sales").AccountName, storage.Tables.AccountName));
        Assert.False(await storage.Blobs.GetBlobContainerClient(storage.Products("finance").Name).ExistsAsync());
        Assert.True(await storage.Products("finance").GetBlobClient("ledger/1.0.0/1/_manifest.json").ExistsAsync());
    }

    [Fact]
    public async Task Pipeline_AnotherDomainsContainers_RefusedByStorageExceptAGrantedProducts()
    {
        // Arrange: finance publishes; sales' pipeline is granted finance's products, hr's is granted nothing.
        var mesh = azurite.CreateMesh();
        if (azurite.Server is null)
        {
            // A run given DATAMESH_STORAGE holds the whole mesh in that one account: nothing to refuse.
            return;
        }

        await mesh.Storage.EnsureDomainAsync("finance");
        await mesh.Storage.Products("finance").GetBlobClient("ledger/1.0.0/1/part-0.parquet").UploadAsync(BinaryData.FromString("rows"));
        await mesh.Storage.Landing("finance").GetBlobClient("ledger/in.csv").UploadAsync(BinaryData.FromString("id\n1\n"));
        var granted = mesh.Pipeline("sales", "finance");
        var ungranted = mesh.Pipeline("hr");

        // Act
        var read = await granted.Products("finance").GetBlobClient("ledger/1.0.0/1/part-0.parquet").DownloadContentAsync();
        var landing = await Assert.ThrowsAsync<RequestFailedException>(() => granted.Landing("finance").GetBlobClient("ledger/in.csv").DownloadContentAsync());
        var write = await Assert.ThrowsAsync<RequestFailedException>(() => granted.Products("finance").GetBlobClient("ledger/forged.parquet").UploadAsync(BinaryData.FromString("x")));
        var products = await Assert.ThrowsAsync<RequestFailedException>(() => ungranted.Products("finance").GetBlobClient("ledger/1.0.0/1/part-0.parquet").DownloadContentAsync());

        // Assert: the grant reads finance's products only; everything else is storage's refusal, not a check of ours.
        Assert.Equal("rows", read.Value.Content.ToString());
        Assert.Equal((403, 403, 403), (landing.Status, write.Status, products.Status));
    }
}
