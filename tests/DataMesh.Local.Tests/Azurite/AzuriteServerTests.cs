using Azure.Storage.Blobs;
using DataMesh.Local.Azurite;

namespace DataMesh.Local.Tests.Azurite;

/// <summary>A private Azurite: start on free ports, serve real requests, stop by its own process id.</summary>
public sealed class AzuriteServerTests
{
    [Fact]
    public async Task StartAsync_InMemory_AnswersBlobRoundTrip()
    {
        // Arrange
        await using var server = await AzuriteServer.StartAsync(TestAzuriteOptions.Create());
        var container = new BlobServiceClient(server.ConnectionString).GetBlobContainerClient("roundtrip");

        // Act
        await container.CreateAsync();
        await container.GetBlobClient("a/b.csv").UploadAsync(BinaryData.FromString("id,amount\n1,9.50\n"));
        var downloaded = await container.GetBlobClient("a/b.csv").DownloadContentAsync();

        // Assert
        Assert.True(server.Owned);
        Assert.Equal("id,amount\n1,9.50\n", downloaded.Value.Content.ToString());
        Assert.Equal(3, new[] { server.BlobPort, server.QueuePort, server.TablePort }.Distinct().Count());
        Assert.Contains($"BlobEndpoint=http://127.0.0.1:{server.BlobPort}/devstoreaccount1", server.ConnectionString, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DisposeAsync_OwnedServer_ProcessIsGoneAndPortsClosed()
    {
        // Arrange
        var server = await AzuriteServer.StartAsync(TestAzuriteOptions.Create());
        var processId = server.ProcessId;
        Assert.True(ProcessState.IsRunning(processId));

        // Act
        await server.DisposeAsync();

        // Assert
        Assert.False(ProcessState.IsRunning(processId));
        var blobs = new BlobServiceClient(server.ConnectionString, new BlobClientOptions { Retry = { MaxRetries = 0 } });
        await Assert.ThrowsAnyAsync<Exception>(() => blobs.GetBlobContainerClient("gone").CreateAsync());
    }

    [Fact]
    public async Task StartAsync_TwoServers_RunSideBySideOnDistinctPorts()
    {
        // Act
        var starts = await Task.WhenAll(AzuriteServer.StartAsync(TestAzuriteOptions.Create()), AzuriteServer.StartAsync(TestAzuriteOptions.Create()));
        await using var first = starts[0];
        await using var second = starts[1];

        // Assert
        Assert.NotEqual(first.ProcessId, second.ProcessId);
        Assert.Empty(new[] { first.BlobPort, first.QueuePort, first.TablePort }.Intersect([second.BlobPort, second.QueuePort, second.TablePort]));
    }
}
