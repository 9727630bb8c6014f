using DataMesh.Publishing;
using DuckDB.NET.Data;

namespace DataMesh.EndToEnd.Tests;

/// <summary>Reads a release's whole snapshot as a consumer would: every file its manifest lists, wherever it lives.</summary>
internal static class SnapshotRows
{
    /// <summary>
    /// The rows of release <paramref name="release"/> as sorted text lines of <paramref name="columns"/> joined by '|'
    /// (a row set, compared exactly, not only counted).
    /// </summary>
    public static async Task<IReadOnlyList<string>> ReadAsync(ReleaseStore store, string productName, string version, int release, string columns)
    {
        var manifest = await store.ReadManifestAsync(ReleaseStore.Folder(productName, version, release))
            ?? throw new InvalidOperationException($"release {release} of {productName} has no manifest");
        var root = Path.Combine(Path.GetTempPath(), $"dm-snapshot-{Guid.NewGuid():N}");
        try
        {
            var paths = new List<string>();
            foreach (var file in manifest.Files)
            {
                var local = Path.Combine(root, file.SnapshotPath(version));
                Directory.CreateDirectory(Path.GetDirectoryName(local)!);
                await store.Container.GetBlobClient(ReleaseStore.FileBlobName(productName, version, release, file)).DownloadToAsync(local);
                paths.Add(local);
            }

            if (paths.Count == 0)
            {
                return [];
            }

            using var connection = new DuckDBConnection("DataSource=:memory:");
            connection.Open();
            using var command = connection.CreateCommand();
            var list = string.Join(", ", paths.Select(p => "'" + p.Replace("'", "''", StringComparison.Ordinal) + "'"));
            command.CommandText = $"SELECT concat_ws('|', {columns}) AS line FROM read_parquet([{list}]) ORDER BY line";
            using var reader = command.ExecuteReader();
            var rows = new List<string>();
            while (reader.Read())
            {
                rows.Add(reader.GetString(0));
            }

            return rows;
        }
        finally
        {
            if (Directory.Exists(root))
            {
                Directory.Delete(root, recursive: true);
            }
        }
    }
}
