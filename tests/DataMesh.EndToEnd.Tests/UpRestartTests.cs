using System.Collections.Concurrent;
using System.Diagnostics;
using DataMesh.Publishing;
using DataMesh.Storage;
using DataMesh.Testing;

namespace DataMesh.EndToEnd.Tests;

/// <summary><c>datamesh up</c> killed and started again: the durable engine finishes a run in flight, once, and files left in landing are never published again.</summary>
[Collection(AzuriteCollection.Name)]
[Trait("Category", "Faults")]
public sealed class UpRestartTests(AzuriteFixture azurite) : IDisposable
{
    private readonly TestProduct _product = new("upr" + Guid.NewGuid().ToString("N")[..6]);

    public void Dispose() => _product.Dispose();

    // Large enough that the run is still going when the host is killed (1.5M rows was published first once on a fast machine).
    private const int BigFileRows = 3_000_000;

    [Fact]
    public async Task Up_KilledWhileARunIsInFlightThenRestarted_CompletesTheRunOnce()
    {
        // Arrange: the product under pipelines/, and a file big enough that its run outlasts the kill by seconds.
        var pipelines = Path.Combine(_product.Root, "pipelines", _product.Domain, _product.Name);
        Directory.CreateDirectory(Path.GetDirectoryName(pipelines)!);
        Directory.Move(_product.Directory, pipelines);
        var file = _product.WriteOrders("big.csv", rows: BigFileRows);
        var storage = await azurite.OpenMeshStorageAsync();
        var first = Start(out var firstLog);
        try
        {
            await WaitUntilAsync(async () => await storage.Staging(_product.Domain).ExistsAsync(), first); // the last container up creates
            await storage.Landing(_product.Domain).GetBlobClient("orders/big.csv").UploadAsync(file);

            // Act: kill the host (SIGKILL: no clean stop) as soon as the run has started.
            await WaitUntilAsync(() => Task.FromResult(firstLog.Any(l => l.Contains($"of {_product.Id} started", StringComparison.Ordinal))), first);
            first.Kill(entireProcessTree: true);
            await first.WaitForExitAsync();
            var store = new ReleaseStore(storage.Products(_product.Domain));
            Assert.Empty(await store.ListReleasesAsync(_product.Name, "1.0.0"));

            using var second = Start(out _);
            try
            {
                // Assert: the restarted host resumes the run (after the dead host's lease expires) and publishes release 1.
                await WaitUntilAsync(async () => (await store.ListReleasesAsync(_product.Name, "1.0.0")).Count > 0, second, seconds: 150);
                var published = await store.ReadManifestAsync(ReleaseStore.Folder(_product.Name, "1.0.0", 1));
                Assert.NotNull(published);
                Assert.Equal(TestProduct.ExpectedRows(BigFileRows), published.Rows);

                // The arrival announced again by the new host's landing watcher collapses into the same run: no second release.
                await Task.Delay(TimeSpan.FromSeconds(5));
                Assert.Equal([1], await store.ListReleasesAsync(_product.Name, "1.0.0"));
            }
            finally
            {
                second.Kill(entireProcessTree: true);
                await second.WaitForExitAsync();
            }
        }
        finally
        {
            if (!first.HasExited)
            {
                first.Kill(entireProcessTree: true);
            }

            first.Dispose();
        }
    }

