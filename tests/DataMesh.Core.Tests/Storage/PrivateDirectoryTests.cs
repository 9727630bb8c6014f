using DataMesh.Consumption;
using DataMesh.Publishing;
using DataMesh.Storage;

namespace DataMesh.Core.Tests.Storage;

/// <summary>
/// Local copies of releases (the release cache, applied deletion files) live in folders only this OS user enters: a
/// shared temp path would otherwise let other users read restricted rows, or plant an entry a reader reuses by name.
/// Unix file modes: on Windows the folders are under the user's own profile and these tests do not apply.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class PrivateDirectoryTests : IDisposable
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    private readonly string _root = Directory.CreateTempSubdirectory("datamesh-private-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void Ensure_MissingFolder_CreatedForThisUserOnly()
    {
        // Arrange
        var path = Path.Combine(_root, "a", "b");

        // Act
        PrivateDirectory.Ensure(path);

        // Assert
        Assert.True(Directory.Exists(path));
        Assert.Equal(OwnerOnly, ModeOf(path));
    }

    [Fact]
    public void Ensure_ExistingFolderOpenToOthers_ClosedToThisUser()
    {
        // Arrange: as an earlier version left its cache under the temp path (0777 here: anyone could plant a file).
        var path = OpenFolder("open");

        // Act
        PrivateDirectory.Ensure(path);

        // Assert
        Assert.Equal(OwnerOnly, ModeOf(path));
    }

    [Fact]
    public async Task AcquireAsync_CacheFolderOpenToOthers_ReleaseCopiesKeptWhereOnlyThisUserEnters()
    {
        // Arrange
        var folder = OpenFolder("release-cache");
        var cache = new ReleaseCache(new ReleaseCacheOptions { Directory = folder, MaxBytes = 1_000_000 });
        ReleaseFile[] files = [new("part-00000.parquet", 4, "")];

        // Act
        using var lease = await cache.AcquireAsync("k1", files, (target, _) => File.WriteAllBytesAsync(Path.Combine(target, "part-00000.parquet"), [1, 2, 3, 4]));

        // Assert
        Assert.Equal(OwnerOnly, ModeOf(folder));
    }

    [Fact]
    public async Task WriteAsync_DeletionCacheFolderOpenToOthers_ClosedBeforeAnyEntryIsReadOrWritten()
    {
        // Arrange: a planted entry cannot be told from a real one by its name; the folder must be ours before it is read.
        var folder = OpenFolder("applied");
        var cache = new DeletionFileCache(folder);
        var file = new SnapshotFile("part-00000.parquet", "part-00000.parquet", 4)
        {
            Sha256 = "aa",
            Deletes = new SnapshotFile("part-del-00000.parquet", "part-del-00000.parquet", 1) { Sha256 = "bb" },
        };

        // Act: the container does not exist, so nothing is downloaded; the folder is checked first.
        var container = new Azure.Storage.Blobs.BlobContainerClient(new Uri("http://127.0.0.1:9/devstoreaccount1/none"));
        await Assert.ThrowsAnyAsync<Exception>(() => cache.WriteAsync(container, file, Path.Combine(_root, "out.parquet"), _root));

        // Assert
        Assert.Equal(OwnerOnly, ModeOf(folder));
    }

    private string OpenFolder(string name)
    {
        var path = Path.Combine(_root, name);
        Directory.CreateDirectory(path);
        File.SetUnixFileMode(path, OwnerOnly | UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute);
        return path;
    }

    private static UnixFileMode ModeOf(string path) => File.GetUnixFileMode(path);
}
