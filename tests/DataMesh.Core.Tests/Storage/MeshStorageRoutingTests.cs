using Azure.Data.Tables;
using Azure.Storage;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using DataMesh.Storage;

namespace DataMesh.Core.Tests.Storage;

public sealed class MeshStorageRoutingTests
{
    private static readonly StorageSharedKeyCredential HubKey = new("dmhub", Convert.ToBase64String(new byte[32]));

    [Fact]
    public void Domain_WithDomainAccounts_RoutesEachDomainsContainersToItsOwnAccount()
    {
        var storage = Routed();

        Assert.Equal(new Uri("http://127.0.0.1:10000/dmfinance/finance-products"), storage.Products("finance").Uri);
        Assert.Equal(new Uri("http://127.0.0.1:10000/dmsales/sales-landing"), storage.Landing("sales").Uri);
        Assert.Equal("dmsales", storage.Domain("sales").AccountName);
    }

    [Fact]
    public void Table_WithDomainAccounts_StaysOnTheHubAccount()
    {
        var storage = Routed();

        Assert.Equal("dmhub", storage.Table("Products").AccountName);
        Assert.Equal("dmhub", storage.Queue(MeshStorage.CatalogEventsQueue).AccountName);
    }

    [Fact]
    public void Domain_WithoutDomainAccounts_KeepsEveryDomainInTheOneAccount()
    {
        var storage = new MeshStorage(
            new BlobServiceClient(new Uri("https://stfinance.blob.core.windows.net/"), HubKey),
            new QueueServiceClient(new Uri("https://stfinance.queue.core.windows.net/"), HubKey),
            new TableServiceClient(new Uri("https://stfinance.table.core.windows.net/"), new TableSharedKeyCredential("dmhub", Convert.ToBase64String(new byte[32]))),
            new MeshStorageOptions { DomainPrefixedContainers = false });

        Assert.Equal(new Uri("https://stfinance.blob.core.windows.net/products"), storage.Products("finance").Uri);
    }

    private static MeshStorage Routed()
    {
        var options = new MeshStorageOptions();
        return new MeshStorage(
            new BlobServiceClient(new Uri("http://127.0.0.1:10000/dmhub"), HubKey),
            new QueueServiceClient(new Uri("http://127.0.0.1:10001/dmhub"), HubKey),
            new TableServiceClient(new Uri("http://127.0.0.1:10002/dmhub"), new TableSharedKeyCredential("dmhub", Convert.ToBase64String(new byte[32]))),
            options,
            domain => new DomainStorage(domain, new BlobServiceClient(new Uri($"http://127.0.0.1:10000/dm{domain}"), new StorageSharedKeyCredential($"dm{domain}", Convert.ToBase64String(new byte[32]))), options));
    }
}
