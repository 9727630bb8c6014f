using System.Diagnostics;
using DataMesh.Local;
using DataMesh.Pipeline;
using DataMesh.Publishing;
using DataMesh.Storage;
using DataMesh.Testing;

namespace DataMesh.EndToEnd.Tests;

/// <summary>
/// The host process killed (SIGKILL, no clean-up) at each stage of a run and a new host started on the same storage
/// and task hub: the run completes once, no release is ever visible without all of its files, and the landing input
/// is never lost. The killed host is a real child process (<c>DataMesh.FaultHost</c>); the new host is a local mesh in
/// this process, which resumes the run once the dead host's leases and message visibility expire (~20 s).
/// </summary>
[Collection(HostKillCollection.Name)]
[Trait("Category", "Faults")]
public sealed class HostKillTests(AzuriteFixture azurite)
{
    [Theory]
    [InlineData(PipelineFaults.AfterIngest)]
    [InlineData(PipelineFaults.AfterTransform)]
    [InlineData(PipelineFaults.AfterQuality)]
    [InlineData(PipelineFaults.BeforeManifest)]
    [InlineData(PipelineFaults.AfterManifest)]
    public async Task Run_HostKilledAtStageThenRestarted_CompletesOnceWithNoPartialReleaseAndTheInputKept(string point)
    {
        // Arrange
        using var product = new TestProduct("kill" + Guid.NewGuid().ToString("N")[..6]);
        var ns = AzuriteFixture.CreateNamespace();
        var state = Path.Combine(product.Root, ".datamesh");
        Directory.CreateDirectory(state);
        var storage = MeshStorage.FromConnectionString(azurite.ConnectionString, new MeshStorageOptions { Namespace = ns });
        await storage.EnsureDomainAsync(product.Domain);
        const string blob = "orders/orders-1.csv";
        await storage.Landing(product.Domain).GetBlobClient(blob).UploadAsync(product.WriteOrders("orders-1.csv", rows: 60));
        var request = new PipelineRequest { RunId = $"kill-{Guid.NewGuid():N}", ProductId = product.Id, LandingBlobs = [blob], Trigger = "blob" };
        var store = new ReleaseStore(storage.Products(product.Domain));

        // Act 1: the first host dies at the point.
        var exitCode = await RunFaultHostAsync(azurite.ConnectionString, ns, state, product, request, point);

        // Assert 1: it died there, and what it left is never a partial release.
        Assert.Equal(point, await File.ReadAllTextAsync(Path.Combine(state, "killed-at")));
        Assert.NotEqual(0, exitCode);
        Assert.NotEqual(3, exitCode);
        Assert.True(await storage.Landing(product.Domain).GetBlobClient(blob).ExistsAsync(), "the landing input was lost by the kill");
        Assert.Empty(await IncompleteReleasesAsync(store, product));
        var releasesAfterKill = await store.ListReleasesAsync(product.Name, "1.0.0");
        Azure.ETag? manifestAfterKill = null;
        if (point == PipelineFaults.AfterManifest)
        {
            Assert.Equal([1], releasesAfterKill);
            manifestAfterKill = (await store.Container.GetBlobClient($"{product.Name}/1.0.0/1/{ReleaseStore.ManifestName}").GetPropertiesAsync()).Value.ETag;
        }
        else
        {
            Assert.Empty(releasesAfterKill);
        }

        if (point == PipelineFaults.BeforeManifest)
        {
            // The data file is there, the manifest not: a reader must not see release 1 yet.
            Assert.True(await store.Container.GetBlobClient($"{product.Name}/1.0.0/1/{TransformActivity.PartFileName}").ExistsAsync());
        }

        // Act 2: a new host on the same storage, task hub and state folder; the redelivered trigger collapses into
        // the run, which resumes. A reader polls the releases the whole time.
        var options = new LocalMeshOptions
        {
            ConnectionString = azurite.ConnectionString,
            Namespace = ns,
            StateDirectory = state,
            LoadPipelinesFolder = false,
        };
        options.ExtraProductDirectories.Add(product.Directory);
        PipelineResult result;
        var violations = new List<string>();
        await using (var mesh = await LocalMesh.StartAsync(options))
        {
            using var stop = new CancellationTokenSource();
            var reader = ReadReleasesUntilAsync(store, product, violations, stop.Token);
            try
            {
                result = await mesh.RunAsync(request, TimeSpan.FromMinutes(2));
            }
            finally
            {
                await stop.CancelAsync();
                await reader;
            }

            // Assert 2: completed once.
            Assert.Equal((PipelineStatus.Published, 1, (long)TestProduct.ExpectedRows(60)), (result.Status, result.Release, result.Rows));
            Assert.Equal(request.RunId, Assert.Single(await mesh.Catalog.GetReleasesAsync(product.Id)).RunId);
        }

        Assert.Empty(violations);
        Assert.Equal([1], await store.ListReleasesAsync(product.Name, "1.0.0"));
        Assert.Equal(["1"], await FaultTests.ReleaseFoldersAsync(store, product));
        var manifest = (await store.ReadManifestAsync(ReleaseStore.Folder(product.Name, "1.0.0", 1)))!;
        Assert.Equal(request.RunId, manifest.RunId);
        Assert.Equal(TestProduct.ExpectedRows(60), await ReleaseReader.CountRowsAsync(store.Container, product.Name, "1.0.0", 1));
        Assert.Empty(await IncompleteReleasesAsync(store, product));
        Assert.True(await storage.Landing(product.Domain).GetBlobClient(blob).ExistsAsync(), "the landing input of a published run was lost");
        if (manifestAfterKill is { } etag)
        {
            Assert.Equal(etag, (await store.Container.GetBlobClient($"{product.Name}/1.0.0/1/{ReleaseStore.ManifestName}").GetPropertiesAsync()).Value.ETag);
        }
    }

