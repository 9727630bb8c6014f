using DataMesh.Pipeline;
using Microsoft.Extensions.Logging.Abstractions;

namespace DataMesh.Core.Tests.Pipeline;

public sealed class WorkspaceTrashTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("dm-trash-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Fact]
    public async Task Discard_RunFolder_IsGoneAtOnceAndTheTrashEmptiesWithWhatAnEarlierProcessLeft()
    {
        // Arrange: a run folder with files, and a folder a stopped process left in the trash.
        var trash = new WorkspaceTrash(_work, NullLogger.Instance);
        var workspace = new RunWorkspace(Path.Combine(_work, "run-1"));
        Directory.CreateDirectory(workspace.InputDirectory("orders"));
        await File.WriteAllBytesAsync(Path.Combine(workspace.InputDirectory("orders"), "orders.csv"), new byte[1 << 20]);
        var leftover = Directory.CreateDirectory(Path.Combine(trash.Directory, "run-0-0123")).FullName;
        await File.WriteAllTextAsync(Path.Combine(leftover, "x.csv"), "a\n1\n");

        // Act
        var emptied = trash.Discard(workspace);

        // Assert
        Assert.False(Directory.Exists(workspace.Root));
        await emptied;
        Assert.Empty(Directory.EnumerateFileSystemEntries(trash.Directory));
        Assert.Equal([trash.Directory], Directory.EnumerateFileSystemEntries(_work));
    }

    [Fact]
    public async Task Discard_FolderThatDoesNotExist_IsANoOp()
    {
        // Arrange
        var trash = new WorkspaceTrash(_work, NullLogger.Instance);

        // Act
        await trash.Discard(new RunWorkspace(Path.Combine(_work, "never-ran")));

        // Assert
        Assert.Empty(Directory.EnumerateFileSystemEntries(_work));
    }
}
