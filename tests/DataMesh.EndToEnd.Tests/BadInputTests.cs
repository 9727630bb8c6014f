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
public sealed class BadInputTests(AzuriteFixture azurite)
{
    private const string Header = "order_id,customer,amount,status\n";

    // Large enough for the 50 MB single-line file, small enough that the over-limit file stays cheap to make.
    private static readonly SharedMesh Mesh = new(domain => [new TestProduct(domain)], maxInputBytes: LimitBytes);
    private static int _goodRelease;

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
    };

    [Theory]
    [MemberData(nameof(BadFiles))]
    public async Task Run_BadLandingFile_QuarantinedWithReasonAndEarlierReleaseIntact(string kind, string fileName, string reason)
    {
        var mesh = await Mesh.GetAsync(azurite);
        var product = Mesh.Products[0];
        await EnsureGoodReleaseAsync(mesh, product);
        var path = Path.Combine(product.Root, fileName);
        await File.WriteAllBytesAsync(path, Content(kind));

        var result = await mesh.RunAsync(product.Id, [path]);

        Assert.Equal(PipelineStatus.Failed, result.Status);
        Assert.Equal("ingest", result.Stage);
        Assert.Contains(reason, result.Error, StringComparison.Ordinal);
        Assert.Equal(["orders/" + fileName], result.Quarantined);
        var quarantine = mesh.Storage.Quarantine(product.Domain);
        var why = (await quarantine.GetBlobClient($"orders/{fileName}.error.json").DownloadContentAsync()).Value.Content.ToString();
        Assert.Contains(reason.Replace("'", "\\u0027", StringComparison.Ordinal), why, StringComparison.Ordinal);
        await AssertGoodReleaseIntactAsync(mesh, product);
    }

    [Theory]
    [InlineData("orders/../../etc/passwd")]
    [InlineData("orders/a\u0001b.csv")]
    [InlineData("/orders/rooted.csv")]
    public async Task Run_ForgedBlobName_RefusedAndNothingPublished(string blobName)
    {
        var mesh = await Mesh.GetAsync(azurite);
        var product = Mesh.Products[0];
        await EnsureGoodReleaseAsync(mesh, product);
        var request = new PipelineRequest { RunId = "forged-" + Guid.NewGuid().ToString("N")[..8], ProductId = product.Id, LandingBlobs = [blobName] };

        var result = await mesh.RunAsync(request);

        Assert.Equal(PipelineStatus.Failed, result.Status);
        Assert.Contains("is not allowed", result.Error, StringComparison.Ordinal);
        await AssertGoodReleaseIntactAsync(mesh, product);
    }

    private static byte[] Content(string kind) => kind switch
    {
        "empty" => [],
        "header-only" => Encoding.UTF8.GetBytes(Header),
        "wrong-delimiter" => Encoding.UTF8.GetBytes("order_id;customer;amount;status\n1;a;1.00;open\n2;b;2.00;open\n"),
        "ragged-rows" => Encoding.UTF8.GetBytes(Header + "1,a,1.00,open\n2,b,2.00,open,surprise\n3,c,3.00,open\n"),
        "not-utf8" => [.. Encoding.UTF8.GetBytes(Header + "1,caf"), 0xE9, .. Encoding.UTF8.GetBytes(",1.00,open\n")],
        "binary-garbage" => [.. Enumerable.Range(0, 4096).Select(i => (byte)(i * 7919 % 256))],
        "extension-mismatch" => Encoding.UTF8.GetBytes(Header + "1,a,1.00,open\n"),
        "truncated-gzip" => Gzip(Header + string.Concat(Enumerable.Range(1, 2000).Select(i => $"{i},c{i},{i}.00,open\n")))[..700],
        "uncastable" => Encoding.UTF8.GetBytes(Header + "1,a,1.00,open\n2,b,two euros,open\n3,c,3.00,open\n"),
        "missing-required-column" => Encoding.UTF8.GetBytes("customer,amount,status\na,1.00,open\n"),
        "line-over-max-size" => Encoding.UTF8.GetBytes(Header + "1," + new string('x', 50 * 1024 * 1024) + ",1.00,open\n"),
        "over-size-limit" => Encoding.UTF8.GetBytes(Header + string.Concat(Enumerable.Repeat("1,a,1.00,open\n", (int)(LimitBytes / 14) + 10))),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    private const long LimitBytes = 54L * 1024 * 1024;

    private static byte[] Gzip(string text)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest))
        {
            gzip.Write(Encoding.UTF8.GetBytes(text));
        }

        return buffer.ToArray();
    }

    private static async Task EnsureGoodReleaseAsync(LocalMesh mesh, TestProduct product)
    {
        if (_goodRelease == 0)
        {
            var result = await mesh.RunAsync(product.Id, [product.WriteOrders("orders-good.csv", rows: 25)]);
            Assert.Equal(PipelineStatus.Published, result.Status);
            _goodRelease = result.Release!.Value;
        }
    }

    private static async Task AssertGoodReleaseIntactAsync(LocalMesh mesh, TestProduct product)
    {
        var store = new ReleaseStore(mesh.Storage.Products(product.Domain));
        Assert.Equal([_goodRelease], await store.ListReleasesAsync(product.Name, "1.0.0"));
        Assert.Equal(TestProduct.ExpectedRows(25), await ReleaseReader.CountRowsAsync(store.Container, product.Name, "1.0.0", _goodRelease));
    }
}
