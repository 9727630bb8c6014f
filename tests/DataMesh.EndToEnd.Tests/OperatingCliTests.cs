using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using Azure.Storage;
using Azure.Storage.Blobs;
using DataMesh.Testing;

namespace DataMesh.EndToEnd.Tests;

/// <summary>
/// Operating a local mesh from the CLI (issue 19): stable storage addresses printed by <c>up</c>, and the small defects
/// of item 6 a new user meets first (no mesh here, a missing <c>--out</c> folder, a revalidated web asset).
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class OperatingCliTests(AzuriteFixture azurite) : IDisposable
{
    private readonly TestProduct _product = new("ops" + Guid.NewGuid().ToString("N")[..6]);

    public void Dispose() => _product.Dispose();

    [Fact]
    public async Task CatalogList_FolderWithoutMesh_ExitsTwoSayingThereIsNoMeshAndCreatesNothing()
    {
        // Arrange: a folder no mesh ever ran in, and no storage named in the environment.
        var folder = Directory.CreateTempSubdirectory("dm-nomesh-").FullName;
        try
        {
            var state = Path.Combine(folder, ".datamesh");

            // Act
            var list = await CliAsync(folder, storage: null, state, "catalog", "list");

            // Assert
            Assert.True(list.ExitCode == 2, $"exit {list.ExitCode}: {list.StdOut}{list.StdErr}");
            Assert.Contains("no local mesh in", list.StdErr, StringComparison.Ordinal);
            Assert.False(Directory.Exists(state), "catalog list created a mesh folder");
            Assert.Empty(Directory.EnumerateFileSystemEntries(folder));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task Query_OutFolderMissing_ExitsTwoNamingTheFolder()
    {
        // Arrange: a published release to query.
        var state = Path.Combine(_product.Root, ".datamesh");
        var run = await CliAsync(_product.Root, azurite.CliEnvironment(state), state, "run", _product.Directory, "--input", _product.WriteOrders("orders-1.csv", rows: 10));
        Assert.True(run.ExitCode == 0, run.StdErr);
        var missing = Path.Combine(_product.Root, "no-such-folder");

        // Act
        var query = await CliAsync(
            _product.Root, azurite.CliEnvironment(state), state, "query", _product.Id, "SELECT count(*) AS n FROM orders_clean", "--format", "csv", "--out", Path.Combine(missing, "n.csv"));

        // Assert: an environment error (README: exit 2), naming the folder.
        Assert.True(query.ExitCode == 2, $"exit {query.ExitCode}: {query.StdErr}");
        Assert.Contains(missing, query.StdErr, StringComparison.Ordinal);
        Assert.Contains("does not exist", query.StdErr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Up_WebAssetRevalidatedWithIfNoneMatch_Answers304AndLogsNoException()
    {
        // Arrange
        MoveProductUnderPipelines();
        var port = LoopbackPort.Free();
        using var up = StartUp(port, azurite.CliEnvironment(Path.Combine(_product.Root, ".datamesh")));
        var stderr = up.StandardError.ReadToEndAsync();
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        try
        {
            await WaitUntilAsync(async () => (await http.GetAsync(new Uri("/ui/", UriKind.Relative))).IsSuccessStatusCode);
            using var first = await http.GetAsync(new Uri("/ui/", UriKind.Relative));
            var etag = first.Headers.ETag!;

            // Act: the browser revalidates, three times.
            for (var i = 0; i < 3; i++)
            {
                using var again = new HttpRequestMessage(HttpMethod.Get, new Uri("/ui/", UriKind.Relative)) { Headers = { IfNoneMatch = { etag } } };
                using var notModified = await http.SendAsync(again);
                Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
            }
        }
        finally
        {
            await StopAsync(up);
        }

        // Assert
        var log = await stderr;
        Assert.Equal(0, up.ExitCode);
        Assert.DoesNotContain("Exception", log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Up_Json_ReturnsEachAccountsEndpointsKeyFileAndConnectionString_OnPortsTheMeshKeepsAcrossRestarts()
    {
        // Arrange: the mesh's own Azurite (no DATAMESH_STORAGE), as a user runs it.
        MoveProductUnderPipelines();
        var state = Path.Combine(_product.Root, ".datamesh");
        JsonElement first;
        string location;
        using (var up = StartUp(LoopbackPort.Free(), storage: null, "--json"))
        {
            var stderr = new StringBuilder();
            up.ErrorDataReceived += (_, e) => { lock (stderr) { stderr.AppendLine(e.Data); } };
            up.BeginErrorReadLine();
            try
            {
                first = await ReadJsonDocumentAsync(up);

                // Act: upload with the printed connection string, as Storage Explorer would, and read the release's location.
                var domainAccount = Account(first, _product.Domain);
                var landing = new BlobServiceClient(domainAccount.GetProperty("connectionString").GetString()).GetBlobContainerClient($"{_product.Domain}-landing");
                await WaitUntilAsync(async () => await landing.ExistsAsync());
                await landing.GetBlobClient("orders/o.csv").UploadAsync(_product.WriteOrders("o.csv", rows: 10));
                var api = first.GetProperty("api").GetString()!;
                using var http = new HttpClient();
                JsonElement release = default;
                await WaitUntilAsync(async () =>
                {
                    var response = await http.GetAsync(new Uri($"{api}/products/{_product.Id}/releases"));
                    if (!response.IsSuccessStatusCode)
                    {
                        return false;
                    }

                    var items = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("items");
                    release = items.GetArrayLength() > 0 ? items[0].Clone() : default;
                    return items.GetArrayLength() > 0;
                });
                location = release.GetProperty("location").GetString()!;
            }
            finally
            {
                await StopAsync(up);
            }

            Assert.True(up.ExitCode == 0, stderr.ToString());
            Assert.DoesNotContain("AccountKey=", stderr.ToString(), StringComparison.Ordinal);
        }

        // Act: the mesh again, after its Azurite stopped with the command.
        JsonElement second;
        using (var up = StartUp(LoopbackPort.Free(), storage: null, "--json"))
        {
            try
            {
                second = await ReadJsonDocumentAsync(up);

                // Assert: the same addresses, and the release's recorded location is live again, read with the key file.
                var domainAccount = Account(second, _product.Domain);
                Assert.Equal(Account(first, _product.Domain).GetProperty("blobEndpoint").GetString(), domainAccount.GetProperty("blobEndpoint").GetString());
                Assert.StartsWith(domainAccount.GetProperty("blobEndpoint").GetString()!, location, StringComparison.Ordinal);
                var keyFile = domainAccount.GetProperty("keyFile").GetString()!;
                Assert.StartsWith(Path.Combine(state, "storage-keys"), keyFile, StringComparison.Ordinal);
                var credential = new StorageSharedKeyCredential(domainAccount.GetProperty("account").GetString(), (await File.ReadAllTextAsync(keyFile)).Trim());
                var locationUri = new Uri(location);
                var container = new BlobContainerClient(new Uri($"{locationUri.GetLeftPart(UriPartial.Authority)}/{string.Join('/', locationUri.AbsolutePath.Trim('/').Split('/').Take(2))}"), credential);
                var prefix = string.Join('/', locationUri.AbsolutePath.Trim('/').Split('/').Skip(2));
                var files = new List<string>();
                await foreach (var blob in container.GetBlobsAsync(new Azure.Storage.Blobs.Models.GetBlobsOptions { Prefix = prefix }))
                {
                    files.Add(blob.Name);
                }

                Assert.Contains(files, f => f.EndsWith("manifest.json", StringComparison.Ordinal));
            }
            finally
            {
                await StopAsync(up);
            }
        }

        var hub = Assert.Single(second.GetProperty("storage").GetProperty("accounts").EnumerateArray(), a => a.GetProperty("domain").ValueKind == JsonValueKind.Null);
        Assert.Equal("dmhub", hub.GetProperty("account").GetString());
        foreach (var account in second.GetProperty("storage").GetProperty("accounts").EnumerateArray())
        {
            var name = account.GetProperty("account").GetString()!;
            var key = (await File.ReadAllTextAsync(account.GetProperty("keyFile").GetString()!)).Trim();
            Assert.Contains($"AccountName={name};AccountKey={key};", account.GetProperty("connectionString").GetString(), StringComparison.Ordinal);
            Assert.EndsWith($"/{name}", account.GetProperty("queueEndpoint").GetString(), StringComparison.Ordinal);
            Assert.EndsWith($"/{name}", account.GetProperty("tableEndpoint").GetString(), StringComparison.Ordinal);
        }

        using var ports = JsonDocument.Parse(await File.ReadAllTextAsync(second.GetProperty("storage").GetProperty("portsFile").GetString()!));
        Assert.Equal($"http://127.0.0.1:{ports.RootElement.GetProperty("blob").GetInt32()}/dmhub", hub.GetProperty("blobEndpoint").GetString());
    }

    private static JsonElement Account(JsonElement up, string domain) =>
        Assert.Single(up.GetProperty("storage").GetProperty("accounts").EnumerateArray(), a => a.GetProperty("domain").GetString() == domain);

    /// <summary>The one JSON document <c>up --json</c> prints once serving (indented: read up to its closing brace).</summary>
    private static async Task<JsonElement> ReadJsonDocumentAsync(Process up)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var text = new StringBuilder();
        while (true)
        {
            var line = await up.StandardOutput.ReadLineAsync(timeout.Token) ?? throw new InvalidOperationException($"up exited before printing its document: {text}");
            text.AppendLine(line);
            if (line == "}")
            {
                return JsonDocument.Parse(text.ToString()).RootElement.Clone();
            }
        }
    }

    private void MoveProductUnderPipelines()
    {
        var pipelines = Path.Combine(_product.Root, "pipelines", _product.Domain, _product.Name);
        Directory.CreateDirectory(Path.GetDirectoryName(pipelines)!);
        Directory.Move(_product.Directory, pipelines);
    }

    private Process StartUp(int port, IReadOnlyDictionary<string, string>? storage, params string[] extra)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = _product.Root, RedirectStandardError = true, RedirectStandardOutput = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "datamesh.dll"));
        start.ArgumentList.Add("up");
        start.ArgumentList.Add("--port");
        start.ArgumentList.Add(port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        foreach (var argument in extra)
        {
            start.ArgumentList.Add(argument);
        }

        SetStorage(start, storage, Path.Combine(_product.Root, ".datamesh"));
        return Process.Start(start)!;
    }

    private static async Task StopAsync(Process up)
    {
        if (!up.HasExited)
        {
            Process.Start("kill", ["-TERM", up.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!.WaitForExit();
        }

        using var exit = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await up.WaitForExitAsync(exit.Token);
    }

    /// <summary>
    /// The mesh in <paramref name="state"/> on <paramref name="storage"/> (the run's Azurite as
    /// <see cref="AzuriteFixture.CliEnvironment"/> gives it: each domain in its own account), or on its own Azurite (null).
    /// </summary>
    private static void SetStorage(ProcessStartInfo start, IReadOnlyDictionary<string, string>? storage, string state)
    {
        start.Environment.Remove("DATAMESH_STORAGE");
        start.Environment["DATAMESH_HOME"] = state;
        foreach (var (name, value) in storage ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }
    }

    private static async Task<CliRunner.CliResult> CliAsync(string folder, IReadOnlyDictionary<string, string>? storage, string state, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "datamesh.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        SetStorage(start, storage, state);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        return new CliRunner.CliResult(process.ExitCode, await stdout, await stderr);
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(120);
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