    /// <summary>Releases a reader would see (listed, i.e. with a manifest) whose files are missing or differ from the manifest.</summary>
    private static async Task<List<string>> IncompleteReleasesAsync(ReleaseStore store, TestProduct product)
    {
        var incomplete = new List<string>();
        foreach (var release in await store.ListReleasesAsync(product.Name, "1.0.0"))
        {
            var folder = ReleaseStore.Folder(product.Name, "1.0.0", release);
            var manifest = await store.ReadManifestAsync(folder);
            if (manifest is null || manifest.Files.Count == 0)
            {
                incomplete.Add($"{folder}: listed without a readable manifest or files");
                continue;
            }

            foreach (var file in manifest.Files)
            {
                var data = store.Container.GetBlobClient(folder + file.Path);
                if (!await data.ExistsAsync() || (await data.GetPropertiesAsync()).Value.ContentLength != file.Size)
                {
                    incomplete.Add($"{folder}{file.Path}: listed in the manifest, missing or of another size");
                }
            }
        }

        return incomplete;
    }

    private static async Task ReadReleasesUntilAsync(ReleaseStore store, TestProduct product, List<string> violations, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            violations.AddRange(await IncompleteReleasesAsync(store, product));
            try
            {
                await Task.Delay(100, stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private static async Task<int> RunFaultHostAsync(string storage, string ns, string state, TestProduct product, PipelineRequest request, string point)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { FaultHostPath(), storage, ns, state, product.Directory, product.Id, request.RunId, request.LandingBlobs[0], point })
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"the fault host did not reach {point} within 2 minutes: {await stdout} {await stderr}");
        }

        Assert.True(File.Exists(Path.Combine(state, "killed-at")), $"the fault host exited {process.ExitCode} without reaching {point}: {await stdout} {await stderr}");
        return process.ExitCode;
    }

    /// <summary>The fault host's build output beside this assembly's: <c>tests/DataMesh.FaultHost/bin/&lt;config&gt;/&lt;tfm&gt;/</c>.</summary>
    private static string FaultHostPath()
    {
        var here = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var (tfm, configuration, tests) = (here.Name, here.Parent!.Name, here.Parent.Parent!.Parent!.Parent!.FullName);
        var path = Path.Combine(tests, "DataMesh.FaultHost", "bin", configuration, tfm, "DataMesh.FaultHost.dll");
        return File.Exists(path) ? path : throw new FileNotFoundException("Build tests/DataMesh.FaultHost first (the end-to-end project references it).", path);
    }
}
