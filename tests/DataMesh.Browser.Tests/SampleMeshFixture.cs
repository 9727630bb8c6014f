using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using DataMesh.Local;
using DataMesh.Pipeline;
using DataMesh.Specs;
using DataMesh.Storage;
using DataMesh.Testing;
using Microsoft.Playwright;

namespace DataMesh.Browser.Tests;

/// <summary>
/// The repository's sample mesh served by a real <c>datamesh up</c> (the CLI as built, on its own Azurite), with every
/// sample file dropped into the landing containers as any storage client would, settled, and a headless Chromium
/// (the system's, never downloaded) ready to look at it.
/// </summary>
public sealed class SampleMeshFixture : IAsyncLifetime
{
    /// <summary>Where Debian's <c>chromium</c> package puts the browser.</summary>
    public const string ChromiumPath = "/usr/bin/chromium";

    private static readonly TimeSpan SettleTimeout = TimeSpan.FromSeconds(150);

    private readonly AzuriteFixture _azurite = new();
    private readonly StringBuilder _upOutput = new();
    private readonly StringBuilder _seedLog = new();
    private readonly Stopwatch _clock = new();
    private readonly TaskCompletionSource<string> _catalogUrlPrinted = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private string? _root;
    private Process? _up;
    private IPlaywright? _playwright;
    private IBrowser? _browser;
    private HttpClient? _api;

    /// <summary>True when the browser the tests drive is installed.</summary>
    public static bool ChromiumInstalled => File.Exists(ChromiumPath);

    /// <summary>The catalog's root as <c>datamesh up</c> printed it, e.g. <c>http://127.0.0.1:7071/</c>.</summary>
    public Uri CatalogUrl { get; private set; } = new("http://127.0.0.1/");

    /// <summary>The catalog API of the running mesh, for the tests to compare what the pages show with.</summary>
    public HttpClient Api => _api ?? throw new InvalidOperationException("The sample mesh is not running.");

    public IBrowser Browser => _browser ?? throw new InvalidOperationException("The browser is not running.");

    /// <summary>Where the screenshots go: <c>artifacts/screenshots</c> under the test output directory.</summary>
    public static string ScreenshotDirectory { get; } = Path.Combine(AppContext.BaseDirectory, "artifacts", "screenshots");

    /// <summary>How long it took to start the mesh and settle every sample run.</summary>
    public TimeSpan SeedTime { get; private set; }

    /// <summary>When each step of the start-up ended.</summary>
    public string SeedLog => _seedLog.ToString();

