using DataMesh.Pipeline;
using DataMesh.Publishing;
using DataMesh.Specs;
using DataMesh.Storage;

namespace DataMesh.Testing;

/// <summary>
/// A release written straight into a domain's <c>products</c> container as the publish stage lays it out (data files,
/// then the manifest with their sizes and SHA-256), without running a pipeline: for tests of the reading side.
/// </summary>
public static class TestRelease
{
    /// <summary>Writes the files and the manifest of <paramref name="productId"/> <paramref name="version"/>#<paramref name="release"/>.</summary>
    public static async Task<ReleaseManifest> WriteAsync(MeshStorage storage, string productId, string version, int release, IReadOnlyList<(string Path, byte[] Bytes)> files)
    {
        ArgumentNullException.ThrowIfNull(storage);
        ArgumentNullException.ThrowIfNull(files);
        if (!ProductIds.TrySplit(productId, out var domain, out var name))
        {
            throw new ArgumentException($"'{productId}' is not a product id.", nameof(productId));
        }

        await storage.EnsureDomainAsync(domain).ConfigureAwait(false);
        var store = new ReleaseStore(storage.Products(domain));
        var folder = ReleaseStore.Folder(name, version, release);
        var scratch = Directory.CreateTempSubdirectory("datamesh-test-release-");
        try
        {
            var written = new List<ReleaseFile>();
            foreach (var (path, bytes) in files)
            {
                var local = Path.Combine(scratch.FullName, Guid.NewGuid().ToString("N"));
                await File.WriteAllBytesAsync(local, bytes).ConfigureAwait(false);
                written.Add(await store.UploadFileAsync(folder, path, local).ConfigureAwait(false));
            }

            return await store.WriteManifestAsync(folder, new ReleaseManifest
            {
                ProductId = productId,
                Version = version,
                Release = release,
                RunId = $"{productId}-test-{version}-{release}",
                CreatedAt = DateTimeOffset.UtcNow,
                Rows = 0,
                Schema = [],
                SchemaHash = "",
                Files = written,
                Quality = new QualitySummary(true, 0, []),
                Lineage = new ReleaseLineage([], []),
                ContractId = $"{productId}@{version}",
            }).ConfigureAwait(false);
        }
        finally
        {
            scratch.Delete(recursive: true);
        }
    }

    /// <summary><paramref name="size"/> random bytes that start like a Parquet file.</summary>
    public static byte[] ParquetLike(int size)
    {
        var bytes = new byte[size];
        Random.Shared.NextBytes(bytes);
        "PAR1"u8.CopyTo(bytes);
        return bytes;
    }
}
