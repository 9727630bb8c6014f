using System.Globalization;
using DataMesh.Pipeline;
using DataMesh.Publishing;
using DataMesh.Specs;
using DataMesh.Storage;
using DuckDB.NET.Data;

namespace DataMesh.Core.Tests.Publishing;

/// <summary>
/// Snapshot releases written by hand on Azurite: Parquet files made by DuckDB, manifests through
/// <see cref="ReleaseStore.WriteManifestAsync"/>, files of earlier releases referenced as publish references them.
/// </summary>
internal sealed class SnapshotChain(MeshStorage storage, string domain, string name, string version = "1.0.0") : IDisposable
{
    private readonly DirectoryInfo _scratch = Directory.CreateTempSubdirectory("datamesh-snapshots-");

    public ReleaseStore Store { get; } = new(storage.Products(domain));

    public string ProductId => $"{domain}.{name}";

    public string Name => name;

    public string Version => version;

    /// <summary>
    /// Writes release <paramref name="release"/>: its own files, each holding the ids <c>[from, to)</c>, and the files of
    /// <paramref name="referenced"/> as they stand in earlier manifests. <paramref name="keyBounds"/> records each own
    /// file's id bounds as a merge publish does (<see cref="ReleaseFile.Key"/>); without it the manifest is as those
    /// written before key bounds.
    /// </summary>
    public async Task<ReleaseManifest> WriteAsync(
        int release, DateTimeOffset createdAt, IReadOnlyList<(string Path, int From, int To)> own, IEnumerable<ReleaseManifest>? referenced = null, OutputMode mode = OutputMode.Append, bool keyBounds = false)
    {
        await storage.EnsureDomainAsync(domain);
        var folder = ReleaseStore.Folder(name, version, release);
        var files = new List<ReleaseFile>();
        foreach (var (path, from, to) in own)
        {
            var local = Path.Combine(_scratch.FullName, Guid.NewGuid().ToString("N") + ".parquet");
            using (var connection = new DuckDBConnection("DataSource=:memory:"))
            {
                connection.Open();
                using var command = connection.CreateCommand();
                command.CommandText = string.Create(CultureInfo.InvariantCulture,
                    $"COPY (SELECT range AS id, 'row ' || range AS label FROM range({from}, {to})) TO '{local}' (FORMAT parquet)");
                command.ExecuteNonQuery();
            }

            files.Add(await Store.UploadFileAsync(folder, path, local) with
            {
                Rows = to - from,
                Key = keyBounds ? new KeyRange("id", from.ToString(CultureInfo.InvariantCulture), (to - 1).ToString(CultureInfo.InvariantCulture)) : null,
            });
        }

        foreach (var earlier in referenced ?? [])
        {
            files.AddRange(earlier.Files.Select(f => f.Release is null ? f with { Release = earlier.Release } : f));
        }

        return await Store.WriteManifestAsync(folder, new ReleaseManifest
        {
            ProductId = ProductId,
            Version = version,
            Release = release,
            RunId = $"run-{release}",
            CreatedAt = createdAt,
            Rows = files.Sum(f => f.Rows),
            Schema = [new OutputColumn("id", "BIGINT"), new OutputColumn("label", "VARCHAR")],
            SchemaHash = "test",
            Files = files,
            Changes = new ReleaseChanges { Mode = mode, BasedOn = release > 1 ? release - 1 : null },
            Quality = new QualitySummary(true, 0, []),
            Lineage = new ReleaseLineage([], []),
            ContractId = $"{ProductId}@{version}",
        });
    }

