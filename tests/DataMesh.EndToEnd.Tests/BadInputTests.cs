using System.IO.Compression;
using System.Text;
using DataMesh.Local;
using DataMesh.Pipeline;
using DataMesh.Publishing;
using DataMesh.Testing;

namespace DataMesh.EndToEnd.Tests;

/// <summary>
/// Every kind of bad landing file is refused with a specific reason, moved to quarantine with that reason, and
/// nothing is published: the earlier release stays intact (DESIGN non-negotiable 3).
/// </summary>
[Collection(AzuriteCollection.Name)]
[Trait("Category", "BadInput")]
public sealed class BadInputTests(AzuriteFixture azurite)
{
    private const string Header = "order_id,customer,amount,status\n";

    // Large enough for the 50 MB single-line file, small enough that the over-limit file stays cheap to make.
    private static readonly SharedMesh Mesh = new(
        domain =>
        [
            new TestProduct(domain),
            new TestProduct(domain, "orders-json", inputs: Inputs("json/", "json", declared: true)),
            new TestProduct(domain, "orders-ndjson", inputs: Inputs("ndjson/", "ndjson", declared: true)),
            new TestProduct(domain, "orders-parquet", inputs: Inputs("parquet/", "parquet", declared: false)),
        ],
        maxInputBytes: LimitBytes);

    // Per product: the release published from a good file before any bad one, and its manifest as stored.
    private static readonly Dictionary<string, (int Release, Azure.ETag ManifestETag, string Manifest)> GoodReleases = [];

    public static TheoryData<string, string, string> BadFiles() => new()
    {
        { "empty", "orders-empty.csv", "empty (0 bytes)" },
        { "header-only", "orders-header.csv", "header line and no data rows" },
        { "wrong-delimiter", "orders-semicolon.csv", "is the delimiter right?" },
        { "ragged-rows", "orders-ragged.csv", "too-many-columns" },
        { "not-utf8", "orders-latin1.csv", "not valid UTF-8" },
        { "binary-garbage", "orders-garbage.csv", "binary content" },
        { "extension-mismatch", "orders.parquet", "extension .parquet does not match" },
        { "truncated-gzip", "orders.csv.gz", "gzip stream is truncated" },
        { "uncastable", "orders-uncastable.csv", "do not cast to the declared type" },
        { "missing-required-column", "orders-no-id.csv", "required column 'order_id' is missing" },
        { "line-over-max-size", "orders-long-line.csv", "line 2 is longer than" },
        { "over-size-limit", "orders-huge.csv", "over the limit" },
        { "whitespace-only", "orders-blank.csv", "holds only whitespace" },
        { "utf8-bom-header-only", "orders-bom.csv", "header line and no data rows" },
        { "utf16-undeclared", "orders-utf16.csv", "binary content (a NUL byte at offset 3)" },
        { "utf32-undeclared", "orders-utf32.csv", "binary content (a NUL byte at offset 2)" },
        { "empty-header-name", "orders-empty-name.csv", "required column 'order_id' is missing" },
        { "zero-byte-gzip", "orders-empty.csv.gz", "empty (0 bytes)" },
        { "not-gzip", "orders-plain.csv.gz", "gzip stream is corrupt" },
        { "nested-gzip", "orders-twice.csv.gz", "binary content" },
        { "corrupt-gzip-body", "orders-flipped.csv.gz", "gzip stream is" },
        { "json-array-truncated", "orders-truncated.json", "an input file could not be read" },
        { "json-not-an-array", "orders-object.json", "not a JSON array" },
        { "ndjson-one-bad-line", "orders-bad-line.ndjson", "could not be read" },
        { "ndjson-is-an-array", "orders-array.ndjson", "not newline-delimited JSON" },
        { "parquet-wrong-magic", "orders-magic.parquet", "no PAR1 magic bytes" },
        { "parquet-truncated", "orders-cut.parquet", "could not be read as parquet" },
    };

