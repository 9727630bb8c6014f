using System.Text.Json;
using Azure.Storage.Blobs;
using DataMesh.Local.Azurite;

namespace DataMesh.Local.Tests.Azurite;

/// <summary>One Azurite per state directory, shared between callers through azurite.json and its lock file (DESIGN §8).</summary>
public sealed class AzuriteServerSharingTests
{
    [Fact]
    public async Task AttachOrStartAsync_SecondCall_ReusesFirstInstance()
    {
        // Arrange
        using var state = new TemporaryDirectory();
        await using var first = await AzuriteServer.AttachOrStartAsync(state.Path, TestAzuriteOptions.Create());

        // Act
        var second = await AzuriteServer.AttachOrStartAsync(state.Path, TestAzuriteOptions.Create());
        await second.DisposeAsync();

        // Assert
        Assert.True(first.Owned);
        Assert.False(second.Owned);
        Assert.Equal(first.ProcessId, second.ProcessId);
        Assert.Equal(first.ConnectionString, second.ConnectionString);
        Assert.True(ProcessState.IsRunning(first.ProcessId), "disposing an attached instance must not stop it");
        await new BlobServiceClient(second.ConnectionString).GetBlobContainerClient("still-served").CreateAsync();
    }

    [Fact]
    public async Task AttachOrStartAsync_ConcurrentCalls_StartOneInstance()
    {
        // Arrange
        using var state = new TemporaryDirectory();

        // Act
        var servers = await Task.WhenAll(
            AzuriteServer.AttachOrStartAsync(state.Path, TestAzuriteOptions.Create()),
            AzuriteServer.AttachOrStartAsync(state.Path, TestAzuriteOptions.Create()),
            AzuriteServer.AttachOrStartAsync(state.Path, TestAzuriteOptions.Create()));

        // Assert
        try
        {
            Assert.Single(servers, server => server.Owned);
            Assert.Single(servers.Select(server => server.ProcessId).Distinct());
        }
        finally
        {
            foreach (var server in servers.OrderBy(server => server.Owned))
            {
                await server.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task AttachOrStartAsync_RecordWithDeadProcess_StartsAndRecordsNewInstance()
    {
        // Arrange
        using var state = new TemporaryDirectory();
        var deadProcessId = await ProcessState.ExitedProcessIdAsync();
        WriteRecord(state.Path, deadProcessId, 1, 2, 3);

        // Act
        await using var server = await AzuriteServer.AttachOrStartAsync(state.Path, TestAzuriteOptions.Create());

        // Assert
        Assert.True(server.Owned);
        Assert.NotEqual(deadProcessId, server.ProcessId);
        Assert.Equal(server.ProcessId, ReadRecordedProcessId(state.Path));
        await new BlobServiceClient(server.ConnectionString).GetBlobContainerClient("fresh").CreateAsync();
    }

    [Fact]
    public async Task AttachOrStartAsync_RecordWithLiveProcessNotAnswering_StartsNewAndLeavesThatProcessAlone()
    {
        // Arrange
        using var state = new TemporaryDirectory();
        using var stranger = ProcessState.StartIdleNode();
        WriteRecord(state.Path, stranger.Id, 1, 2, 3);

        try
        {
            // Act
            var server = await AzuriteServer.AttachOrStartAsync(state.Path, TestAzuriteOptions.Create());
            await server.DisposeAsync();

            // Assert
            Assert.True(server.Owned);
            Assert.NotEqual(stranger.Id, server.ProcessId);
            Assert.False(stranger.HasExited, "a process this code did not start must never be stopped");
        }
        finally
        {
            stranger.Kill();
        }
    }

    [Fact]
    public async Task StopAsync_Owner_StopsProcessAndDeletesRecord()
    {
        // Arrange
        using var state = new TemporaryDirectory();
        var server = await AzuriteServer.AttachOrStartAsync(state.Path, TestAzuriteOptions.Create());
        var recordPath = Path.Combine(state.Path, AzuriteServer.StateFileName);
        Assert.True(File.Exists(recordPath));

        // Act
        await server.StopAsync();

        // Assert
        Assert.False(File.Exists(recordPath));
        Assert.False(ProcessState.IsRunning(server.ProcessId));
    }

    [Fact]
    public async Task AttachOrStartAsync_AfterOwnerStopped_StartsOnSameDataAgain()
    {
        // Arrange
        using var state = new TemporaryDirectory();
        await using (var first = await AzuriteServer.AttachOrStartAsync(state.Path, TestAzuriteOptions.Create()))
        {
            var container = new BlobServiceClient(first.ConnectionString).GetBlobContainerClient("mesh");
            await container.CreateAsync();
            await container.GetBlobClient("landing.csv").UploadAsync(BinaryData.FromString("a,b"));
        }

        // Act
        await using var second = await AzuriteServer.AttachOrStartAsync(state.Path, TestAzuriteOptions.Create());
        var downloaded = await new BlobServiceClient(second.ConnectionString).GetBlobContainerClient("mesh").GetBlobClient("landing.csv").DownloadContentAsync();

        // Assert
        Assert.True(second.Owned);
        Assert.Equal("a,b", downloaded.Value.Content.ToString());
    }

    [Fact]
    public async Task AttachOrStartAsync_RecordCannotBeWritten_ThrowsPromptlyAndLeavesNoAzurite()
    {
        // Arrange: a directory where azurite.json belongs makes the record unwritable after the start.
        using var state = new TemporaryDirectory();
        Directory.CreateDirectory(Path.Combine(state.Path, AzuriteServer.StateFileName));
        var location = Path.Combine(state.Path, "azurite");

        // Act
        var attempt = AzuriteServer.AttachOrStartAsync(state.Path, TestAzuriteOptions.Create());
        var finished = await Task.WhenAny(attempt, Task.Delay(TimeSpan.FromSeconds(120)));

        // Assert
        Assert.Same(attempt, finished);
        await Assert.ThrowsAnyAsync<IOException>(() => attempt);
        Assert.Empty(ProcessState.RunningWithArgument(location));
    }

    private static void WriteRecord(string stateDirectory, int processId, int blob, int queue, int table) =>
        File.WriteAllText(
            Path.Combine(stateDirectory, AzuriteServer.StateFileName),
            JsonSerializer.Serialize(new { pid = processId, ports = new { blob, queue, table }, startedAt = DateTimeOffset.UtcNow }));

    private static int ReadRecordedProcessId(string stateDirectory)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(stateDirectory, AzuriteServer.StateFileName)));
        return document.RootElement.GetProperty("pid").GetInt32();
    }
}
