using DataMesh.Consumption;
using DataMesh.Publishing;
using DataMesh.Storage;
using DataMesh.Testing;

namespace DataMesh.Core.Tests.Consumption;

/// <summary>
/// The local release cache: releases read through <see cref="ReleaseReader"/> from Azurite, a size bound with
/// least-recently-used eviction, leases that keep a release in use from eviction, and downloads that only count whole.
/// </summary>
[Collection("azurite")]
public sealed class ReleaseCacheTests(AzuriteFixture azurite) : IDisposable
{
    private const int FileSize = 200_000;

    private readonly MeshStorage _storage = azurite.CreateMeshStorage();
    private readonly string _root = Directory.CreateTempSubdirectory("datamesh-cache-tests-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task EnsureLocal_BeyondTheBound_EvictsTheLeastRecentlyUsedAndKeepsTheMostRecent()
    {
        // Arrange: room for three releases and a half; release 1 is read again after 2 and 3.
        var reader = Reader(maxBytes: FileSize * 7 / 2);
        var releases = await PublishAsync(4);
        var folders = new Dictionary<int, string>();
        foreach (var number in new[] { 1, 2, 3, 1 })
        {
            using var lease = await reader.EnsureLocalAsync(releases[number - 1]);
            folders[number] = lease.Folder;
        }

        // Act
        using (var newest = await reader.EnsureLocalAsync(releases[3]))
        {
            folders[4] = newest.Folder;
        }

        // Assert
        Assert.False(Directory.Exists(folders[2]), "release 2, the least recently used, should be evicted");
        Assert.True(Directory.Exists(folders[1]));
        Assert.True(Directory.Exists(folders[3]));
        Assert.True(Directory.Exists(folders[4]));
        Assert.Equal(3L * FileSize, new ReleaseCache(Options(FileSize * 7 / 2)).Evict());
    }

    [Fact]
    public async Task EnsureLocal_OldestReleaseLeased_IsNotEvictedUntilTheLeaseEnds()
    {
        // Arrange: room for one release and a half; release 1 stays leased (a query still reading it).
        var reader = Reader(maxBytes: FileSize * 3 / 2);
        var releases = await PublishAsync(3);
        var held = await reader.EnsureLocalAsync(releases[0]);
        string second;
        using (var lease = await reader.EnsureLocalAsync(releases[1]))
        {
            second = lease.Folder;
        }

        // Act
        string third;
        using (var lease = await reader.EnsureLocalAsync(releases[2]))
        {
            third = lease.Folder;
        }

        // Assert: the leased release is whole and readable; the unleased older one went instead.
        Assert.False(Directory.Exists(second));
        Assert.True(Directory.Exists(third));
        var blob = (await _storage.Products("finance").GetBlobClient("ledger-emea/1.0.0/1/part-00000.parquet").DownloadContentAsync()).Value.Content.ToArray();
        Assert.Equal(blob, await File.ReadAllBytesAsync(held.Files.Single()));

        // Once the lease ends, the next eviction may take it: it is now the least recently used.
        held.Dispose();
        Assert.Equal(FileSize, new ReleaseCache(Options(FileSize * 3 / 2)).Evict());
        Assert.False(Directory.Exists(held.Folder));
        Assert.True(Directory.Exists(third));
    }

    [Fact]
    public async Task Acquire_DownloadCutShort_IsNeverUsedAndTheNextReadDownloadsTheWholeFile()
    {
        // Arrange: a download that dies half-way (a connection reset), then one that writes too little without noticing.
        var cache = new ReleaseCache(Options(10_000_000));
        var bytes = TestRelease.ParquetLike(FileSize);
        ReleaseFile[] files = [new("date=2026-01-01/part-00000.parquet", FileSize, "")];
        Task Write(string folder, int count)
        {
            var path = Path.Combine(folder, "date=2026-01-01", "part-00000.parquet");
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            return File.WriteAllBytesAsync(path, bytes[..count]);
        }

        // Act
        await Assert.ThrowsAsync<IOException>(() => cache.AcquireAsync("k1", files, async (folder, _) =>
        {
            await Write(folder, FileSize / 2);
            throw new IOException("connection reset");
        }));
        await Assert.ThrowsAsync<InvalidDataException>(() => cache.AcquireAsync("k1", files, (folder, _) => Write(folder, FileSize - 1)));
        var stateAfterFailures = Directory.EnumerateDirectories(_root).Select(Path.GetFileName).ToList();
        using var lease = await cache.AcquireAsync("k1", files, (folder, _) => Write(folder, FileSize));

        // Assert
        Assert.Empty(stateAfterFailures);
        Assert.Equal(bytes, await File.ReadAllBytesAsync(lease.Files.Single()));
    }

    [Fact]
    public async Task Evict_PartialDownloads_RemovesAnAbandonedOneButNotOneInProgress()
    {
        // Arrange: a partial folder left by a process that died mid-download (nobody holds its release).
        var cache = new ReleaseCache(Options(0));
        var abandoned = Path.Combine(_root, "k2.0123456789abcdef.partial");
        Directory.CreateDirectory(abandoned);
        await File.WriteAllBytesAsync(Path.Combine(abandoned, "part-00000.parquet"), new byte[100]);
        var inProgressSurvived = false;

        // Act: an eviction runs while k3 downloads.
        using var lease = await cache.AcquireAsync("k3", [new ReleaseFile("part-00000.parquet", 10, "")], async (folder, _) =>
        {
            await File.WriteAllBytesAsync(Path.Combine(folder, "part-00000.parquet"), new byte[10]);
            cache.Evict();
            inProgressSurvived = File.Exists(Path.Combine(folder, "part-00000.parquet"));
        });

        // Assert
        Assert.False(Directory.Exists(abandoned));
        Assert.True(inProgressSurvived);
        Assert.Equal(10, new FileInfo(lease.Files.Single()).Length);
    }

    [Fact]
    public void Options_FromEnvironment_ReadsMegabytesAndRefusesAnythingElse()
    {
        Assert.Equal(512L * 1024 * 1024, ReleaseCacheOptions.FromEnvironment(v => v == ReleaseCacheOptions.MaxMegabytesVariable ? "512" : null).MaxBytes);
        Assert.Null(ReleaseCacheOptions.FromEnvironment(_ => null).MaxBytes);
        var error = Assert.Throws<InvalidOperationException>(() => ReleaseCacheOptions.FromEnvironment(_ => "2GB"));
        Assert.Contains(ReleaseCacheOptions.MaxMegabytesVariable, error.Message, StringComparison.Ordinal);
        var bound = new ReleaseCache(new ReleaseCacheOptions { Directory = _root }).MaxBytes;
        Assert.InRange(bound, 1, ReleaseCacheOptions.DefaultMaxBytes);
    }

    private ReleaseCacheOptions Options(long maxBytes) => new() { Directory = _root, MaxBytes = maxBytes };

    private ReleaseReader Reader(long maxBytes) => new(_storage, new ReleaseCache(Options(maxBytes)));

    private async Task<List<ReleaseSelection>> PublishAsync(int count)
    {
        var reader = Reader(long.MaxValue);
        var selections = new List<ReleaseSelection>();
        for (var release = 1; release <= count; release++)
        {
            await TestRelease.WriteAsync(_storage, "finance.ledger-emea", "1.0.0", release, [("part-00000.parquet", TestRelease.ParquetLike(FileSize))]);
            selections.Add((await reader.SelectAsync("finance.ledger-emea", $"1.0.0#{release}"))!);
        }

        return selections;
    }
}
