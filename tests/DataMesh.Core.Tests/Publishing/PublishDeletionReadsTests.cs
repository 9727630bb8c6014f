using System.Collections.Concurrent;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using DataMesh.Consumption;
using DataMesh.Engine;
using DataMesh.Publishing;
using DataMesh.Specs;
using DataMesh.Storage;
using DataMesh.Testing;
using static DataMesh.Core.Tests.Publishing.MergeSnapshotWorkspace;

namespace DataMesh.Core.Tests.Publishing;

/// <summary>
/// Publish's own reads of a snapshot with deletion files (the merge's scan of its candidate files, the snapshot quality
/// gate's read of the whole snapshot, a retried publish of the same run, a compaction pass) fetch each data file and each
/// deletion file once per run, counted on the wire (a pipeline policy on the blob clients), and read the rows a reader
/// reads.
/// </summary>
[Collection("azurite")]
public sealed class PublishDeletionReadsTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly RequestLog _requests = new();
    private readonly MergeSnapshotWorkspace _workspace;

    public PublishDeletionReadsTests(AzuriteFixture azurite)
    {
        // One account by design: the test's own clients, which log every request they send.
        var options = new BlobClientOptions();
        options.AddPolicy(_requests, HttpPipelinePosition.PerCall);
        var storage = new MeshStorage(
            new BlobServiceClient(azurite.ConnectionString, options),
            new QueueServiceClient(azurite.ConnectionString),
            new TableServiceClient(azurite.ConnectionString),
            new MeshStorageOptions { Namespace = AzuriteFixture.CreateNamespace() });
        _workspace = new MergeSnapshotWorkspace(azurite, "datamesh-publish-reads-", storage);
    }

    [Fact]
    public async Task Publish_MergeThenSnapshotQualityThenRetry_FetchesEachFileAndDeletionFileOnceAndReadsTheSnapshotsRows()
    {
        // Arrange: release 1 holds ids 0-999 and 1000-1999 in two files; release 2 changes 150 and 1500 (a deletion file on
        // each) and adds 5000 in a file of its own (bounds 150-5000).
        using var chain = _workspace.Chain("staff-reads");
        var r1 = await chain.WritePlanAsync(1, T0, await Builder(chain).BuildAsync(null, [
            ("part-00000.parquet", _workspace.Output([.. Enumerable.Range(0, 1000)], "row")),
            ("part-00001.parquet", _workspace.Output([.. Enumerable.Range(1000, 1000)], "row")),
        ]));
        var r2 = await chain.WritePlanAsync(2, T0.AddDays(1), await Builder(chain).BuildAsync(new SnapshotBase("1.0.0", 1, r1), [("part-00000.parquet", _workspace.Output([150, 1500, 5000]))]));
        Assert.Equal(2, r2.Files.Count(f => f.Deletes is not null));
        _requests.Clear();

        // Act: release 3's publish, as PublishActivity runs it, twice in the same run folder (a retried attempt): the merge
        // of 152 and 7000 scans the first file (with its deletion file) and release 2's own file; the gate then reads the
        // whole snapshot, the second file with its deletion file included.
        var output = _workspace.Output([152, 7000]);
        List<string> first = [], retried = [];
        SnapshotPlan plan = null!;
        foreach (var (retry, rows) in new[] { (false, first), (true, retried) })
        {
            var builder = Builder(chain, retry);
            plan = await builder.BuildAsync(new SnapshotBase("1.0.0", 2, r2), [("part-00000.parquet", output)]);
            rows.AddRange(Query($"SELECT id || '|' || label FROM read_parquet({Sql.List([.. plan.Own.Select(f => f.LocalPath), .. await builder.DownloadAsync(plan.Referenced)])})"));
        }

        // Assert: every blob fetched once; both of release 2's deletion files among them.
        var fetched = _requests.Downloads();
        Assert.All(fetched, f => Assert.True(f.Count == 1, $"{f.Blob} fetched {f.Count} times"));
        Assert.Equal(
            ["staff-reads/1.0.0/2/part-del-00000.parquet", "staff-reads/1.0.0/2/part-del-00001.parquet"],
            fetched.Select(f => f.Blob).Where(b => b.Contains("part-del-", StringComparison.Ordinal)).Order(StringComparer.Ordinal));

        // The rows are the upsert of the three runs, and what a reader of the written release reads.
        var expected = Sorted([
            .. Enumerable.Range(0, 2000).Where(i => i is not 150 and not 152 and not 1500).Select(i => $"{i}|row {i}"),
            "150|new 150", "1500|new 1500", "5000|new 5000", "152|new 152", "7000|new 7000",
        ]);
        Assert.Equal(expected, Sorted(first));
        Assert.Equal(expected, Sorted(retried));
        await chain.WritePlanAsync(3, T0.AddDays(2), plan);
        Assert.Equal(expected, await ReadAsync(chain, 3));
    }

    [Fact]
    public async Task Compact_SnapshotWithDeletionFiles_FetchesEachFileAndDeletionFileOnceAndKeepsTheRows()
    {
        // Arrange: two 1000-row files with a deletion file each (release 2).
        using var chain = _workspace.Chain("staff-reads-compact");
        var r1 = await chain.WritePlanAsync(1, T0, await Builder(chain).BuildAsync(null, [
            ("part-00000.parquet", _workspace.Output([.. Enumerable.Range(0, 1000)], "row")),
            ("part-00001.parquet", _workspace.Output([.. Enumerable.Range(1000, 1000)], "row")),
        ]));
        var r2 = await chain.WritePlanAsync(2, T0.AddDays(1), await Builder(chain).BuildAsync(new SnapshotBase("1.0.0", 1, r1), [("part-00000.parquet", _workspace.Output([.. Enumerable.Range(300, 200), .. Enumerable.Range(1300, 200)]))]));
        Assert.Equal(2, r2.Files.Count(f => f.Deletes is not null));
        var before = await ReadAsync(chain, 2);
        _requests.Clear();
        var compactor = new ReleaseCompactor(_workspace.Storage, new ReleaseCompactionOptions { WorkDirectory = _workspace.Work.FullName }, new ManualClock(T0.AddDays(2)));

        // Act
        var result = await compactor.CompactAsync(Domain, "staff-reads-compact", "1.0.0", OutputMode.Merge, keyColumn: "id");

        // Assert
        Assert.Equal((CompactionStatus.Compacted, (int?)3), (result.Status, result.Release));
        var fetched = _requests.Downloads();
        Assert.All(fetched, f => Assert.True(f.Count == 1, $"{f.Blob} fetched {f.Count} times"));
        Assert.Equal(2, fetched.Count(f => f.Blob.Contains("part-del-", StringComparison.Ordinal)));
        Assert.Equal(before, await ReadAsync(chain, 3));
    }

    public void Dispose() => _workspace.Dispose();

    private SnapshotBuilder Builder(SnapshotChain chain, bool retry = false) => _workspace.Builder(chain, deletionMinRows: 100, retry: retry);

    private async Task<List<string>> ReadAsync(SnapshotChain chain, int release)
    {
        var reader = new ReleaseReader(_workspace.Storage, Path.Combine(_workspace.Work.FullName, "cache-" + Guid.NewGuid().ToString("N")[..8]))
        {
            AppliedDeletes = new DeletionFileCache(Path.Combine(_workspace.Work.FullName, "applied-" + Guid.NewGuid().ToString("N")[..8])),
        };
        var selected = await reader.SelectAsync(chain.ProductId, $"1.0.0#{release}");
        using var local = await reader.EnsureLocalAsync(selected!);
        return Query($"SELECT id || '|' || label FROM read_parquet({Sql.List(local.Files)})");
    }

    /// <summary>Every request the blob clients send, by method and path.</summary>
    private sealed class RequestLog : HttpPipelineSynchronousPolicy
    {
        private readonly ConcurrentQueue<(string Method, string Path, string Query)> _sent = new();

        public override void OnSendingRequest(HttpMessage message)
        {
            ArgumentNullException.ThrowIfNull(message);
            _sent.Enqueue((message.Request.Method.Method, Uri.UnescapeDataString(message.Request.Uri.Path), message.Request.Uri.Query));
        }

        public void Clear() => _sent.Clear();

        /// <summary>Blob downloads (GET without a <c>comp</c> operation) per blob name in its container, with their count.</summary>
        public List<(string Blob, int Count)> Downloads() =>
            [.. _sent.Where(r => r.Method == "GET" && !r.Query.Contains("comp=", StringComparison.Ordinal) && r.Path.EndsWith(".parquet", StringComparison.Ordinal))
                .Select(r => string.Join('/', r.Path.Split('/', StringSplitOptions.RemoveEmptyEntries).Skip(2)))
                .GroupBy(b => b, StringComparer.Ordinal)
                .Select(g => (g.Key, g.Count()))];
    }
}
