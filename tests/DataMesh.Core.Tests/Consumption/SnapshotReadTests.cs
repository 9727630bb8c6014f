using System.Text.Json;
using DataMesh.Catalog;
using DataMesh.Consumption;
using DataMesh.Engine;
using DataMesh.Publishing;
using DataMesh.Specs;
using DataMesh.Storage;
using DataMesh.Testing;
using static DataMesh.Testing.SnapshotChain;

namespace DataMesh.Core.Tests.Consumption;

/// <summary>
/// Readers over a three-release snapshot chain in Azurite, written by hand as the engine lays it out: release 1 as a
/// manifest from before snapshots, release 2 an append referencing release 1's file, release 3 a merge referencing
/// release 2's file, rewriting release 1's and adding its own under the same path as release 2's. Every reader (release
/// cache, rows route, files route, time travel) reads each release's whole table, exactly as published.
/// </summary>
[Collection("azurite")]
public sealed class SnapshotReadTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private const string ProductId = "finance.ledger";
    private const string Day1 = "day=2026-11-01/part-00000.parquet";
    private const string Day2 = "day=2026-11-02/part-00000.parquet";

    private static readonly IReadOnlyList<string>[] ExpectedRows =
    [
        Expected((1, "a"), (2, "b"), (3, "c")),
        Expected((1, "a"), (2, "b"), (3, "c"), (4, "d"), (5, "e")),
        Expected((1, "a"), (2, "B"), (3, "c"), (4, "d"), (5, "e"), (6, "f")),
    ];

    private readonly MeshStorage _storage = azurite.CreateMeshStorage();
    private readonly string _cache = Directory.CreateTempSubdirectory("datamesh-snapshot-read-").FullName;
    private ReleaseManifest? _first;
    private ReleaseManifest? _second;

    public async Task InitializeAsync()
    {
        _first = await WriteOldAsync(_storage, ProductId, "1.0.0", 1, [new OwnFile(Day1, [(1, "a"), (2, "b"), (3, "c")])]);
        _second = await WriteAsync(_storage, ProductId, "1.0.0", 2, [new OwnFile(Day2, [(4, "d"), (5, "e")])],
            [Reference(_first, Day1)], new ReleaseChanges { Mode = OutputMode.Append, BasedOn = 1, RowsAdded = 2 });
        await WriteAsync(_storage, ProductId, "1.0.0", 3,
            [new OwnFile(Day1, [(1, "a"), (3, "c")], Rewritten: true), new OwnFile(Day2, [(2, "B"), (6, "f")])],
            [Reference(_second, Day2)], new ReleaseChanges { Mode = OutputMode.Merge, BasedOn = 2, RowsAdded = 1, RowsReplaced = 1 });
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_cache, recursive: true);
        return Task.CompletedTask;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public async Task EnsureLocal_ReleaseOfASnapshotChain_ReadsBackExactlyItsRows(int release)
    {
        // Arrange: time travel names the release exactly.
        var reader = new ReleaseReader(_storage, _cache);
        var selected = await reader.SelectAsync(ProductId, $"1.0.0#{release}");

        // Act
        using var local = await reader.EnsureLocalAsync(selected!);
        var rows = SnapshotChain.Rows(local.Files);
        var scratch = Directory.CreateTempSubdirectory("datamesh-snapshot-session-").FullName;
        long viewRows;
        try
        {
            using var session = reader.OpenSession(selected!, local.Files, scratch);
            viewRows = session.Query("SELECT count(*) FROM ledger", r => r.GetInt64(0)).Single();
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }

        // Assert
        Assert.Equal(ExpectedRows[release - 1], rows);
        Assert.Equal(ExpectedRows[release - 1].Count, viewRows);
    }

    [Fact]
    public async Task ReadPage_ReaderSession_RunsWithTheLimitsOfASessionOutsideRuns()
    {
        // Arrange: the rows route's reader, with the cache already filled (its download applies no deletion file here).
        var reader = new ReleaseReader(_storage, _cache);
        var selected = await reader.SelectAsync(ProductId, "1.0.0#3");
        using (await reader.EnsureLocalAsync(selected!))
        {
        }

        using var spans = new DataMesh.Core.Tests.Engine.SessionSpans();

        // Act
        var page = await reader.ReadPageAsync(selected!, 0, 10);

        // Assert: the instance's share for a reader (EngineLimits.Side), not a fixed 1GB nor DuckDB's 80 % of the machine.
        Assert.Equal(6, page.Rows.Count);
        Assert.Equal(DataMesh.Core.Tests.Engine.SessionSpans.AsDuckDbReports(DataMesh.Pipeline.EngineLimits.Process.Side), Assert.Single(spans.Opened));
    }

    [Fact]
    public async Task ReadPage_EveryReaderSlotHeld_AwaitsASlotWithoutBlockingItsThreadAndReadsOnceOneFrees()
    {
        // Arrange: the rows route's reader with the release already cached, and its only session slot held (another page).
        var gate = new SideSessionGate(1, TimeSpan.FromSeconds(30));
        var reader = new ReleaseReader(_storage, _cache) { SessionGate = gate };
        var selected = await reader.SelectAsync(ProductId, "1.0.0#3");
        using (await reader.EnsureLocalAsync(selected!))
        {
        }

        var held = gate.Enter(CancellationToken.None);

        // Act: a page asked on this thread while the slot is held.
        var page = reader.ReadPageAsync(selected!, 0, 10);
        var pendingWhileHeld = !page.IsCompleted;
        held.Dispose();
        var read = await page.WaitAsync(TimeSpan.FromMinutes(2));

        // Assert: the call came back waiting (no thread blocked on the gate), then read the page in the freed slot and gave it back.
        Assert.True(pendingWhileHeld);
        Assert.Equal(6, read.Rows.Count);
        Assert.Equal(1, gate.Free);
    }

    [Fact]
    public async Task OpenSessionAsync_ReleaseView_ReadsTheReleasesRows()
    {
        var reader = new ReleaseReader(_storage, _cache);
        var selected = await reader.SelectAsync(ProductId, "1.0.0#3");
        using var local = await reader.EnsureLocalAsync(selected!);
        var scratch = Directory.CreateTempSubdirectory("datamesh-snapshot-session-").FullName;
        try
        {
            using var session = await reader.OpenSessionAsync(selected!, local.Files, scratch);

            Assert.True(session.IsLocked);
            Assert.Equal(ExpectedRows[2].Count, session.Query("SELECT count(*) FROM ledger", r => r.GetInt64(0)).Single());
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }
    }

    [Fact]
    public async Task OpenSession_TokenCancelled_QueryIsInterrupted()
    {
        // Arrange: the rows route's time limit must stop DuckDB, not only the download before it.
        var reader = new ReleaseReader(_storage, _cache);
        var selected = await reader.SelectAsync(ProductId, "1.0.0#3");
        using var local = await reader.EnsureLocalAsync(selected!);
        var scratch = Directory.CreateTempSubdirectory("datamesh-snapshot-session-").FullName;
        using var stop = new CancellationTokenSource();
        try
        {
            using var session = reader.OpenSession(selected!, local.Files, scratch, cancellationToken: stop.Token);
            await stop.CancelAsync();

            // Act
            var error = Record.Exception(() => session.Query("SELECT count(*) FROM ledger", r => r.GetInt64(0)));

            // Assert
            Assert.IsAssignableFrom<OperationCanceledException>(error);
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }
    }

    [Fact]
    public async Task GetReleaseRows_ReleaseReferencingEarlierFiles_ServesItsWholeSnapshot()
    {
        // Act
        var answer = await Api().HandleAsync("GET", "/api/products/finance.ledger/releases/1.0.0/3/rows", "?limit=100", DataReader.Anonymous);

        // Assert
        Assert.True(answer.StatusCode == 200, answer.Body);
        using var page = JsonDocument.Parse(answer.Body);
        var rows = page.RootElement.GetProperty("rows").EnumerateArray()
            .Select(r => $"{r.GetProperty("id").GetInt32()}:{r.GetProperty("label").GetString()}").Order(StringComparer.Ordinal).ToList();
        Assert.Equal(ExpectedRows[2], rows);
        Assert.Equal(6, page.RootElement.GetProperty("total").GetInt64());
    }

    [Fact]
    public async Task GetReleaseFile_ReferencedFile_IsListedAndServedUnderItsSnapshotPathWithItsWritersBytes()
    {
        // Arrange
        var products = _storage.Products("finance");
        var secondsDay2 = (await products.GetBlobClient("ledger/1.0.0/2/" + Day2).DownloadContentAsync()).Value.Content.ToArray();
        var thirdsDay2 = (await products.GetBlobClient("ledger/1.0.0/3/" + Day2).DownloadContentAsync()).Value.Content.ToArray();
        const string Route = "/api/products/finance.ledger/releases/1.0.0/3/files";

        // Act
        var referenced = await Api().HandleAsync("GET", Route, "?path=" + Uri.EscapeDataString("1.0.0/2/" + Day2), DataReader.Anonymous);
        var own = await Api().HandleAsync("GET", Route, "?path=" + Uri.EscapeDataString(Day2), DataReader.Anonymous);
        var missing = await Api().HandleAsync("GET", Route, "?path=nope.parquet", DataReader.Anonymous);
        var oldRelease = await Api().HandleAsync("GET", "/api/products/finance.ledger/releases/1.0.0/1/files", "?path=" + Uri.EscapeDataString(Day1), DataReader.Anonymous);

        // Assert: the referenced file is release 2's blob, checked against its checksum as it streams.
        Assert.Equal(200, referenced.StatusCode);
        Assert.Equal(secondsDay2, await ReadAllAsync(referenced.Content!));
        Assert.Equal(thirdsDay2, await ReadAllAsync(own.Content!));
        Assert.NotEqual(secondsDay2, thirdsDay2);
        Assert.Equal(404, missing.StatusCode);
        Assert.Contains("1.0.0/2/" + Day2, missing.Body, StringComparison.Ordinal);
        Assert.Equal(200, oldRelease.StatusCode);
        Assert.Equal(_first!.Files.Single().Size, (await ReadAllAsync(oldRelease.Content!)).Length);
    }

    [Fact]
    public async Task SelectAsync_ManifestWrittenBeforeSnapshots_HasItsOwnFilesOnly()
    {
        // Act
        var selected = await new ReleaseReader(_storage, _cache).SelectAsync(ProductId, "1.0.0#1");

        // Assert: no changes, no per-file rows, no references: every file its own.
        Assert.Null(selected!.Manifest.Changes);
        var file = Assert.Single(selected.Manifest.Files);
        Assert.Equal((0L, (int?)null, false), (file.Rows, file.Release, file.Rewritten));
        Assert.Equal(["ledger/1.0.0/1/" + Day1], selected.Files.Select(f => f.BlobName));
    }

    private CatalogHttpApi Api() => new(
        new CatalogReader(_storage),
        releases: new ReleaseReader(_storage, _cache),
        access: (id, _) => Task.FromResult<ReleaseAccess?>(id == ProductId ? new ReleaseAccess("finance", "public", [], null) : null));

    private static async Task<byte[]> ReadAllAsync(Stream content)
    {
        await using (content)
        {
            using var copy = new MemoryStream();
            await content.CopyToAsync(copy);
            return copy.ToArray();
        }
    }
}
