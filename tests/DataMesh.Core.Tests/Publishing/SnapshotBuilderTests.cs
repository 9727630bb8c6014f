using DataMesh.Contracts;
using DataMesh.Engine;
using DataMesh.Publishing;
using DataMesh.Specs;
using DataMesh.Testing;
using DuckDB.NET.Data;

namespace DataMesh.Core.Tests.Publishing;

/// <summary>
/// A merge's snapshot on Azurite + DuckDB: base files whose key bounds (<see cref="ReleaseFile.Key"/>) hold no key of the
/// output are referenced without being read; manifests without bounds still merge, reading every base file.
/// </summary>
[Collection("azurite")]
public sealed class SnapshotBuilderTests(AzuriteFixture azurite) : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("datamesh-snapshot-builder-");

    [Fact]
    public async Task BuildAsync_MergeKeysInOneFilesBounds_ReadsAndRewritesOnlyThatFile()
    {
        // Arrange: ids 0-99 in a.parquet, 100-199 in b.parquet, their bounds in the manifest; the output replaces id 150
        // and adds id 250 (above every file's bounds).
        var storage = azurite.CreateStorage();
        using var chain = new SnapshotChain(storage, "hr", "staff-bounds");
        var r1 = await chain.WriteAsync(1, T0, [("a.parquet", 0, 100), ("b.parquet", 100, 200)], mode: OutputMode.Merge, keyBounds: true);
        var builder = Builder(chain);

        // Act
        var plan = await builder.BuildAsync(new SnapshotBase("1.0.0", 1, r1), [("part-00000.parquet", Output([150, 250]))]);

        // Assert: a.parquet is referenced and was never downloaded; b.parquet is rewritten without id 150.
        Assert.Equal(["b.parquet"], plan.Scanned.Select(f => f.Path));
        Assert.Equal(["b.parquet"], Downloaded(builder));
        var referenced = Assert.Single(plan.Referenced);
        Assert.Equal(("a.parquet", 1), (referenced.Path, referenced.Release));
        var rewrite = Assert.Single(plan.Own, f => f.Rewritten);
        Assert.Equal((99L, new KeyRange("id", "100", "199")), (rewrite.Rows, rewrite.Key));
        Assert.Equal(new KeyRange("id", "150", "250"), Assert.Single(plan.Own, f => !f.Rewritten).Key);
        Assert.Equal((1L, 1L, 0L), (plan.Changes.RowsAdded, plan.Changes.RowsReplaced, plan.Changes.RowsRemoved));
        Assert.Equal(Expected([.. Enumerable.Range(0, 200).Where(i => i != 150)], [150, 250]), await RowsAsync(chain, plan));
    }

    [Fact]
    public async Task BuildAsync_MergeOnManifestWithoutKeyBounds_ReadsEveryFileAndRewritesOnlyTheTouchedOne()
    {
        // Arrange: the same table as a manifest written before key bounds.
        var storage = azurite.CreateStorage();
        using var chain = new SnapshotChain(storage, "hr", "staff-old");
        var r1 = await chain.WriteAsync(1, T0, [("a.parquet", 0, 100), ("b.parquet", 100, 200)], mode: OutputMode.Merge);
        var builder = Builder(chain);

        // Act
        var plan = await builder.BuildAsync(new SnapshotBase("1.0.0", 1, r1), [("part-00000.parquet", Output([150, 250]))]);

        // Assert
        Assert.Equal(["a.parquet", "b.parquet"], plan.Scanned.Select(f => f.Path).Order(StringComparer.Ordinal));
        Assert.Equal(("a.parquet", 1), plan.Referenced.Select(f => (f.Path, f.Release)).Single());
        Assert.Equal(99L, Assert.Single(plan.Own, f => f.Rewritten).Rows);
        Assert.Equal(Expected([.. Enumerable.Range(0, 200).Where(i => i != 150)], [150, 250]), await RowsAsync(chain, plan));
    }

    public void Dispose() => _work.Delete(recursive: true);

    private string SnapshotDirectory => Path.Combine(_work.FullName, "snapshot");

    private string OutputDirectory => Path.Combine(_work.FullName, "output");

    private SnapshotBuilder Builder(SnapshotChain chain)
    {
        Directory.CreateDirectory(SnapshotDirectory);
        var spec = new ProductSpec
        {
            Domain = "hr",
            Name = chain.Name,
            Version = chain.Version,
            Inputs = [],
            TransformSqlPath = "transform.sql",
            Output = new OutputSpec { Contract = "contract.odcs.yaml", Mode = OutputMode.Merge, Key = ["id"] },
            Directory = _work.FullName,
            SpecPath = Path.Combine(_work.FullName, "product.yaml"),
            Contract = new DataContract { ApiVersion = "v3.1.0", Id = "urn:test:staff", Version = "1.0.0", Path = "contract.odcs.yaml", Schema = [] },
            TransformSql = "",
        };
        var session = new DuckDbSessionOptions { AllowedDirectories = [SnapshotDirectory, OutputDirectory], TempDirectory = Path.Combine(_work.FullName, "tmp") };
        return new SnapshotBuilder(spec, chain.Store, SnapshotDirectory, session, rowGroupSize: 122_880);
    }

    /// <summary>A run's output file: rows of <paramref name="ids"/> labelled <c>new N</c>.</summary>
    private string Output(IReadOnlyList<int> ids)
    {
        Directory.CreateDirectory(OutputDirectory);
        var path = Path.Combine(OutputDirectory, "part-00000.parquet");
        Execute($"COPY (SELECT id::BIGINT AS id, 'new ' || id AS label FROM (VALUES {string.Join(", ", ids.Select(i => $"({i})"))}) v(id)) TO {Sql.Literal(path)} (FORMAT parquet)");
        return path;
    }

    /// <summary>Names of the base files the builder downloaded.</summary>
    private static List<string> Downloaded(SnapshotBuilder builder) =>
        Directory.Exists(builder.BaseDirectory)
            ? [.. Directory.EnumerateFiles(builder.BaseDirectory, "*.parquet", SearchOption.AllDirectories).Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal)]
            : [];

    /// <summary>The plan's snapshot rows (<c>id|label</c>, sorted): its own files and its referenced ones read from storage.</summary>
    private async Task<List<string>> RowsAsync(SnapshotChain chain, SnapshotPlan plan)
    {
        var files = plan.Own.Select(f => f.LocalPath).ToList();
        foreach (var file in plan.Referenced)
        {
            var local = Path.Combine(_work.FullName, "read", Guid.NewGuid().ToString("N") + ".parquet");
            Directory.CreateDirectory(Path.GetDirectoryName(local)!);
            await chain.Store.Container.GetBlobClient(ReleaseStore.FileBlobName(chain.Name, chain.Version, 2, file)).DownloadToAsync(local);
            files.Add(local);
        }

        using var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT id || '|' || label FROM read_parquet({Sql.List(files)}, hive_partitioning = false)";
        using var reader = command.ExecuteReader();
        var rows = new List<string>();
        while (reader.Read())
        {
            rows.Add(reader.GetString(0));
        }

        return [.. rows.Order(StringComparer.Ordinal)];
    }

    /// <summary>Sorted rows of a merge: the base ids kept (<c>row N</c>) and the output's ids (<c>new N</c>).</summary>
    private static List<string> Expected(IEnumerable<int> kept, IEnumerable<int> written) =>
        [.. kept.Select(i => $"{i}|row {i}").Concat(written.Select(i => $"{i}|new {i}")).Order(StringComparer.Ordinal)];

    private static void Execute(string sql)
    {
        using var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
