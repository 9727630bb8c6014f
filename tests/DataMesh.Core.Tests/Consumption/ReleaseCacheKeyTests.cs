using Azure.Storage.Blobs;
using DataMesh.Consumption;

namespace DataMesh.Core.Tests.Consumption;

/// <summary>A release's cache folder is named by its account, container and folder, never by the endpoint's URL.</summary>
public sealed class ReleaseCacheKeyTests
{
    private const string Folder = "orders/1.0.0/3/";

    [Theory]
    [InlineData("http://127.0.0.1:10000/devstoreaccount1", "http://127.0.0.1:53117/devstoreaccount1")]
    [InlineData("http://127.0.0.1:10000/devstoreaccount1", "http://localhost:41999/devstoreaccount1")]
    [InlineData("https://stfinance.blob.core.windows.net", "https://STFINANCE.blob.core.windows.net:443")]
    public void CacheKey_SameReleaseThroughAnotherEndpoint_SameKey(string firstEndpoint, string secondEndpoint)
    {
        // Act: the local mesh's Azurite takes a new port at each start.
        var first = ReleaseReader.CacheKey(new BlobServiceClient(new Uri(firstEndpoint)).GetBlobContainerClient("products"), Folder);
        var second = ReleaseReader.CacheKey(new BlobServiceClient(new Uri(secondEndpoint)).GetBlobContainerClient("products"), Folder);

        // Assert
        Assert.Equal(first, second);
        Assert.All(first, c => Assert.True(char.IsAsciiLetterOrDigit(c)));
    }

    [Theory]
    [InlineData("http://127.0.0.1:10000/finance", "finance-products")]
    [InlineData("http://127.0.0.1:10000/devstoreaccount1", "marketing-products")]
    public void CacheKey_AnotherAccountOrContainer_AnotherKey(string otherEndpoint, string otherContainer)
    {
        // Act
        var one = ReleaseReader.CacheKey(new BlobServiceClient(new Uri("http://127.0.0.1:10000/devstoreaccount1")).GetBlobContainerClient("finance-products"), Folder);
        var other = ReleaseReader.CacheKey(new BlobServiceClient(new Uri(otherEndpoint)).GetBlobContainerClient(otherContainer), Folder);

        // Assert
        Assert.NotEqual(one, other);
    }
}
