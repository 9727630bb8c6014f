using DataMesh.Local;
using DataMesh.Pipeline;
using DataMesh.Publishing;
using DataMesh.Testing;

namespace DataMesh.EndToEnd.Tests;

/// <summary>Published landing inputs move to the archive (kept for replay); a backfill replays them into one new release.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class ArchiveTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private readonly List<TestProduct> _products = [];
    private readonly List<LocalMesh> _meshes = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var mesh in _meshes)
        {
            await mesh.DisposeAsync();
        }

        _products.ForEach(p => p.Dispose());
    }

    [Fact]
    public async Task Publish_LandingInput_MovedToArchiveWithReleaseMetadata()
    {
        // Arrange
        var product = Add(new TestProduct("arc" + Guid.NewGuid().ToString("N")[..6]));
        var mesh = await StartAsync(product);

        // Act
        var result = await mesh.RunAsync(product.Id, [product.WriteOrders("orders-1.csv", rows: 20)]);

        // Assert: gone from landing, in the archive under the same name with the release it went into.
        Assert.True(result.Status == PipelineStatus.Published, result.Error);
        Assert.False(await mesh.Storage.Landing(product.Domain).GetBlobClient("orders/orders-1.csv").ExistsAsync());
        var archived = (await mesh.Storage.Archive(product.Domain).GetBlobClient("orders/orders-1.csv").GetPropertiesAsync()).Value.Metadata;
        Assert.Equal(product.Id, archived[ArchiveActivity.ProductMetadata]);
        Assert.Equal("1.0.0", archived[ArchiveActivity.VersionMetadata]);
        Assert.Equal("1", archived[ArchiveActivity.ReleaseMetadata]);
        Assert.Equal(RunWorkspace.SafeName(result.RunId), archived[ArchiveActivity.RunIdMetadata]);
        Assert.NotNull(ArchiveActivity.ArrivedAt(archived));
        Assert.Contains(result.Stages, s => s.Stage == "archive" && s.Outcome == "succeeded");
    }

    [Fact]
    public async Task Archive_LandingInput_CopiedServerSideWithTheIngestedBytes()
    {
        // Arrange
        var product = Add(new TestProduct("arc" + Guid.NewGuid().ToString("N")[..6]));
        var mesh = await StartAsync(product);
        var file = product.WriteOrders("orders-1.csv", rows: 50);

        // Act
        var result = await mesh.RunAsync(product.Id, [file]);

        // Assert: the archive's blob is a completed Copy Blob of the landing blob (no bytes through the process), with
        // exactly the file's bytes.
        Assert.True(result.Status == PipelineStatus.Published, result.Error);
        var archived = mesh.Storage.Archive(product.Domain).GetBlobClient("orders/orders-1.csv");
        var properties = (await archived.GetPropertiesAsync()).Value;
        Assert.Equal(Azure.Storage.Blobs.Models.CopyStatus.Success, properties.CopyStatus);
        Assert.Equal(mesh.Storage.Landing(product.Domain).GetBlobClient("orders/orders-1.csv").Uri.AbsolutePath, properties.CopySource?.AbsolutePath);
        var bytes = File.ReadAllBytes(file);
        Assert.Equal(bytes, (await archived.DownloadContentAsync()).Value.Content.ToArray());
        Assert.Equal(bytes.Length, properties.ContentLength);
    }

    [Fact]
    public async Task Archive_BlobReplacedDuringTheRun_NewArrivalStaysInLandingAndIsNotArchived()
    {
        // Arrange: a new file is uploaded under the same name once the run has ingested the first one.
        var product = Add(new TestProduct("arc" + Guid.NewGuid().ToString("N")[..6]));
        var replacement = product.WriteOrders("orders-new.csv", rows: 7, idOffset: 500);
        LocalMesh mesh = null!;
        var faults = new PipelineFaults(async (at, _) =>
        {
            if (at == PipelineFaults.AfterQuality)
            {
                await mesh.Storage.Landing(product.Domain).GetBlobClient("orders/orders-1.csv").UploadAsync(replacement, overwrite: true);
            }
        });
        mesh = await StartAsync(product, faults);

        // Act
        var result = await mesh.RunAsync(product.Id, [product.WriteOrders("orders-1.csv", rows: 20)]);

        // Assert: published from the first file; the replacement is a new arrival: still in landing, nothing archived.
        Assert.True(result.Status == PipelineStatus.Published, result.Error);
        Assert.Equal(TestProduct.ExpectedRows(20), result.Rows);
        var landing = await mesh.Storage.Landing(product.Domain).GetBlobClient("orders/orders-1.csv").DownloadContentAsync();
        Assert.Equal(await File.ReadAllTextAsync(replacement), landing.Value.Content.ToString());
        Assert.False(await mesh.Storage.Archive(product.Domain).GetBlobClient("orders/orders-1.csv").ExistsAsync());
    }

    [Fact]
    public async Task Archive_FailsAfterCopyOnce_RetryFinishesTheMove()
    {
        // Arrange: the archive activity dies between its copy and its delete once (as a killed host would).
        var product = Add(new TestProduct("arc" + Guid.NewGuid().ToString("N")[..6]));
        var failures = 0;
        var faults = new PipelineFaults((at, _) => at == PipelineFaults.AfterArchiveCopy && Interlocked.Increment(ref failures) == 1
            ? throw new InvalidOperationException("injected fault after the archive copy")
            : Task.CompletedTask);
        var mesh = await StartAsync(product, faults);

        // Act
        var result = await mesh.RunAsync(product.Id, [product.WriteOrders("orders-1.csv", rows: 20)]);

        // Assert: one release, the input moved once and for all.
        Assert.True(result.Status == PipelineStatus.Published && result.Error is null, result.Error);
        Assert.Equal(2, failures);
        Assert.False(await mesh.Storage.Landing(product.Domain).GetBlobClient("orders/orders-1.csv").ExistsAsync());
        Assert.True(await mesh.Storage.Archive(product.Domain).GetBlobClient("orders/orders-1.csv").ExistsAsync());
        Assert.Equal([1], await new ReleaseStore(mesh.Storage.Products(product.Domain)).ListReleasesAsync(product.Name, "1.0.0"));
    }

    [Fact]
    public async Task UpstreamRelease_ConsumerWithArchivedLandingFile_RebuildsFromTheArchivedFile()
    {
        // Arrange: a consumer with a landing input and an upstream input; its landing file was published (so archived).
        var domain = "arc" + Guid.NewGuid().ToString("N")[..6];
        var source = Add(new TestProduct(domain, "source"));
        var enriched = Add(new TestProduct(domain, "enriched",
            "SELECT o.order_id, o.customer, o.amount, o.status FROM orders o JOIN src s USING (order_id)", TestProduct.DefaultContract,
            TestProduct.DefaultInputs.Replace("path: orders/", "path: enriched/", StringComparison.Ordinal) + $"\n  - name: src\n    product: {source.Id}\n    versions: ^1"));
        var mesh = await StartAsync(source, enriched);
        Assert.Equal(PipelineStatus.Published, (await mesh.RunAsync(source.Id, [source.WriteOrders("source-1.csv", rows: 10)])).Status);
        Assert.Empty(await mesh.SettleAsync());
        var own = await mesh.RunAsync(enriched.Id, [enriched.WriteOrders("enriched-1.csv", rows: 10)]);
        Assert.True(own.Status == PipelineStatus.Published, own.Error);
        Assert.False(await mesh.Storage.Landing(domain).GetBlobClient("enriched/enriched-1.csv").ExistsAsync());

        // Act: the upstream publishes again, which rebuilds the consumer.
        Assert.Equal(PipelineStatus.Published, (await mesh.RunAsync(source.Id, [source.WriteOrders("source-2.csv", rows: 10)])).Status);
        var rebuilt = Assert.Single(await mesh.SettleAsync());

        // Assert: it found its newest landing file in the archive, and left it there.
        Assert.True(rebuilt.Status == PipelineStatus.Published, rebuilt.Error);
        Assert.Equal((enriched.Id, 2), (rebuilt.Product, rebuilt.Release));
        var manifest = await new ReleaseStore(mesh.Storage.Products(domain)).ReadManifestAsync(ReleaseStore.Folder(enriched.Name, "1.0.0", 2));
        var landing = Assert.Single(manifest!.Lineage.Landing);
        Assert.Equal(("enriched/enriched-1.csv", mesh.Storage.Archive(domain).Name), (landing.Name, landing.Container));
        Assert.True(await mesh.Storage.Archive(domain).GetBlobClient("enriched/enriched-1.csv").ExistsAsync());
    }

    [Fact]
    public async Task Backfill_Twice_GivesTheSameSnapshotRowsFromEveryArchivedInput()
    {
        // Arrange: two files published one after the other (replace mode: each release holds one file's rows).
        var product = Add(new TestProduct("arc" + Guid.NewGuid().ToString("N")[..6]));
        var mesh = await StartAsync(product);
        Assert.Equal(PipelineStatus.Published, (await mesh.RunAsync(product.Id, [product.WriteOrders("orders-a.csv", rows: 20)])).Status);
        Assert.Equal(PipelineStatus.Published, (await mesh.RunAsync(product.Id, [product.WriteOrders("orders-b.csv", rows: 20, idOffset: 1000)])).Status);
        var products = mesh.Storage.Products(product.Domain);

        // Act
        var (firstPlan, first) = await mesh.BackfillAsync(product.Id, new BackfillRange());
        var (_, second) = await mesh.BackfillAsync(product.Id, new BackfillRange());

        // Assert: one run over both archived files each time, two new releases with the same rows (the bytes were
        // published before: a replay is on purpose, never refused as a duplicate).
        Assert.Equal(["orders/orders-a.csv", "orders/orders-b.csv"], firstPlan.Inputs);
        Assert.True(first!.Status == PipelineStatus.Published, first.Error);
        Assert.True(second!.Status == PipelineStatus.Published, second.Error);
        Assert.Equal((3, 4), (first.Release, second.Release));
        var rows3 = (await ReleaseReader.ValuesAsync(products, product.Name, "1.0.0", 3, "order_id")).Order(StringComparer.Ordinal).ToList();
        var rows4 = (await ReleaseReader.ValuesAsync(products, product.Name, "1.0.0", 4, "order_id")).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(2 * TestProduct.ExpectedRows(20), rows3.Count);
        Assert.Equal(rows3, rows4);
        Assert.True(await mesh.Storage.Archive(product.Domain).GetBlobClient("orders/orders-a.csv").ExistsAsync());
    }

    [Fact]
    public async Task Backfill_Partitions_ReplaysOnlyInputsOfThosePartitionsAndChangesOnlyThem()
    {
        // Arrange: a.csv writes customers a and b, b.csv customer c; c.csv then corrects customer a (order 2 gone).
        var product = Add(new TestProduct("arc" + Guid.NewGuid().ToString("N")[..6], "orders-by-customer", output: "{ contract: contract.odcs.yaml, mode: partitions, partitionBy: [customer] }"));
        var mesh = await StartAsync(product);
        await PublishAsync(mesh, product, "a.csv", "1,a,1.00,open", "2,a,2.00,open", "3,b,3.00,open");
        await PublishAsync(mesh, product, "b.csv", "4,c,4.00,open");
        await PublishAsync(mesh, product, "c.csv", "1,a,10.00,shipped");
        var store = new ReleaseStore(mesh.Storage.Products(product.Domain));
        const string columns = "order_id, customer, amount, status";
        var before = await SnapshotRows.ReadAsync(store, product.Name, "1.0.0", 3, columns);

        // Act
        var (plan, result) = await mesh.BackfillAsync(product.Id, new BackfillRange { Partitions = ["customer=b"] });

        // Assert: only a.csv wrote customer b; its replay changes customer b alone, so customer a keeps its correction.
        Assert.Equal(["orders/a.csv"], plan.Inputs);
        Assert.True(result!.Status == PipelineStatus.Published, result.Error);
        Assert.Equal(4, result.Release);
        Assert.Equal(["1|a|10.00|shipped", "3|b|3.00|open", "4|c|4.00|open"], before);
        Assert.Equal(before, await SnapshotRows.ReadAsync(store, product.Name, "1.0.0", 4, columns));
        var changes = (await store.ReadManifestAsync(ReleaseStore.Folder(product.Name, "1.0.0", 4)))!.Changes!;
        Assert.Equal(["customer=b"], changes.Partitions);
        Assert.Equal((1, 1L, 0L), (changes.FilesWritten, changes.RowsReplaced, changes.RowsAdded));
    }

    [Fact]
    public async Task Backfill_PartitionWithoutEquals_RefusedNamingThePair()
    {
        // Arrange: the domain app's route passes the body's pairs as they are.
        var product = Add(new TestProduct("arc" + Guid.NewGuid().ToString("N")[..6], "orders-by-customer", output: "{ contract: contract.odcs.yaml, mode: partitions, partitionBy: [customer] }"));
        var mesh = await StartAsync(product);

        // Act
        var (plan, result) = await mesh.BackfillAsync(product.Id, new BackfillRange { Partitions = ["customer"] });

        // Assert
        Assert.Null(result);
        Assert.Equal($"{product.Id}: partition 'customer' is not column=value (e.g. customer=2026-10).", plan.Problem);
    }

    [Fact]
    public async Task Backfill_RangeAfterLastArrival_RefusedWithTheArchivedRange()
    {
        // Arrange
        var product = Add(new TestProduct("arc" + Guid.NewGuid().ToString("N")[..6]));
        var mesh = await StartAsync(product);
        Assert.Equal(PipelineStatus.Published, (await mesh.RunAsync(product.Id, [product.WriteOrders("orders-a.csv", rows: 20)])).Status);
        var future = DateTimeOffset.UtcNow.AddDays(1);

        // Act
        var (plan, result) = await mesh.BackfillAsync(product.Id, new BackfillRange { From = future, To = future.AddDays(1) });

        // Assert
        Assert.Null(result);
        Assert.Contains($"{product.Id}: no archived input arrived from", plan.Problem, StringComparison.Ordinal);
        Assert.Contains("1 archived input(s) arrived from", plan.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BackfillCli_NothingArchived_ExitsTwoWithTheReason()
    {
        // Arrange: a mesh folder whose product never published.
        var product = Add(new TestProduct("arc" + Guid.NewGuid().ToString("N")[..6]));
        var pipelines = Path.Combine(product.Root, "pipelines", product.Domain);
        Directory.CreateDirectory(pipelines);
        Directory.Move(product.Directory, Path.Combine(pipelines, product.Name));

        // Act
        var result = await CliRunner.RunAsync(product.Root, azurite.CliEnvironment(Path.Combine(product.Root, ".datamesh")), "backfill", product.Id, "--from", "2026-10-01", "--to", "2026-10-31");

        // Assert
        Assert.True(result.ExitCode == 2, result.StdErr + result.StdOut);
        Assert.Contains($"{product.Id}: no archived input arrived from 2026-10-01T00:00:00.0000000+00:00 to before 2026-11-01T00:00:00.0000000+00:00", result.StdErr, StringComparison.Ordinal);
        Assert.Contains("no archived input at all", result.StdErr, StringComparison.Ordinal);
    }

    private static async Task PublishAsync(LocalMesh mesh, TestProduct product, string fileName, params string[] rows)
    {
        var path = Path.Combine(product.Root, fileName);
        await File.WriteAllTextAsync(path, "order_id,customer,amount,status\n" + string.Concat(rows.Select(r => r + "\n")));
        var result = await mesh.RunAsync(product.Id, [path]);
        Assert.True(result.Status == PipelineStatus.Published, $"{fileName}: {result.Status} {result.Error}");
    }

    private TestProduct Add(TestProduct product)
    {
        _products.Add(product);
        return product;
    }

    private Task<LocalMesh> StartAsync(TestProduct product, PipelineFaults? faults = null) => StartAsync([product], faults);

    private Task<LocalMesh> StartAsync(TestProduct first, TestProduct second) => StartAsync([first, second], null);

    private async Task<LocalMesh> StartAsync(TestProduct[] products, PipelineFaults? faults)
    {
        var options = new LocalMeshOptions
        {
            Azurite = azurite.Server,
            ConnectionString = azurite.ConnectionString,
            Namespace = AzuriteFixture.CreateNamespace(),
            LoadPipelinesFolder = false,
            StateDirectory = Path.Combine(products[0].Root, ".datamesh"),
        };
        options.Pipeline.Faults = faults ?? PipelineFaults.None;
        foreach (var product in products)
        {
            options.ExtraProductDirectories.Add(product.Directory);
        }

        var mesh = await LocalMesh.StartAsync(options);
        _meshes.Add(mesh);
        return mesh;
    }
}