    public async Task InitializeAsync()
    {
        if (!ChromiumInstalled)
        {
            return;
        }

        _clock.Start();
        await _azurite.InitializeAsync();
        _seedLog.AppendLine(CultureInfo.InvariantCulture, $"Azurite ready at {_clock.Elapsed.TotalSeconds:F1} s");
        _root = Directory.CreateTempSubdirectory("datamesh-browser-").FullName;
        Folders.Copy(Path.Combine(RepositoryRoot.Path, "pipelines"), Path.Combine(_root, "pipelines"));
        StartUp();
        var url = await _catalogUrlPrinted.Task.WaitAsync(TimeSpan.FromSeconds(90));
        _seedLog.AppendLine(CultureInfo.InvariantCulture, $"datamesh up printed {url} at {_clock.Elapsed.TotalSeconds:F1} s");
        CatalogUrl = new Uri(url);
        _api = new HttpClient { BaseAddress = CatalogUrl, Timeout = TimeSpan.FromSeconds(30) };
        await SeedAsync();
        SeedTime = _clock.Elapsed;

        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,

            // Chromium's sandbox refuses to start as root (CI containers); as any other user it stays on.
            Args = Environment.UserName == "root" ? ["--no-sandbox"] : [],
        });
        Directory.CreateDirectory(ScreenshotDirectory);
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.CloseAsync();
        }

        _playwright?.Dispose();
        _api?.Dispose();
        if (_up is not null)
        {
            if (!_up.HasExited)
            {
                Process.Start("kill", ["-TERM", _up.Id.ToString(CultureInfo.InvariantCulture)])!.WaitForExit();
                using var exit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
                try
                {
                    await _up.WaitForExitAsync(exit.Token);
                }
                catch (OperationCanceledException)
                {
                    _up.Kill(entireProcessTree: true);
                }
            }

            _up.Dispose();
        }

        await _azurite.DisposeAsync();
        if (_root is not null)
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    /// <summary>Reads a JSON document from the catalog API.</summary>
    /// <summary>
    /// A JSON answer of the local API; a product's routes are read as its own domain (the local host's loopback
    /// header), since its releases, runs and quality answer only readers of its data.
    /// </summary>
    public async Task<JsonElement> GetJsonAsync(string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(path, UriKind.Relative));
        const string products = "/api/products/";
        if (path.StartsWith(products, StringComparison.Ordinal) && path[products.Length..].Split('.', 2) is [var domain, _])
        {
            request.Headers.Add("X-DataMesh-Domain", domain);
        }

        using var response = await Api.SendAsync(request);
        response.EnsureSuccessStatusCode();
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.Clone();
    }

    /// <summary>
    /// Uploads <paramref name="content"/> as <paramref name="fileName"/> to a product's first landing input, as any
    /// storage client would, and waits until the catalog records a run of the product that is not one of those it had.
    /// </summary>
    /// <returns>The new run as the API answers it.</returns>
    public async Task<JsonElement> DropAndWaitForRunAsync(string productId, string fileName, string content)
    {
        var spec = ProductRegistry.LoadFrom(Path.Combine(_root!, "pipelines")).Get(productId);
        var before = (await GetJsonAsync($"/api/products/{productId}/runs")).GetProperty("items").EnumerateArray()
            .Select(r => r.GetProperty("runId").GetString()).ToHashSet();
        var file = Path.Combine(_root!, fileName);
        await File.WriteAllTextAsync(file, content);
        await UploadAsync(await _azurite.OpenMeshStorageAsync(), spec, file);
        JsonElement? run = null;
        await WaitUntilAsync($"a run of {productId} reading {fileName}", async () =>
        {
            run = (await GetJsonAsync($"/api/products/{productId}/runs")).GetProperty("items").EnumerateArray()
                .FirstOrDefault(r => !before.Contains(r.GetProperty("runId").GetString()));
            return run is { ValueKind: JsonValueKind.Object };
        });
        return run!.Value;
    }

    /// <summary>
    /// The mesh's storage (its catalog among it), as any host of the mesh opens it; in namespace <paramref name="ns"/>,
    /// a catalog of its own beside the mesh's (what a test records there is seen by no other test).
    /// </summary>
    public Task<MeshStorage> OpenStorageAsync(string ns = "") => _azurite.OpenMeshStorageAsync(ns);

    /// <summary>
    /// Records a cancelled run of <paramref name="productId"/> as the catalog records any: its announcement
    /// (<c>PipelineRunFailed</c> with reason <c>cancelled</c>) applied by the catalog projection to the mesh's catalog.
    /// </summary>
    /// <returns>The run's id.</returns>
    public async Task<string> RecordCancelledRunAsync(string productId, string by)
    {
        var (domain, name) = (productId.Split('.', 2)[0], productId.Split('.', 2)[1]);
        var runId = $"{name}-cancelled-{Guid.NewGuid().ToString("N")[..8]}";
        var storage = await _azurite.OpenMeshStorageAsync();
        await new DataMesh.Catalog.CatalogProjection(storage).ApplyAsync(DataMesh.Events.ProductEventFactory.CreatePipelineRunFailed(new DataMesh.Events.PipelineRunFailedData
        {
            ProductId = productId,
            Domain = domain,
            Name = name,
            Version = ProductRegistry.LoadFrom(Path.Combine(_root!, "pipelines")).Get(productId).Version,
            RunId = runId,
            Stage = "transform",
            Error = DataMesh.Pipeline.RunCancellation.Describe(by, "transform"),
            Reason = DataMesh.Pipeline.RunCancellation.Reason,
            FailedAt = DateTimeOffset.UtcNow,
        }));
        return runId;
    }

    private void StartUp()
    {
        var port = LoopbackPort.Free();
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = _root, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "datamesh.dll"));
        start.ArgumentList.Add("up");
        start.ArgumentList.Add("--port");
        start.ArgumentList.Add(port.ToString(CultureInfo.InvariantCulture));
        foreach (var (name, value) in _azurite.CliEnvironment(Path.Combine(_root!, ".datamesh")))
        {
            start.Environment[name] = value;
        }

        start.Environment["NO_COLOR"] = "1";
        start.Environment["COLUMNS"] = "240";
        _up = new Process { StartInfo = start };
        var expected = $"http://127.0.0.1:{port}/";
        _up.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            lock (_upOutput)
            {
                _upOutput.AppendLine(e.Data);
            }

            // `datamesh up` must tell the user where the catalog is.
            if (e.Data.Contains("Catalog: " + expected, StringComparison.Ordinal))
            {
                _catalogUrlPrinted.TrySetResult(expected);
            }
        };
        _up.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (_upOutput)
                {
                    _upOutput.AppendLine(e.Data);
                }
            }
        };
        _up.Exited += (_, _) => _catalogUrlPrinted.TrySetException(new InvalidOperationException($"datamesh up exited early:\n{UpOutput()}"));
        _up.EnableRaisingEvents = true;
        _up.Start();
        _up.BeginOutputReadLine();
        _up.BeginErrorReadLine();
    }

    /// <summary>
    /// Drops the samples as the demo does, upstream products first (a consumer's own files wait for its inputs'
    /// releases), then the files meant to be rejected; waits until the catalog shows every outcome.
    /// </summary>
    private async Task SeedAsync()
    {
        var products = ProductRegistry.LoadFrom(Path.Combine(_root!, "pipelines"));
        var storage = await _azurite.OpenMeshStorageAsync();
        foreach (var level in products.All.GroupBy(p => Depth(products, p.Id, 0)).OrderBy(g => g.Key))
        {
            var dropped = new List<string>();
            var rejected = new List<(string Id, int Count)>();
            foreach (var spec in level)
            {
                var (publish, reject) = LocalMesh.SampleFiles(spec);
                foreach (var file in publish.Concat(reject))
                {
                    await UploadAsync(storage, spec, file);
                }

                if (publish.Count > 0)
                {
                    dropped.Add(spec.Id);
                }

                if (reject.Count > 0)
                {
                    rejected.Add((spec.Id, reject.Count));
                }
            }

            foreach (var id in dropped)
            {
                await WaitUntilAsync($"{id} published", async () => (await ProductAsync(id)) is { } p && p.GetProperty("latestRelease").ValueKind == JsonValueKind.Number);
            }

            foreach (var (id, count) in rejected)
            {
                await WaitUntilAsync($"{id}'s rejected sample stopped by the quality gate", async () =>
                    (await GetJsonAsync($"/api/products/{id}/runs")).GetProperty("items").EnumerateArray().Count(r => r.GetProperty("status").GetString() == "QualityFailed") >= count);
            }

            _seedLog.AppendLine(CultureInfo.InvariantCulture, $"level {level.Key} ({string.Join(", ", level.Select(p => p.Id))}) settled at {_clock.Elapsed.TotalSeconds:F1} s");
        }

        // Roll-ups rebuild from upstream releases: every consumer of another product must have published too.
        foreach (var consumer in products.All.Where(p => p.Inputs.Any(i => i.Product is not null)))
        {
            await WaitUntilAsync($"{consumer.Id} rebuilt from its inputs", async () => (await ProductAsync(consumer.Id)) is { } p && p.GetProperty("latestRelease").ValueKind == JsonValueKind.Number);
        }

        // A roll-up may rebuild once more as its last input lands: the tests compare pages with the API, so wait until
        // the catalog has stopped changing.
        var last = "";
        var quietSince = DateTime.UtcNow;
        await WaitUntilAsync("the catalog to settle", async () =>
        {
            var now = (await GetJsonAsync("/api/products?pageSize=100")).GetProperty("items").EnumerateArray()
                .Select(p => $"{p.GetProperty("productId")}:{p.GetProperty("latestRunId")}:{p.GetProperty("updatedAt")}").Aggregate("", string.Concat);
            if (now != last)
            {
                (last, quietSince) = (now, DateTime.UtcNow);
            }

            return DateTime.UtcNow - quietSince > TimeSpan.FromSeconds(3);
        });
        _seedLog.AppendLine(CultureInfo.InvariantCulture, $"catalog settled at {_clock.Elapsed.TotalSeconds:F1} s");
    }

    private static async Task UploadAsync(MeshStorage storage, ProductSpec spec, string file)
    {
        var landing = spec.Inputs.First(i => i.IsLanding).Landing!;
        await using var stream = File.OpenRead(file);
        await storage.Landing(spec.Domain).GetBlobClient(landing.Path + Path.GetFileName(file)).UploadAsync(stream, overwrite: true);
    }

    private async Task<JsonElement?> ProductAsync(string id)
    {
        var response = await Api.GetAsync(new Uri($"/api/products/{id}", UriKind.Relative));
        if (response.StatusCode != HttpStatusCode.OK)
        {
            return null;
        }

        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.GetProperty("product").Clone();
    }

    private async Task WaitUntilAsync(string what, Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + SettleTimeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline || _up!.HasExited)
            {
                throw new TimeoutException($"Timed out waiting for {what}. datamesh up said:\n{UpOutput()}");
            }

            await Task.Delay(300);
        }
    }

    private string UpOutput()
    {
        lock (_upOutput)
        {
            return _upOutput.ToString();
        }
    }

    private static int Depth(ProductRegistry products, string productId, int guard) =>
        guard > products.All.Count || products.All.FirstOrDefault(p => p.Id == productId) is not { } spec ? 0
        : spec.Inputs.Where(i => i.Product is not null).Select(i => 1 + Depth(products, i.Product!, guard + 1)).DefaultIfEmpty(0).Max();
}
