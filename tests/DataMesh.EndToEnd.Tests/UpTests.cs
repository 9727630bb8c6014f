using System.Diagnostics;
using System.Net;
using System.Text.Json;
using DataMesh.Storage;
using DataMesh.Testing;

namespace DataMesh.EndToEnd.Tests;

/// <summary><c>datamesh up</c>: a file copied into a landing container by any client is run; the catalog API (the core <c>CatalogHttpApi</c>) shows it.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class UpTests(AzuriteFixture azurite) : IDisposable
{
    private readonly TestProduct _product = new("up" + Guid.NewGuid().ToString("N")[..6]);

    public void Dispose() => _product.Dispose();

    [Fact]
    public async Task Up_FileUploadedByAnyClient_IsPublishedAndServedByTheCatalogApiThenStopsOnSigterm()
    {
        // Arrange: a mesh folder holding the product under pipelines/, and a free loopback port.
        var pipelines = Path.Combine(_product.Root, "pipelines", _product.Domain, _product.Name);
        Directory.CreateDirectory(Path.GetDirectoryName(pipelines)!);
        Directory.Move(_product.Directory, pipelines);
        var port = LoopbackPort.Free();
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = _product.Root, RedirectStandardError = true, RedirectStandardOutput = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "datamesh.dll"));
        start.ArgumentList.Add("up");
        start.ArgumentList.Add("--port");
        start.ArgumentList.Add(port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        foreach (var (name, value) in azurite.CliEnvironment(Path.Combine(_product.Root, ".datamesh")))
        {
            start.Environment[name] = value;
        }

        using var up = Process.Start(start)!;
        var stderr = up.StandardError.ReadToEndAsync();
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        try
        {
            // Act: the SDK uploads straight into the landing container, as Storage Explorer or azcopy would.
            var storage = await azurite.OpenMeshStorageAsync();
            await WaitUntilAsync(async () => await storage.Landing(_product.Domain).ExistsAsync());
            await storage.Landing(_product.Domain).GetBlobClient("orders/from-any-tool.csv").UploadAsync(_product.WriteOrders("o.csv", rows: 15));

            // Assert
            JsonElement product = default;
            await WaitUntilAsync(async () =>
            {
                var response = await http.GetAsync(new Uri($"/api/products/{_product.Id}", UriKind.Relative));
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    return false;
                }

                product = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("product").Clone();
                return product.TryGetProperty("latestRelease", out var release) && release.ValueKind == JsonValueKind.Number;
            });
            Assert.Equal(TestProduct.ExpectedRows(15), product.GetProperty("rows").GetInt64());
            var missing = await http.GetAsync(new Uri("/api/products/nowhere.nothing", UriKind.Relative));
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
            Assert.Equal("application/problem+json", missing.Content.Headers.ContentType?.MediaType);
            using (var problem = JsonDocument.Parse(await missing.Content.ReadAsStringAsync()))
            {
                Assert.Equal(404, problem.RootElement.GetProperty("status").GetInt32());
                Assert.Contains("'nowhere.nothing' is not in the catalog", problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
            }

            // The same core API as the Functions: search, lineage checks and the OpenAPI document.
            using (var page = JsonDocument.Parse(await http.GetStringAsync(new Uri($"/api/products?domain={_product.Domain}&pageSize=5", UriKind.Relative))))
            {
                Assert.Contains(page.RootElement.GetProperty("items").EnumerateArray(), p => p.GetProperty("productId").GetString() == _product.Id);
            }

            Assert.Equal(HttpStatusCode.BadRequest, (await http.GetAsync(new Uri($"/api/products/{_product.Id}/lineage?depth=99", UriKind.Relative))).StatusCode);
            Assert.Equal(HttpStatusCode.BadRequest, (await http.GetAsync(new Uri("/api/products?q=" + new string('x', 3000), UriKind.Relative))).StatusCode);
            using (var openApi = JsonDocument.Parse(await http.GetStringAsync(new Uri("/api/openapi.json", UriKind.Relative))))
            {
                Assert.True(openApi.RootElement.GetProperty("paths").TryGetProperty("/api/products/{id}/lineage", out _));
            }

            // A release file streams through the host: whole, by range (as DuckDB httpfs reads a Parquet footer), HEAD.
            var release = $"{product.GetProperty("latestVersion").GetString()}/{product.GetProperty("latestRelease").GetInt32()}";
            var file = new Uri($"/api/products/{_product.Id}/releases/{release}/files?path=part-00000.parquet", UriKind.Relative);
            var blob = (await storage.Products(_product.Domain).GetBlobClient($"{_product.Name}/{release}/part-00000.parquet").DownloadContentAsync()).Value.Content.ToArray();
            using (var whole = await http.GetAsync(file))
            {
                Assert.Equal(HttpStatusCode.OK, whole.StatusCode);
                Assert.Equal("application/vnd.apache.parquet", whole.Content.Headers.ContentType?.MediaType);
                Assert.Equal(blob.Length, whole.Content.Headers.ContentLength);
                Assert.Equal("part-00000.parquet", whole.Content.Headers.ContentDisposition?.FileName?.Trim('"'));
                Assert.Equal($"\"{Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(blob))}\"", whole.Headers.ETag?.Tag);
                Assert.Equal(blob, await whole.Content.ReadAsByteArrayAsync());
            }

            using (var footer = new HttpRequestMessage(HttpMethod.Get, file) { Headers = { Range = new System.Net.Http.Headers.RangeHeaderValue(null, 8) } })
            using (var partial = await http.SendAsync(footer))
            {
                Assert.Equal(HttpStatusCode.PartialContent, partial.StatusCode);
                Assert.Equal($"bytes {blob.Length - 8}-{blob.Length - 1}/{blob.Length}", partial.Content.Headers.ContentRange?.ToString());
                Assert.Equal(blob[^8..], await partial.Content.ReadAsByteArrayAsync());
            }

            using (var past = new HttpRequestMessage(HttpMethod.Get, file) { Headers = { Range = new System.Net.Http.Headers.RangeHeaderValue(blob.Length, null) } })
            {
                Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, (await http.SendAsync(past)).StatusCode);
            }

            using (var head = await http.SendAsync(new HttpRequestMessage(HttpMethod.Head, file)))
            {
                Assert.Equal(HttpStatusCode.OK, head.StatusCode);
                Assert.Equal(blob.Length, head.Content.Headers.ContentLength);
                Assert.Empty(await head.Content.ReadAsByteArrayAsync());
            }
        }
        finally
        {
            Process.Start("kill", ["-TERM", up.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!.WaitForExit();
            using var exit = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await up.WaitForExitAsync(exit.Token);
        }

        Assert.True(up.ExitCode == 0, await stderr);
        Assert.False(File.Exists(Path.Combine(_product.Root, ".datamesh", "up.json")));
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (true)
        {
            try
            {
                if (await condition())
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }

            Assert.True(DateTime.UtcNow < deadline, "timed out waiting for datamesh up");
            await Task.Delay(250);
        }
    }
}
