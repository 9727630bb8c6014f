using DataMesh.Publishing;
using DataMesh.Specs;
using DataMesh.Storage;
using DataMesh.Testing;
using static DataMesh.Testing.SnapshotChain;

namespace DataMesh.EndToEnd.Tests;

/// <summary>
/// <c>datamesh query ID@VERSION#RELEASE</c> over a three-release snapshot chain written by hand (release 1 from before
/// snapshots, 2 an append referencing it, 3 a merge referencing 2 and rewriting 1): each release reads back its table.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class TimeTravelTests(AzuriteFixture azurite) : IDisposable
{
    private const string Day1 = "day=2026-11-01/part-00000.parquet";
    private const string Day2 = "day=2026-11-02/part-00000.parquet";

    private readonly string _domain = "tt" + Guid.NewGuid().ToString("N")[..6];
    private readonly string _root = Directory.CreateTempSubdirectory("dm-time-travel-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task Query_EachReleaseOfASnapshotChain_ReadsBackExactlyItsRows()
    {
        // Arrange
        var productId = $"{_domain}.ledger";
        var storage = await azurite.OpenMeshStorageAsync();
        var first = await WriteOldAsync(storage, productId, "1.0.0", 1, [new OwnFile(Day1, [(1, "a"), (2, "b"), (3, "c")])]);
        var second = await WriteAsync(storage, productId, "1.0.0", 2, [new OwnFile(Day2, [(4, "d"), (5, "e")])],
            [Reference(first, Day1)], new ReleaseChanges { Mode = OutputMode.Append, BasedOn = 1 });
        await WriteAsync(storage, productId, "1.0.0", 3,
            [new OwnFile(Day1, [(1, "a"), (3, "c")], Rewritten: true), new OwnFile(Day2, [(2, "B"), (6, "f")])],
            [Reference(second, Day2)], new ReleaseChanges { Mode = OutputMode.Merge, BasedOn = 2 });

        // Act
        var releases = new List<CliRunner.CliResult>();
        foreach (var release in new[] { 1, 2, 3 })
        {
            releases.Add(await CliAsync("query", $"{productId}@1.0.0#{release}", "SELECT id, label FROM ledger ORDER BY id", "--format", "csv"));
        }

        var newest = await CliAsync("query", productId, "SELECT count(*) AS n FROM ledger", "--format", "csv");
        var missing = await CliAsync("query", $"{productId}@1.0.0#9", "SELECT 1", "--format", "csv");

        // Assert
        Assert.All(releases, r => Assert.True(r.ExitCode == 0, r.StdErr));
        Assert.Equal("id,label|1,a|2,b|3,c", Lines(releases[0]));
        Assert.Equal("id,label|1,a|2,b|3,c|4,d|5,e", Lines(releases[1]));
        Assert.Equal("id,label|1,a|2,B|3,c|4,d|5,e|6,f", Lines(releases[2]));
        Assert.Equal("n|6", Lines(newest));
        Assert.True(missing.ExitCode == 1, missing.StdErr);
        Assert.Contains("'1.0.0#9' in this mesh (never published, or no longer retained)", missing.StdErr, StringComparison.Ordinal);
    }

    private static string Lines(CliRunner.CliResult result) =>
        string.Join('|', result.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    private Task<CliRunner.CliResult> CliAsync(params string[] args) =>
        CliRunner.RunAsync(_root, azurite.CliEnvironment(Path.Combine(_root, ".datamesh")), args);
}