    [Theory]
    [MemberData(nameof(BadFiles))]
    public async Task Run_BadLandingFile_QuarantinedWithReasonAndEarlierReleaseIntact(string kind, string fileName, string reason)
    {
        // Arrange: the product whose landing format the file claims, with a good release already published.
        var mesh = await Mesh.GetAsync(azurite);
        var product = ProductFor(fileName);
        await EnsureGoodReleaseAsync(mesh, product);
        var path = Path.Combine(product.Root, fileName);
        await File.WriteAllBytesAsync(path, await ContentAsync(kind, product));
        var blob = LandingPath(product) + fileName;

        // Act
        var result = await mesh.RunAsync(product.Id, [path]);

        // Assert: refused at ingest with the reason, moved to quarantine with it, nothing published.
        Assert.Equal(PipelineStatus.Failed, result.Status);
        Assert.Equal("ingest", result.Stage);
        Assert.Contains(reason, result.Error, StringComparison.Ordinal);
        Assert.Null(result.Release);
        Assert.Equal([blob], result.Quarantined);
        var quarantine = mesh.Storage.Quarantine(product.Domain);
        Assert.True(await quarantine.GetBlobClient(blob).ExistsAsync(), $"{kind}: the file is not in quarantine");
        Assert.False(await mesh.Storage.Landing(product.Domain).GetBlobClient(blob).ExistsAsync(), $"{kind}: the file is still in landing");
        var why = (await quarantine.GetBlobClient(blob + ".error.json").DownloadContentAsync()).Value.Content.ToObjectFromJson<System.Text.Json.JsonElement>();
        Assert.Equal(("ingest", result.RunId), (why.GetProperty("stage").GetString(), why.GetProperty("runId").GetString()));
        Assert.Contains(reason, why.GetProperty("reason").GetString(), StringComparison.Ordinal);
        await AssertGoodReleaseIntactAsync(mesh, product);
    }

    [Fact]
    public void BadFiles_Corpus_HoldsAtLeastTwentyDistinctKinds()
    {
        // Act
        var kinds = BadFiles().Select(row => (string)row[0]).ToList();

        // Assert
        Assert.Equal(kinds.Count, kinds.Distinct().Count());
        Assert.True(kinds.Count >= 20, $"{kinds.Count} kinds");
    }

    [Theory]
    [InlineData("orders/../../etc/passwd")]
    [InlineData("orders/a\u0001b.csv")]
    [InlineData("/orders/rooted.csv")]
    public async Task Run_ForgedBlobName_RefusedAndNothingPublished(string blobName)
    {
        // Arrange
        var mesh = await Mesh.GetAsync(azurite);
        var product = Mesh.Products[0];
        await EnsureGoodReleaseAsync(mesh, product);
        var request = new PipelineRequest { RunId = "forged-" + Guid.NewGuid().ToString("N")[..8], ProductId = product.Id, LandingBlobs = [blobName] };

        // Act
        var result = await mesh.RunAsync(request);

        // Assert
        Assert.Equal(PipelineStatus.Failed, result.Status);
        Assert.Contains("is not allowed", result.Error, StringComparison.Ordinal);
        await AssertGoodReleaseIntactAsync(mesh, product);
    }

    /// <remarks>
    /// Found by the bad-input suite: the reader's dialect sniffing falls back to no quoting and would publish such a
    /// file; the inspector refuses it by its odd count of quote characters.
    /// </remarks>
    [Fact]
    public async Task Run_CsvWithAQuoteNeverClosed_Quarantined()
    {
        // Arrange
        var mesh = await Mesh.GetAsync(azurite);
        var product = Mesh.Products[0];
        await EnsureGoodReleaseAsync(mesh, product);
        var path = Path.Combine(product.Root, "orders-quote.csv");
        await File.WriteAllTextAsync(path, Header + "1,\"a,1.00,open\n2,b,2.00,open\n3,c,3.00,open\n");

        // Act
        var result = await mesh.RunAsync(product.Id, [path]);

        // Assert
        Assert.Equal(PipelineStatus.Failed, result.Status);
        Assert.Equal(["orders/orders-quote.csv"], result.Quarantined);
        Assert.Contains("a quoted field is never closed", result.Error, StringComparison.Ordinal);
        await AssertGoodReleaseIntactAsync(mesh, product);
    }

    [Fact]
    public async Task Run_LandingBlobNamedWithControlCharacters_RefusedQuarantinedAndNothingPublished()
    {
        // Arrange: a real blob whose name carries a bell and an escape character (any storage client can write it).
        var mesh = await Mesh.GetAsync(azurite);
        var product = Mesh.Products[0];
        await EnsureGoodReleaseAsync(mesh, product);
        const string blob = "orders/bell\u0007esc\u001b.csv";
        await mesh.Storage.Landing(product.Domain).GetBlobClient(blob).UploadAsync(BinaryData.FromString(Header + "1,a,1.00,open\n"));
        var request = new PipelineRequest { RunId = "ctl-" + Guid.NewGuid().ToString("N")[..8], ProductId = product.Id, LandingBlobs = [blob] };

        // Act
        var result = await mesh.RunAsync(request);

        // Assert
        Assert.Equal(PipelineStatus.Failed, result.Status);
        Assert.Contains("'orders/bell?esc?.csv' is not allowed", result.Error, StringComparison.Ordinal);
        Assert.Equal([blob], result.Quarantined);
        Assert.True(await mesh.Storage.Quarantine(product.Domain).GetBlobClient(LandingBlobNames.QuarantineName(blob) + ".error.json").ExistsAsync());
        await AssertGoodReleaseIntactAsync(mesh, product);
    }

