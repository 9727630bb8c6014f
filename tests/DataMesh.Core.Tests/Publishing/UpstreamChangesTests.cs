using DataMesh.Pipeline;
using DataMesh.Publishing;
using DataMesh.Specs;
using DataMesh.Storage;
using DataMesh.Testing;
using static DataMesh.Testing.SnapshotChain;

namespace DataMesh.Core.Tests.Publishing;

/// <summary>
/// <c>read: changes</c> over a hand-written upstream history in Azurite: release 1 from before snapshots, 2 an append,
/// 3 claimed by a run that never published, 4 a merge (one file rewritten, one of changes), 5 an append. A consumer
/// gets the rows changed after the release it last built from, each once, in order, and falls back to the whole
/// snapshot, saying why, when that release is not in the history. The upstream is in finance's account; the consumer
/// (a group pipeline) resolves and downloads it with its own domain's view, reaching finance only by a read grant.
/// </summary>
[Collection("azurite")]
public sealed class UpstreamChangesTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private const string Upstream = "finance.ledger";
    private const string Day1 = "day=2026-11-01/part-00000.parquet";
    private const string Day2 = "day=2026-11-02/part-00000.parquet";
    private const string Day3 = "day=2026-11-03/part-00000.parquet";
    private const string Day4 = "day=2026-11-04/part-00000.parquet";

    private static readonly IReadOnlyList<string> WholeSnapshot = Expected((1, "a"), (2, "B"), (3, "c"), (4, "d"), (5, "e"), (6, "f"), (7, "g"));

    private const string ConsumerDomain = "group";

    private readonly MeshTestStorage _mesh = azurite.CreateMesh();
    private readonly string _work = Directory.CreateTempSubdirectory("datamesh-upstream-changes-").FullName;

    /// <summary>Finance's pipeline: writes the upstream's releases in its own account.</summary>
    private MeshStorage Finance => _mesh.Pipeline("finance");

    /// <summary>The consumer's pipeline: its own account, and a read grant on finance's products.</summary>
    private MeshStorage Consumer => _mesh.Pipeline(ConsumerDomain, "finance");

    public async Task InitializeAsync()
    {
        var first = await WriteOldAsync(Finance, Upstream, "1.0.0", 1, [new OwnFile(Day1, [(1, "a"), (2, "b"), (3, "c")])]);
        var second = await WriteAsync(Finance, Upstream, "1.0.0", 2, [new OwnFile(Day2, [(4, "d"), (5, "e")])],
            [Reference(first, Day1)], new ReleaseChanges { Mode = OutputMode.Append, BasedOn = 1 });
        await Finance.Products("finance").GetBlobClient("ledger/1.0.0/3/_claim").UploadAsync(BinaryData.FromString("a run that failed"));
        var fourth = await WriteAsync(Finance, Upstream, "1.0.0", 4,
            [new OwnFile(Day1, [(1, "a"), (3, "c")], Rewritten: true), new OwnFile(Day3, [(2, "B"), (6, "f")])],
            [Reference(second, Day2)], new ReleaseChanges { Mode = OutputMode.Merge, BasedOn = 2 });
        await WriteAsync(Finance, Upstream, "1.0.0", 5, [new OwnFile(Day4, [(7, "g")])],
            [.. fourth.Files.Where(f => f.Release is not null), .. fourth.Files.Where(f => f.Release is null).Select(f => Reference(fourth, f.Path))],
            new ReleaseChanges { Mode = OutputMode.Append, BasedOn = 4 });
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_work, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Resolve_ReadChangesAfterSeveralReleases_ReadsEachChangedRowOnceAndPinsTheNewest()
    {
        // Act: the consumer last built from release 1.
        var planned = await new UpstreamResolver(Consumer).ResolveAsync(Input(UpstreamRead.Changes), Built("1.0.0", 1));
        var local = await LocalUpstream.DownloadAsync(Consumer, planned!, _work, CancellationToken.None);

        // Assert: the rows of 2, 4 (not its rewrite of 1's file) and 5, in order; 3 never published, so no gap.
        Assert.Equal(Expected((4, "d"), (5, "e"), (2, "B"), (6, "f"), (7, "g")), DataMesh.Testing.SnapshotChain.Rows(local.Files));
        Assert.Equal(["1.0.0/2/" + Day2, "1.0.0/4/" + Day3, "1.0.0/5/" + Day4], planned!.Sources.Select(f => f.LocalPath));
        Assert.Equal(new UpstreamRelease(Upstream, "1.0.0", 5), planned.Release);
        Assert.Equal("changes of 1.0.0#2, 1.0.0#4, 1.0.0#5 since 1.0.0#1", local.Report("ledger").Read);
    }

    [Fact]
    public async Task Resolve_ReadChangesAlreadyBuiltFromTheNewest_IsAnEmptyViewWithTheColumns()
    {
        // Act
        var planned = await new UpstreamResolver(Consumer).ResolveAsync(Input(UpstreamRead.Changes), Built("1.0.0", 5));
        var local = await LocalUpstream.DownloadAsync(Consumer, planned!, _work, CancellationToken.None);
        using var session = DataMesh.Engine.DuckDbSession.Open(new DataMesh.Engine.DuckDbSessionOptions { AllowedDirectories = [_work], TempDirectory = Path.Combine(_work, "tmp"), Limits = DataMesh.Pipeline.EngineLimits.Process.Side });
        session.Execute(local.CreateViewSql("ledger"));

        // Assert
        Assert.Empty(local.Files);
        Assert.Equal(0L, session.Query("SELECT count(*) FROM ledger", r => r.GetInt64(0)).Single());
        Assert.Contains("label", session.Query("SELECT column_name FROM (DESCRIBE SELECT * FROM ledger)", r => r.GetString(0)));
        Assert.Equal("changes: none (already built from 1.0.0#5)", planned!.Read);
    }

    [Theory]
    [InlineData(UpstreamRead.Snapshot, "1.0.0", 1, "snapshot of 1.0.0#5")]
    [InlineData(UpstreamRead.Changes, null, 0, "no earlier build")]
    [InlineData(UpstreamRead.Changes, "0.9.0", 3, "0.9.0#3 is not in the history of 1.0.0#5")]
    [InlineData(UpstreamRead.Changes, "1.0.0", 9, "1.0.0#9 is newer than the newest release in range")]
    public async Task Resolve_SnapshotOrNoUsableLastBuild_ReadsTheWholeSnapshotAndSaysWhy(UpstreamRead read, string? version, int release, string why)
    {
        // Act
        var planned = await new UpstreamResolver(Consumer).ResolveAsync(Input(read), version is null ? null : Built(version, release));
        var local = await LocalUpstream.DownloadAsync(Consumer, planned!, _work, CancellationToken.None);

        // Assert: the snapshot of 5 through its references to 2's and 4's files.
        Assert.Equal(WholeSnapshot, DataMesh.Testing.SnapshotChain.Rows(local.Files));
        Assert.Contains(why, planned!.Read, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Resolve_ReadChangesWithAReleaseOfTheHistoryGone_FallsBackToTheWholeSnapshot()
    {
        // Arrange: release 4's manifest removed (as retention would): its changes can no longer be told apart.
        await Finance.Products("finance").GetBlobClient("ledger/1.0.0/4/" + ReleaseStore.ManifestName).DeleteAsync();

        // Act
        var planned = await new UpstreamResolver(Consumer).ResolveAsync(Input(UpstreamRead.Changes), Built("1.0.0", 2));
        var local = await LocalUpstream.DownloadAsync(Consumer, planned!, _work, CancellationToken.None);

        // Assert
        Assert.Equal(WholeSnapshot, DataMesh.Testing.SnapshotChain.Rows(local.Files));
        Assert.Contains("1.0.0#4, a release of its history, no longer exists", planned!.Read, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Resolve_ReadChangesOfReplaceModeReleases_DeliversEachLaterReleaseWhole()
    {
        // Arrange: a product in replace mode with manifests from before snapshots: 1, 2, (3 never published), 4.
        const string Rates = "finance.rates";
        await WriteOldAsync(Finance, Rates, "1.0.0", 1, [new OwnFile("part-00000.parquet", [(1, "a")])]);
        await WriteOldAsync(Finance, Rates, "1.0.0", 2, [new OwnFile("part-00000.parquet", [(1, "b"), (2, "b")])]);
        await WriteOldAsync(Finance, Rates, "1.0.0", 4, [new OwnFile("part-00000.parquet", [(1, "c")])]);

        // Act
        var planned = await new UpstreamResolver(Consumer).ResolveAsync(Input(UpstreamRead.Changes, Rates), Built("1.0.0", 1, Rates));
        var local = await LocalUpstream.DownloadAsync(Consumer, planned!, _work, CancellationToken.None);

        // Assert
        Assert.Equal(Expected((1, "b"), (2, "b"), (1, "c")), DataMesh.Testing.SnapshotChain.Rows(local.Files));
        Assert.Equal("changes of 1.0.0#2, 1.0.0#4 since 1.0.0#1", planned!.Read);
    }

    [Fact]
    public async Task Resolve_ConsumerWithoutAReadGrant_StorageRefusesTheUpstreamsProducts()
    {
        // Arrange: a group pipeline not granted finance (its view holds no credential for finance's account).
        if (azurite.Server is null)
        {
            // A run given DATAMESH_STORAGE holds the whole mesh in that one account (the user's choice): nothing to refuse.
            return;
        }

        var ungranted = _mesh.Pipeline(ConsumerDomain);

        // Act
        var refused = await Assert.ThrowsAsync<Azure.RequestFailedException>(() => new UpstreamResolver(ungranted).ResolveAsync(Input(UpstreamRead.Snapshot)));

        // Assert: storage itself refused, not a check in the resolver.
        Assert.Equal(403, refused.Status);
    }

    private static InputSpec Input(UpstreamRead read, string product = Upstream) =>
        new() { Name = "ledger", Product = product, Versions = "^1", Read = read };

    private static ReleaseLineage Built(string version, int release, string product = Upstream) =>
        new([], [new UpstreamRelease("sales.other", "1.0.0", 7), new UpstreamRelease(product, version, release)]);
}
