using System.Collections.Concurrent;
using System.Diagnostics;
using DataMesh.Publishing;
using DataMesh.Storage;
using DataMesh.Testing;

namespace DataMesh.EndToEnd.Tests;

/// <summary><c>datamesh up</c> killed while a run is in flight, then started again: the durable engine finishes the run, once.</summary>
[Collection(AzuriteCollection.Name)]
[Trait("Category", "Faults")]
public sealed class UpRestartTests(AzuriteFixture azurite) : IDisposable
{
    private readonly TestProduct _product = new("upr" + Guid.NewGuid().ToString("N")[..6]);

    public void Dispose() => _product.Dispose();

    [Fact]
    public async Task Up_KilledWhileARunIsInFlightThenRestarted_CompletesTheRunOnce()
    {
        // Arrange: the product under pipelines/, and a file big enough that its run takes a few seconds.
        var pipelines = Path.Combine(_product.Root, "pipelines", _product.Domain, _product.Name);
        Directory.CreateDirectory(Path.GetDirectoryName(pipelines)!);
        Directory.Move(_product.Directory, pipelines);
        var file = _product.WriteOrders("big.csv", rows: 1_500_000);
        var storage = MeshStorage.FromConnectionString(azurite.ConnectionString);
        var first = Start(out var firstLog);
        try
        {
            await WaitUntilAsync(async () => await storage.Landing(_product.Domain).ExistsAsync(), first);
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
                Assert.Equal(TestProduct.ExpectedRows(1_500_000), published.Rows);

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

    private Process Start(out ConcurrentQueue<string> log)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = _product.Root, RedirectStandardError = true, RedirectStandardOutput = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "datamesh.dll"));
        start.ArgumentList.Add("up");
        start.ArgumentList.Add("--port");
        start.ArgumentList.Add(LoopbackPort.Free().ToString(System.Globalization.CultureInfo.InvariantCulture));
        start.Environment["DATAMESH_STORAGE"] = azurite.ConnectionString;
        start.Environment["DATAMESH_HOME"] = Path.Combine(_product.Root, ".datamesh");
        var process = new Process { StartInfo = start };
        var lines = new ConcurrentQueue<string>();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lines.Enqueue(e.Data); } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lines.Enqueue(e.Data); } };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        log = lines;
        return process;
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, Process host, int seconds = 90)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!await condition())
        {
            Assert.False(host.HasExited, $"datamesh up exited early with code {(host.HasExited ? host.ExitCode : 0)}.");
            Assert.True(DateTime.UtcNow < deadline, $"Condition not met within {seconds} s.");
            await Task.Delay(100);
        }
    }
}