    private static async Task<byte[]> ContentAsync(string kind, TestProduct product) => kind switch
    {
        "empty" => [],
        "header-only" => Encoding.UTF8.GetBytes(Header),
        "wrong-delimiter" => Encoding.UTF8.GetBytes("order_id;customer;amount;status\n1;a;1.00;open\n2;b;2.00;open\n"),
        "ragged-rows" => Encoding.UTF8.GetBytes(Header + "1,a,1.00,open\n2,b,2.00,open,surprise\n3,c,3.00,open\n"),
        "not-utf8" => [.. Encoding.UTF8.GetBytes(Header + "1,caf"), 0xE9, .. Encoding.UTF8.GetBytes(",1.00,open\n")],
        "binary-garbage" => [.. Enumerable.Range(0, 4096).Select(i => (byte)(i * 7919 % 256))],
        "extension-mismatch" => Encoding.UTF8.GetBytes(Header + "1,a,1.00,open\n"),
        "truncated-gzip" => Gzip(Encoding.UTF8.GetBytes(Header + string.Concat(Enumerable.Range(1, 2000).Select(i => $"{i},c{i},{i}.00,open\n"))))[..700],
        "uncastable" => Encoding.UTF8.GetBytes(Header + "1,a,1.00,open\n2,b,two euros,open\n3,c,3.00,open\n"),
        "missing-required-column" => Encoding.UTF8.GetBytes("customer,amount,status\na,1.00,open\n"),
        "line-over-max-size" => Encoding.UTF8.GetBytes(Header + "1," + new string('x', 50 * 1024 * 1024) + ",1.00,open\n"),
        "over-size-limit" => Encoding.UTF8.GetBytes(Header + string.Concat(Enumerable.Repeat("1,a,1.00,open\n", (int)(LimitBytes / 14) + 10))),
        "whitespace-only" => Encoding.UTF8.GetBytes("  \n\t\r\n   \n"),
        "utf8-bom-header-only" => [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(Header)],
        "utf16-undeclared" => [.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes(Header + "1,a,1.00,open\n")],
        "utf32-undeclared" => [.. Encoding.UTF32.GetPreamble(), .. Encoding.UTF32.GetBytes(Header + "1,a,1.00,open\n")],
        "empty-header-name" => Encoding.UTF8.GetBytes(",customer,amount,status\n1,a,1.00,open\n"),
        "zero-byte-gzip" => [],
        "not-gzip" => Encoding.UTF8.GetBytes(Header + "1,a,1.00,open\n"),
        "nested-gzip" => Gzip(Gzip(Encoding.UTF8.GetBytes(Header + "1,a,1.00,open\n"))),
        "corrupt-gzip-body" => Flip(Gzip(Encoding.UTF8.GetBytes(Header + string.Concat(Enumerable.Range(1, 500).Select(i => $"{i},c{i},{i}.00,open\n"))))),
        "json-array-truncated" => Encoding.UTF8.GetBytes(JsonOrders(10)[..^40]),
        "json-not-an-array" => Encoding.UTF8.GetBytes("""{"order_id": 1, "customer": "a", "amount": 1.00, "status": "open"}"""),
        "ndjson-one-bad-line" => Encoding.UTF8.GetBytes(NdjsonOrders(5).Replace("\"order_id\": 3,", "\"order_id\": 3", StringComparison.Ordinal)),
        "ndjson-is-an-array" => Encoding.UTF8.GetBytes(JsonOrders(3)),
        "parquet-wrong-magic" => [(byte)'P', (byte)'A', (byte)'R', (byte)'2', .. await ParquetOrdersAsync(product, 5)],
        "parquet-truncated" => (await ParquetOrdersAsync(product, 50))[..300],
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    private static TestProduct ProductFor(string fileName) => Path.GetExtension(fileName) switch
    {
        ".json" => Mesh.Products[1],
        ".ndjson" => Mesh.Products[2],
        ".parquet" when fileName != "orders.parquet" => Mesh.Products[3],
        _ => Mesh.Products[0],
    };

    private static string LandingPath(TestProduct product) => product.Name switch
    {
        "orders-json" => "json/",
        "orders-ndjson" => "ndjson/",
        "orders-parquet" => "parquet/",
        _ => "orders/",
    };

    private static string Inputs(string path, string format, bool declared) => $$"""
          - name: orders
            landing: { path: {{path}}, format: {{format}} }
        """ + (declared ? """

            columns:
              - { name: order_id, type: integer, required: true }
              - { name: customer, type: varchar }
              - { name: amount, type: "decimal(18,2)" }
              - { name: status, type: varchar }
        """ : "");

    private static IEnumerable<string> OrderObjects(int rows) => Enumerable.Range(1, rows).Select(i =>
        $$"""{"order_id": {{i}}, "customer": "customer-{{i % 7}}", "amount": {{i * 3 % 500}}.{{i % 100:D2}}, "status": "{{(i % 5 == 0 ? "cancelled" : i % 2 == 0 ? "shipped" : "open")}}"}""");

    private static string JsonOrders(int rows) => "[\n" + string.Join(",\n", OrderObjects(rows)) + "\n]\n";

    private static string NdjsonOrders(int rows) => string.Concat(OrderObjects(rows).Select(o => o + "\n"));

    /// <summary>The same orders as <see cref="TestProduct.WriteOrders(string, int, string[])"/>, as Parquet written by DuckDB.</summary>
    private static async Task<byte[]> ParquetOrdersAsync(TestProduct product, int rows)
    {
        var path = Path.Combine(product.Root, $"orders-{rows}-{Guid.NewGuid():N}.parquet");
        using (var connection = new DuckDB.NET.Data.DuckDBConnection("DataSource=:memory:"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = $"""
                COPY (SELECT i::INTEGER AS order_id, 'customer-' || (i % 7) AS customer, CAST((i * 3 % 500) + (i % 100) / 100 AS DECIMAL(18,2)) AS amount,
                             CASE WHEN i % 5 = 0 THEN 'cancelled' WHEN i % 2 = 0 THEN 'shipped' ELSE 'open' END AS status
                      FROM range(1, {rows + 1}) t(i)) TO '{path}' (FORMAT parquet)
                """;
            command.ExecuteNonQuery();
        }

        var bytes = await File.ReadAllBytesAsync(path);
        File.Delete(path);
        return bytes;
    }

    private static byte[] Flip(byte[] gzip)
    {
        // Corrupt the deflate body, well past the 10-byte header and before the 8-byte trailer.
        for (var i = 20; i < gzip.Length - 30; i += 7)
        {
            gzip[i] ^= 0x5A;
        }

        return gzip;
    }

    private const long LimitBytes = 54L * 1024 * 1024;

    private static byte[] Gzip(byte[] content)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest))
        {
            gzip.Write(content);
        }

