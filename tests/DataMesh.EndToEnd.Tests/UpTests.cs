using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using DataMesh.Storage;
using DataMesh.Testing;

namespace DataMesh.EndToEnd.Tests;

/// <summary><c>datamesh up</c>: a file copied into a landing container by any client is run; the catalog API shows it.</summary>
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
        var port = FreePort();
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = _product.Root, RedirectStandardError = true, RedirectStandardOutput = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "datamesh.dll"));
        start.ArgumentList.Add("up");
        start.ArgumentList.Add("--port");
        start.ArgumentList.Add(port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        start.Environment["DATAMESH_STORAGE"] = azurite.ConnectionString;
        start.Environment["DATAMESH_HOME"] = Path.Combine(_product.Root, ".datamesh");
        using var up = Process.Start(start)!;
        var stderr = up.StandardError.ReadToEndAsync();
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        try
        {
            // Act: the SDK uploads straight into the landing container, as Storage Explorer or azcopy would.
            var storage = MeshStorage.FromConnectionString(azurite.ConnectionString);
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
            Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync(new Uri("/api/products/nowhere.nothing", UriKind.Relative))).StatusCode);
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

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
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