    /// <summary>Publishes a built snapshot as release <paramref name="release"/>, as the publish stage does: its own files uploaded with their rows and bounds, the referenced ones listed.</summary>
    public async Task<ReleaseManifest> WritePlanAsync(int release, DateTimeOffset createdAt, SnapshotPlan plan)
    {
        await storage.EnsureDomainAsync(domain);
        var folder = ReleaseStore.Folder(name, version, release);
        var files = new List<ReleaseFile>();
        foreach (var own in plan.Own)
        {
            files.Add(await Store.UploadFileAsync(folder, own.Path, own.LocalPath) with { Rows = own.Rows, Rewritten = own.Rewritten, Key = own.Key });
        }

        return await Store.WriteManifestAsync(folder, new ReleaseManifest
        {
            ProductId = ProductId,
            Version = version,
            Release = release,
            RunId = $"run-{release}",
            CreatedAt = createdAt,
            Rows = plan.Rows,
            Schema = [new OutputColumn("id", "BIGINT"), new OutputColumn("label", "VARCHAR")],
            SchemaHash = "test",
            Files = [.. files, .. await plan.UploadDeletionsAsync(Store, folder)],
            Changes = plan.Changes,
            Quality = new QualitySummary(true, 0, []),
            Lineage = new ReleaseLineage([], []),
            ContractId = $"{ProductId}@{version}",
        });
    }

    /// <summary>The blob names of a manifest's data files.</summary>
    public IReadOnlyList<string> BlobNames(ReleaseManifest manifest) =>
        [.. manifest.Files.Select(f => ReleaseStore.FileBlobName(name, manifest.Version, manifest.Release, f))];

    /// <summary>Every data blob of the product now in storage.</summary>
    public async Task<SortedSet<string>> DataBlobsAsync()
    {
        var blobs = new SortedSet<string>(StringComparer.Ordinal);
        await foreach (var blob in Store.Container.GetBlobsAsync(new Azure.Storage.Blobs.Models.GetBlobsOptions { Prefix = name + "/" }))
        {
            if (blob.Name.EndsWith(".parquet", StringComparison.Ordinal))
            {
                blobs.Add(blob.Name);
            }
        }

        return blobs;
    }

    /// <summary>Downloads a release's files (as its manifest lists them) into a folder of their own and returns their local paths.</summary>
    public async Task<IReadOnlyList<string>> DownloadAsync(int release)
    {
        var manifest = await Store.ReadManifestAsync(ReleaseStore.Folder(name, version, release)) ?? throw new InvalidOperationException($"no release {release}");
        var target = Directory.CreateDirectory(Path.Combine(_scratch.FullName, $"read-{release}-{Guid.NewGuid():N}"));
        var paths = new List<string>();
        foreach (var (file, i) in manifest.Files.Select((f, i) => (f, i)))
        {
            var local = Path.Combine(target.FullName, i.ToString(CultureInfo.InvariantCulture) + ".parquet");
            await Store.Container.GetBlobClient(ReleaseStore.FileBlobName(name, version, release, file)).DownloadToAsync(local);
            paths.Add(local);
        }

        return paths;
    }

    /// <summary>Rows in one release and not the other, both ways (multiset difference: EXCEPT ALL), and the two row counts.</summary>
    public async Task<(long OnlyInA, long OnlyInB, long RowsA, long RowsB)> CompareAsync(int a, int b)
    {
        var filesA = await DownloadAsync(a);
        var filesB = await DownloadAsync(b);
        using var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        long Scalar(string sql)
        {
            using var command = connection.CreateCommand();
            command.CommandText = sql;
            return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
        }

        Scalar($"CREATE VIEW a AS SELECT * FROM read_parquet({DataMesh.Engine.Sql.List(filesA)}, hive_partitioning = false)");
        Scalar($"CREATE VIEW b AS SELECT * FROM read_parquet({DataMesh.Engine.Sql.List(filesB)}, hive_partitioning = false)");
        return (
            Scalar("SELECT count(*) FROM (SELECT * FROM a EXCEPT ALL SELECT * FROM b)"),
            Scalar("SELECT count(*) FROM (SELECT * FROM b EXCEPT ALL SELECT * FROM a)"),
            Scalar("SELECT count(*) FROM a"),
            Scalar("SELECT count(*) FROM b"));
    }

    /// <summary>The ids of a release, sorted.</summary>
    public async Task<IReadOnlyList<long>> IdsAsync(int release)
    {
        var files = await DownloadAsync(release);
        using var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT id FROM read_parquet({DataMesh.Engine.Sql.List(files)}, hive_partitioning = false) ORDER BY id";
        using var reader = command.ExecuteReader();
        var ids = new List<long>();
        while (reader.Read())
        {
            ids.Add(reader.GetInt64(0));
        }

        return ids;
    }

    public void Dispose() => _scratch.Delete(recursive: true);
}