        return buffer.ToArray();
    }

    private static async Task EnsureGoodReleaseAsync(LocalMesh mesh, TestProduct product)
    {
        if (GoodReleases.ContainsKey(product.Id))
        {
            return;
        }

        var good = Path.Combine(product.Root, "orders-good" + LandingPath(product).TrimEnd('/') switch
        {
            "json" => ".json",
            "ndjson" => ".ndjson",
            "parquet" => ".parquet",
            _ => ".csv",
        });
        var content = LandingPath(product) switch
        {
            "json/" => Encoding.UTF8.GetBytes(JsonOrders(25)),
            "ndjson/" => Encoding.UTF8.GetBytes(NdjsonOrders(25)),
            "parquet/" => await ParquetOrdersAsync(product, 25),
            _ => null,
        };
        if (content is null)
        {
            product.WriteOrders(Path.GetFileName(good), rows: 25);
        }
        else
        {
            await File.WriteAllBytesAsync(good, content);
        }

        var result = await mesh.RunAsync(product.Id, [good]);
        Assert.True(result.Status == PipelineStatus.Published, $"{product.Id}: the good file did not publish: {result.Error}");
        var manifest = mesh.Storage.Products(product.Domain).GetBlobClient($"{product.Name}/1.0.0/{result.Release}/{ReleaseStore.ManifestName}");
        var stored = (await manifest.DownloadContentAsync()).Value;
        GoodReleases[product.Id] = (result.Release!.Value, stored.Details.ETag, stored.Content.ToString());
    }

    private static async Task AssertGoodReleaseIntactAsync(LocalMesh mesh, TestProduct product)
    {
        var (release, etag, manifest) = GoodReleases[product.Id];
        var store = new ReleaseStore(mesh.Storage.Products(product.Domain));
        Assert.Equal([release], await store.ListReleasesAsync(product.Name, "1.0.0"));
        var stored = (await store.Container.GetBlobClient($"{product.Name}/1.0.0/{release}/{ReleaseStore.ManifestName}").DownloadContentAsync()).Value;
        Assert.Equal((etag, manifest), (stored.Details.ETag, stored.Content.ToString()));
        Assert.Equal(TestProduct.ExpectedRows(25), await ReleaseReader.CountRowsAsync(store.Container, product.Name, "1.0.0", release));
    }
}