    /// <remarks>
    /// Each start of <c>up</c> reaches storage through another endpoint (as its embedded Azurite takes a new port at each
    /// start; here a forwarder on a new port in front of the same Azurite's blob service), and its landing watcher
    /// announces every file still in landing again. Those announcements must collapse into the runs that published them. A new file dropped
    /// after each start is the sentinel: once its run is triggered, the older announcements (queued before it) have been
    /// routed, and none may have started a run.
    /// </remarks>
    [Fact]
    public async Task Up_RestartedThreeTimesWithFilesInLanding_PublishesNoNewRelease()
    {
        // Arrange: two files published by a first start of up.
        var pipelines = Path.Combine(_product.Root, "pipelines", _product.Domain, _product.Name);
        Directory.CreateDirectory(Path.GetDirectoryName(pipelines)!);
        Directory.Move(_product.Directory, pipelines);
        var storage = await azurite.OpenMeshStorageAsync();
        var store = new ReleaseStore(storage.Products(_product.Domain));
        using (var first = Start(out _))
        {
            await WaitUntilAsync(async () => await storage.Staging(_product.Domain).ExistsAsync(), first); // the last container up creates
            await storage.Landing(_product.Domain).GetBlobClient("orders/a.csv").UploadAsync(_product.WriteOrders("a.csv", rows: 20));
            await storage.Landing(_product.Domain).GetBlobClient("orders/b.csv").UploadAsync(_product.WriteOrders("b.csv", rows: 30, idOffset: 100));
            await WaitUntilAsync(async () => (await store.ListReleasesAsync(_product.Name, "1.0.0")).Count == 2, first);
            await StopAsync(first);
        }

        for (var restart = 1; restart <= 3; restart++)
        {
            // Act: start again, the blobs reached through a new port; drop the sentinel.
            await using var forwarder = new PortForwarder(BlobPort(azurite.ConnectionString));
            using var host = Start(out var log, forwarder.Port);
            var sentinel = $"orders/sentinel-{restart}.csv";
            await WaitUntilAsync(() => Task.FromResult(log.Any(l => l.Contains("Mesh up", StringComparison.Ordinal))), host, log: log);
            await storage.Landing(_product.Domain).GetBlobClient(sentinel).UploadAsync(_product.WriteOrders($"sentinel-{restart}.csv", rows: 10, idOffset: 1000 * restart));
            await WaitUntilAsync(() => Task.FromResult(log.Any(l => l.Contains($"'{sentinel}'", StringComparison.Ordinal) && l.Contains("landed under", StringComparison.Ordinal))), host, log: log);
            await WaitUntilAsync(async () => (await store.ListReleasesAsync(_product.Name, "1.0.0")).Count == 2 + restart, host);
            await StopAsync(host);

            // Assert: the sentinel was the only arrival that started a run; one release per landing blob.
            Assert.Equal([$"'{sentinel}'"], log.Where(l => l.Contains("landed under", StringComparison.Ordinal)).Select(l => l[l.IndexOf('\'', StringComparison.Ordinal)..(l.IndexOf(".csv'", StringComparison.Ordinal) + 5)]).Distinct());
        }

        var releases = await store.ListReleasesAsync(_product.Name, "1.0.0");
        Assert.Equal([1, 2, 3, 4, 5], releases);
        var inputs = new List<string>();
        foreach (var release in releases)
        {
            var manifest = await store.ReadManifestAsync(ReleaseStore.Folder(_product.Name, "1.0.0", release));
            inputs.AddRange(manifest!.Lineage!.Landing.Select(b => b.Name));
        }

        Assert.Equal(["orders/a.csv", "orders/b.csv", "orders/sentinel-1.csv", "orders/sentinel-2.csv", "orders/sentinel-3.csv"], inputs.Order(StringComparer.Ordinal));
    }

    private static int BlobPort(string connectionString) =>
        int.Parse(System.Text.RegularExpressions.Regex.Match(connectionString, @"BlobEndpoint=http://127\.0\.0\.1:(\d+)/").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);

    private static async Task StopAsync(Process host)
    {
        host.Kill(entireProcessTree: true);
        await host.WaitForExitAsync();
    }

    /// <summary>Starts <c>up</c> on the run's Azurite, its blob service reached through <paramref name="blobPort"/> when given (a forwarder).</summary>
    private Process Start(out ConcurrentQueue<string> log, int? blobPort = null) =>
        UpProcess.StartCli(_product.Root, UpProcess.UpArguments(), azurite.CliEnvironment(Path.Combine(_product.Root, ".datamesh"), blobPort), out log);

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, Process host, int seconds = 90, IEnumerable<string>? log = null)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!await condition())
        {
            var output = log is null ? "" : "\n" + string.Join('\n', log);
            Assert.False(host.HasExited, $"datamesh up exited early with code {(host.HasExited ? host.ExitCode : 0)}.{output}");
            Assert.True(DateTime.UtcNow < deadline, $"Condition not met within {seconds} s.{output}");
            await Task.Delay(100);
        }
    }

    /// <summary>A TCP forwarder on a free loopback port: the same service reached through a new port.</summary>
    private sealed class PortForwarder : IAsyncDisposable
    {
        private readonly System.Net.Sockets.TcpListener _listener = new(System.Net.IPAddress.Loopback, 0);
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _accepting;

        public PortForwarder(int targetPort)
        {
            _listener.Start();
            Port = ((System.Net.IPEndPoint)_listener.LocalEndpoint).Port;
            _accepting = AcceptAsync(targetPort);
        }

        public int Port { get; }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Stop();
            await _accepting;
            _stop.Dispose();
        }

        private async Task AcceptAsync(int targetPort)
        {
            while (true)
            {
                System.Net.Sockets.TcpClient client;
                try
                {
                    client = await _listener.AcceptTcpClientAsync(_stop.Token);
                }
                catch (Exception ex) when (ex is OperationCanceledException or System.Net.Sockets.SocketException or ObjectDisposedException)
                {
                    return;
                }

                _ = PipeAsync(client, targetPort);
            }
        }

        private async Task PipeAsync(System.Net.Sockets.TcpClient client, int targetPort)
        {
            using (client)
            using (var target = new System.Net.Sockets.TcpClient())
            {
                try
                {
                    await target.ConnectAsync(System.Net.IPAddress.Loopback, targetPort, _stop.Token);
                    var near = client.GetStream();
                    var far = target.GetStream();
                    await Task.WhenAny(near.CopyToAsync(far, _stop.Token), far.CopyToAsync(near, _stop.Token));
                }
                catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException or OperationCanceledException or ObjectDisposedException)
                {
                    // The connection ended (either side closed, or the forwarder stopped).
                }
            }
        }
    }
}
