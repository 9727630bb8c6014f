using System.Security.Cryptography;
using DataMesh.Catalog;
using DataMesh.Consumption;
using DataMesh.Publishing;
using DataMesh.Storage;
using DataMesh.Testing;

namespace DataMesh.Core.Tests.Catalog;

/// <summary>
/// The files route over a release in Azurite: the file streams from the blob (whole or one range), carries the
/// manifest's checksum as its ETag, and a file that differs from its manifest never comes out whole.
/// </summary>
[Collection("azurite")]
public sealed class CatalogHttpApiFileTests(AzuriteFixture azurite) : IDisposable
{
    private const string ProductId = "finance.ledger-emea";
    private const string FileRoute = "/api/products/finance.ledger-emea/releases/1.0.0/1/files";
    private const int Size = 6 * 1024 * 1024 + 123;

    private readonly MeshStorage _storage = azurite.CreateMeshStorage();
    private readonly string _cache = Directory.CreateTempSubdirectory("datamesh-file-tests-").FullName;

    public void Dispose() => Directory.Delete(_cache, recursive: true);

    [Fact]
    public async Task GetReleaseFile_MultiMegabyteFile_StreamsTheBlobBytesWithLengthTypeETagAndName()
    {
        // Arrange
        var manifest = await PublishAsync(TestRelease.ParquetLike(Size));
        var blob = (await _storage.Products("finance").GetBlobClient("ledger-emea/1.0.0/1/date=2026-01-01/part-00000.parquet").DownloadContentAsync()).Value.Content.ToArray();

        // Act
        var answer = await Api().HandleAsync("GET", FileRoute, "?path=" + Uri.EscapeDataString("date=2026-01-01/part-00000.parquet"), DataReader.Anonymous);

        // Assert: a stream that reads from storage (not a buffer of the file), then exactly the blob's bytes.
        Assert.Equal(200, answer.StatusCode);
        var content = Assert.IsType<ReleaseFileStream>(answer.Content);
        Assert.False(content.CanSeek);
        Assert.True(content.ChecksWholeFile);
        Assert.Equal("", answer.Body);
        Assert.Equal("application/vnd.apache.parquet", answer.ContentType);
        Assert.Equal(Size, answer.ContentLength);
        Assert.Equal("bytes", answer.Headers["Accept-Ranges"]);
        Assert.Equal("attachment; filename=\"part-00000.parquet\"", answer.Headers["Content-Disposition"]);
        var checksum = manifest.Files.Single().Sha256;
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(blob)), checksum);
        Assert.Equal($"\"{checksum}\"", answer.Headers["ETag"]);
        Assert.Equal(blob, await ReadAllAsync(content));
    }

    [Theory]
    [InlineData("bytes=0-3", 0, 4)]
    [InlineData("bytes=1048576-3145727", 1048576, 2097152)]
    [InlineData("bytes=-8", Size - 8, 8)]
    [InlineData("bytes=6291000-", 6291000, Size - 6291000)]
    [InlineData("bytes=6291000-99999999", 6291000, Size - 6291000)]
    public async Task GetReleaseFile_SingleRange_Answers206WithExactlyThoseBytes(string range, int offset, int length)
    {
        // Arrange
        var bytes = TestRelease.ParquetLike(Size);
        await PublishAsync(bytes);

        // Act
        var answer = await Api().HandleAsync("GET", FileRoute, "?path=date%3D2026-01-01%2Fpart-00000.parquet", DataReader.Anonymous, new CatalogApiRequestHeaders { Range = range });

        // Assert
        Assert.Equal(206, answer.StatusCode);
        Assert.Equal(length, answer.ContentLength);
        Assert.Equal($"bytes {offset}-{offset + length - 1}/{Size}", answer.Headers["Content-Range"]);
        Assert.False(Assert.IsType<ReleaseFileStream>(answer.Content).ChecksWholeFile);
        Assert.Equal(bytes.AsSpan(offset, length).ToArray(), await ReadAllAsync(answer.Content!));
    }

    [Theory]
    [InlineData("bytes=6291579-")]
    [InlineData("bytes=99999999-100000000")]
    [InlineData("bytes=-0")]
    public async Task GetReleaseFile_RangePastTheEnd_Answers416WithTheSize(string range)
    {
        // Arrange
        await PublishAsync(TestRelease.ParquetLike(Size));

        // Act
        var answer = await Api().HandleAsync("GET", FileRoute, "?path=date%3D2026-01-01%2Fpart-00000.parquet", DataReader.Anonymous, new CatalogApiRequestHeaders { Range = range });

        // Assert
        Assert.Equal(416, answer.StatusCode);
        Assert.Equal($"bytes */{Size}", answer.Headers["Content-Range"]);
        Assert.StartsWith("application/problem+json", answer.ContentType, StringComparison.Ordinal);
        Assert.Contains("range-not-satisfiable", answer.Body, StringComparison.Ordinal);
        Assert.Null(answer.Content);
    }

    [Theory]
    [InlineData("bytes=0-3,10-20")]
    [InlineData("items=0-3")]
    [InlineData("bytes=5-2")]
    [InlineData("bytes=x-")]
    public async Task GetReleaseFile_SeveralOrInvalidRanges_AreIgnoredAndTheWholeFileIsSent(string range)
    {
        // Arrange
        var bytes = TestRelease.ParquetLike(64 * 1024);
        await PublishAsync(bytes);

        // Act
        var answer = await Api().HandleAsync("GET", FileRoute, "?path=date%3D2026-01-01%2Fpart-00000.parquet", DataReader.Anonymous, new CatalogApiRequestHeaders { Range = range });

        // Assert
        Assert.Equal(200, answer.StatusCode);
        Assert.False(answer.Headers.ContainsKey("Content-Range"));
        Assert.Equal(bytes, await ReadAllAsync(answer.Content!));
    }

    [Fact]
    public async Task GetReleaseFile_Conditions_304ForTheETagAndTheWholeFileWhenIfRangeIsStale()
    {
        // Arrange
        var bytes = TestRelease.ParquetLike(64 * 1024);
        var etag = $"\"{(await PublishAsync(bytes)).Files.Single().Sha256}\"";
        const string Query = "?path=date%3D2026-01-01%2Fpart-00000.parquet";

        // Act
        var notModified = await Api().HandleAsync("GET", FileRoute, Query, DataReader.Anonymous, new CatalogApiRequestHeaders { IfNoneMatch = $"\"other\", W/{etag}" });
        var stale = await Api().HandleAsync("GET", FileRoute, Query, DataReader.Anonymous, new CatalogApiRequestHeaders { Range = "bytes=0-9", IfRange = "\"other\"" });
        var current = await Api().HandleAsync("GET", FileRoute, Query, DataReader.Anonymous, new CatalogApiRequestHeaders { Range = "bytes=0-9", IfRange = etag });

        // Assert
        Assert.Equal(304, notModified.StatusCode);
        Assert.Null(notModified.Content);
        Assert.Equal(etag, notModified.Headers["ETag"]);
        Assert.Equal(200, stale.StatusCode);
        Assert.Equal(bytes, await ReadAllAsync(stale.Content!));
        Assert.Equal(206, current.StatusCode);
        Assert.Equal(bytes[..10], await ReadAllAsync(current.Content!));
    }

    [Fact]
    public async Task HeadReleaseFile_AnswersLengthAndETagWithoutABody()
    {
        // Arrange
        var manifest = await PublishAsync(TestRelease.ParquetLike(Size));

        // Act
        var answer = await Api().HandleAsync("HEAD", FileRoute, "?path=date%3D2026-01-01%2Fpart-00000.parquet", DataReader.Anonymous);
        var otherRoute = await Api().HandleAsync("HEAD", "/api/products/finance.ledger-emea", null, DataReader.Anonymous);

        // Assert
        Assert.Equal(200, answer.StatusCode);
        Assert.Equal(Size, answer.ContentLength);
        Assert.Equal($"\"{manifest.Files.Single().Sha256}\"", answer.Headers["ETag"]);
        Assert.Null(answer.Content);
        Assert.Equal("", answer.Body);
        Assert.Equal(405, otherRoute.StatusCode);
    }

    [Fact]
    public async Task GetReleaseFile_BlobChangedAfterItsManifest_NeverComesOutWhole()
    {
        // Arrange: same length, one byte flipped in the middle, behind the manifest's back.
        var bytes = TestRelease.ParquetLike(Size);
        await PublishAsync(bytes);
        var damaged = bytes.ToArray();
        damaged[Size / 2] ^= 0xFF;
        await _storage.Products("finance").GetBlobClient("ledger-emea/1.0.0/1/date=2026-01-01/part-00000.parquet").UploadAsync(new BinaryData(damaged), overwrite: true);
        var answer = await Api().HandleAsync("GET", FileRoute, "?path=date%3D2026-01-01%2Fpart-00000.parquet", DataReader.Anonymous);
        var received = new MemoryStream();

        // Act: copied as a host copies it to the response.
        var error = await Assert.ThrowsAsync<InvalidDataException>(() => answer.Content!.CopyToAsync(received));

        // Assert: the last bytes were held back, so no reader gets a complete, wrong file.
        Assert.Contains("SHA-256", error.Message, StringComparison.Ordinal);
        Assert.True(received.Length < Size, $"{received.Length} of {Size} bytes were handed out");
    }

    [Fact]
    public async Task GetReleaseFile_BlobOfAnotherLengthThanItsManifest_Throws()
    {
        // Arrange
        await PublishAsync(TestRelease.ParquetLike(64 * 1024));
        await _storage.Products("finance").GetBlobClient("ledger-emea/1.0.0/1/date=2026-01-01/part-00000.parquet").UploadAsync(new BinaryData(TestRelease.ParquetLike(1000)), overwrite: true);

        // Act
        var error = await Assert.ThrowsAsync<InvalidDataException>(() =>
            Api().HandleAsync("GET", FileRoute, "?path=date%3D2026-01-01%2Fpart-00000.parquet", DataReader.Anonymous, new CatalogApiRequestHeaders { Range = "bytes=0-99" }));

        // Assert
        Assert.Contains("1000 bytes in storage but 65536", error.Message, StringComparison.Ordinal);
    }

    private CatalogHttpApi Api() => new(
        new CatalogReader(_storage),
        releases: new ReleaseReader(_storage, _cache),
        access: (id, _) => Task.FromResult<ReleaseAccess?>(id == ProductId ? new ReleaseAccess("finance", "public", [], null) : null));

    private Task<ReleaseManifest> PublishAsync(byte[] bytes) =>
        TestRelease.WriteAsync(_storage, ProductId, "1.0.0", 1, [("date=2026-01-01/part-00000.parquet", bytes)]);

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
