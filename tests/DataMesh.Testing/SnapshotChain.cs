using System.Globalization;
using System.Text.Json.Nodes;
using DataMesh.Pipeline;
using DataMesh.Publishing;
using DataMesh.Specs;
using DataMesh.Storage;
using DuckDB.NET.Data;

namespace DataMesh.Testing;

/// <summary>
/// Releases written by hand as the snapshot engine lays them out (own Parquet files in the release's folder, earlier
/// releases' files referenced from their folders), without running a pipeline: for tests of the reading side.
/// </summary>
public static class SnapshotChain
{
    /// <summary>Writes the own files and the manifest of one release; <paramref name="referenced"/> are kept from earlier releases.</summary>
    public static async Task<ReleaseManifest> WriteAsync(
        MeshStorage storage, string productId, string version, int release, IReadOnlyList<OwnFile> own, IReadOnlyList<ReleaseFile>? referenced = null,
        ReleaseChanges? changes = null, IReadOnlyList<UpstreamRelease>? upstream = null)
    {
        ArgumentNullException.ThrowIfNull(storage);
        ArgumentNullException.ThrowIfNull(own);
        ProductIds.TrySplit(productId, out var domain, out var name);
        await storage.EnsureDomainAsync(domain).ConfigureAwait(false);
        var store = new ReleaseStore(storage.Products(domain));
        var folder = ReleaseStore.Folder(name, version, release);
        var scratch = Directory.CreateTempSubdirectory("datamesh-snapshot-chain-");
        try
        {
            var files = new List<ReleaseFile>(referenced ?? []);
            foreach (var file in own)
            {
                var local = Path.Combine(scratch.FullName, Guid.NewGuid().ToString("N") + ".parquet");
                WriteParquet(local, file.Rows);
                var written = await store.UploadFileAsync(folder, file.Path, local).ConfigureAwait(false);
                files.Add(written with { Rows = file.Rows.Count, Rewritten = file.Rewritten });
            }

            return await store.WriteManifestAsync(folder, new ReleaseManifest
            {
                ProductId = productId,
                Version = version,
                Release = release,
                RunId = $"{productId}-chain-{version}-{release}",
                CreatedAt = DateTimeOffset.UtcNow,
                Rows = files.Sum(f => f.Rows),
                Schema = [new OutputColumn("id", "INTEGER"), new OutputColumn("label", "VARCHAR")],
                SchemaHash = "",
                Files = files,
                Changes = changes,
                Quality = new QualitySummary(true, 0, []),
                Lineage = new ReleaseLineage([], upstream ?? []),
                ContractId = $"{productId}@{version}",
            }).ConfigureAwait(false);
        }
        finally
        {
            scratch.Delete(recursive: true);
        }
    }

    /// <summary>
    /// Writes a release's manifest as releases were written before snapshots: no <c>changes</c>, and files with only
    /// path, size and checksum (no rows, release, version or rewritten), to check that readers still read them.
    /// </summary>
    public static async Task<ReleaseManifest> WriteOldAsync(MeshStorage storage, string productId, string version, int release, IReadOnlyList<OwnFile> own)
    {
        ArgumentNullException.ThrowIfNull(storage);
        var manifest = await WriteAsync(storage, productId, version, release, own).ConfigureAwait(false);
        var json = JsonNode.Parse(BinaryData.FromObjectAsJson(manifest, new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web)).ToString())!.AsObject();
        json.Remove("changes");
        foreach (var file in json["files"]!.AsArray())
        {
            foreach (var field in new[] { "rows", "release", "version", "rewritten" })
            {
                file!.AsObject().Remove(field);
            }
        }

        ProductIds.TrySplit(productId, out var domain, out var name);
        await storage.Products(domain).GetBlobClient(ReleaseStore.Folder(name, version, release) + ReleaseStore.ManifestName).UploadAsync(BinaryData.FromString(json.ToJsonString()), overwrite: true).ConfigureAwait(false);
        return manifest;
    }

    /// <summary>A file of an earlier release, as a later release's manifest references it.</summary>
    public static ReleaseFile Reference(ReleaseManifest writer, string path, string? version = null) =>
        (writer ?? throw new ArgumentNullException(nameof(writer))).Files.Single(f => f.Path == path && f.Release is null) with { Release = writer.Release, Version = version };

    /// <summary>Writes rows (id, label) to a Parquet file.</summary>
    public static void WriteParquet(string path, IReadOnlyList<(int Id, string Label)> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        using var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        var values = rows.Count == 0
            ? "SELECT 0::INTEGER AS id, ''::VARCHAR AS label WHERE false"
            : "SELECT * FROM (VALUES " + string.Join(", ", rows.Select(r => string.Create(CultureInfo.InvariantCulture, $"({r.Id}::INTEGER, '{r.Label}')"))) + ") t(id, label)";
        command.CommandText = $"COPY ({values}) TO '{path}' (FORMAT parquet)";
        command.ExecuteNonQuery();
    }

    /// <summary>The rows of Parquet files (or of the SQL given over them), as "id:label", sorted.</summary>
    public static IReadOnlyList<string> Rows(IReadOnlyList<string> files)
    {
        ArgumentNullException.ThrowIfNull(files);
        using var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT id::VARCHAR || ':' || label FROM read_parquet([{string.Join(", ", files.Select(f => $"'{f}'"))}])";
        using var reader = command.ExecuteReader();
        var rows = new List<string>();
        while (reader.Read())
        {
            rows.Add(reader.GetString(0));
        }

        rows.Sort(StringComparer.Ordinal);
        return rows;
    }

    /// <summary>"id:label" for each row, sorted, as <see cref="Rows"/> gives them.</summary>
    public static IReadOnlyList<string> Expected(params (int Id, string Label)[] rows) =>
        rows.Select(r => string.Create(CultureInfo.InvariantCulture, $"{r.Id}:{r.Label}")).Order(StringComparer.Ordinal).ToList();
}
