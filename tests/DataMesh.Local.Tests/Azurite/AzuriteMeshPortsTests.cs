using System.Net;
using System.Net.Sockets;
using Azure.Storage.Blobs;
using DataMesh.Local.Azurite;
using Microsoft.Extensions.Logging;

namespace DataMesh.Local.Tests.Azurite;

/// <summary>
/// A mesh's Azurite listens on ports chosen once and kept in its state folder (issue 19, stable addresses): a release
/// location recorded by one command is still the release's address when the mesh runs again.
/// </summary>
public sealed class AzuriteMeshPortsTests
{
    [Fact]
    public async Task AttachOrStartAsync_AfterOwnerStopped_StartsAgainOnTheSamePortsAndTheSameAddressesAnswer()
    {
        // Arrange
        using var state = new TemporaryDirectory();
        int blob, queue, table;
        Uri endpoint;
        await using (var first = await AzuriteServer.AttachOrStartAsync(state.Path, TestAzuriteOptions.Create()))
        {
            (blob, queue, table) = (first.BlobPort, first.QueuePort, first.TablePort);
            endpoint = first.BlobEndpoint(DataMesh.Storage.StorageAccountName.Hub);
            await new BlobServiceClient(first.ConnectionString).GetBlobContainerClient("products").CreateAsync();
        }

        // Act
        await using var second = await AzuriteServer.AttachOrStartAsync(state.Path, TestAzuriteOptions.Create());

        // Assert
        Assert.True(second.Owned);
        Assert.Equal((blob, queue, table), (second.BlobPort, second.QueuePort, second.TablePort));
        Assert.Equal(endpoint, second.BlobEndpoint(DataMesh.Storage.StorageAccountName.Hub));
        Assert.True(File.Exists(Path.Combine(state.Path, "storage-ports.json")));
        Assert.True(await new BlobServiceClient(second.ConnectionString).GetBlobContainerClient("products").ExistsAsync());
    }

    [Fact]
    public async Task AttachOrStartAsync_StoredPortsTakenByAnotherProgram_StartsOnOtherPortsSaysSoAndKeepsTheStoredOnes()
    {
        // Arrange: the mesh ran once; then another program listens on its blob port.
        using var state = new TemporaryDirectory();
        int blob;
        await using (var first = await AzuriteServer.AttachOrStartAsync(state.Path, TestAzuriteOptions.Create()))
        {
            blob = first.BlobPort;
        }

        var stored = await File.ReadAllTextAsync(Path.Combine(state.Path, "storage-ports.json"));
        using var squatter = new TcpListener(IPAddress.Loopback, blob);
        squatter.Start();
        var log = new WarningLog();
        var options = TestAzuriteOptions.Create();
        options.Logger = log;

        // Act
        await using var second = await AzuriteServer.AttachOrStartAsync(state.Path, options);

        // Assert: it runs, elsewhere, says which ports are taken and what to do, and still means to return to them.
        Assert.NotEqual(blob, second.BlobPort);
        await new BlobServiceClient(second.ConnectionString).GetBlobContainerClient("served").CreateAsync();
        var warning = Assert.Single(log.Warnings);
        Assert.Contains($"{blob}/", warning, StringComparison.Ordinal);
        Assert.Contains("taken by another program", warning, StringComparison.Ordinal);
        Assert.Contains("storage-ports.json", warning, StringComparison.Ordinal);
        Assert.Equal(stored, await File.ReadAllTextAsync(Path.Combine(state.Path, "storage-ports.json")));
    }

    /// <summary>Keeps the warnings logged, formatted.</summary>
    private sealed class WarningLog : ILogger
    {
        private readonly List<string> _warnings = [];

        public IReadOnlyList<string> Warnings
        {
            get
            {
                lock (_warnings)
                {
                    return [.. _warnings];
                }
            }
        }

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel >= LogLevel.Warning)
            {
                lock (_warnings)
                {
                    _warnings.Add(formatter(state, exception));
                }
            }
        }
    }
}
