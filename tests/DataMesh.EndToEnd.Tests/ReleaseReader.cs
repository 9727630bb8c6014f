using Azure.Storage.Blobs;
using DuckDB.NET.Data;

namespace DataMesh.EndToEnd.Tests;

/// <summary>Reads a published release the way a consumer would: download its Parquet and query it with DuckDB.</summary>
internal static class ReleaseReader
{
    public static async Task<long> CountRowsAsync(BlobContainerClient products, string productName, string version, int release, string where = "true")
    {
        var local = Path.Combine(Path.GetTempPath(), $"dm-release-{Guid.NewGuid():N}.parquet");
        try
        {
            await products.GetBlobClient($"{productName}/{version}/{release}/part-00000.parquet").DownloadToAsync(local);
            using var connection = new DuckDBConnection("DataSource=:memory:");
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = $"SELECT count(*) FROM read_parquet('{local}') WHERE {where}";
            return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        }
        finally
        {
            File.Delete(local);
        }
    }

    /// <summary>The values of one column of a release's single Parquet file, as text.</summary>
    public static async Task<IReadOnlyList<string>> ValuesAsync(BlobContainerClient products, string productName, string version, int release, string column)
    {
        var local = Path.Combine(Path.GetTempPath(), $"dm-release-{Guid.NewGuid():N}.parquet");
        try
        {
            await products.GetBlobClient($"{productName}/{version}/{release}/part-00000.parquet").DownloadToAsync(local);
            using var connection = new DuckDBConnection("DataSource=:memory:");
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = $"SELECT CAST(\"{column}\" AS VARCHAR) FROM read_parquet('{local}')";
            using var reader = command.ExecuteReader();
            var values = new List<string>();
            while (reader.Read())
            {
                values.Add(reader.GetString(0));
            }

            return values;
        }
        finally
        {
            File.Delete(local);
        }
    }
}
