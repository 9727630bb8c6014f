using System.Text.Json;
using DataMesh.Catalog;
using DataMesh.Consumption;
using DataMesh.Events;
using DataMesh.Local;
using DataMesh.Pipeline;
using DataMesh.Publishing;
using DataMesh.Storage;
using DataMesh.Testing;

namespace DataMesh.EndToEnd.Tests;

/// <summary>
/// The review's attacks on the catalog and its events, against a real local mesh: history routes of a restricted
/// product read anonymously, a forged but well-keyed release event, an event the tables can never hold.
/// </summary>
[Collection(AzuriteCollection.Name)]
[Trait("Category", "Security")]
public sealed class CatalogSecurityProbeTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private readonly TestMeshHost _host = new(azurite);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task CatalogApi_RestrictedProductsHistoryReadAnonymously_RefusedLikeItsRowsRoute()
    {
        // Arrange: a restricted product (readers: sales) with a release and a run the gate stopped.
        var product = Add(new TestProduct("sec" + Guid.NewGuid().ToString("N")[..6]));
        var spec = Path.Combine(product.Directory, "product.yaml");
        File.WriteAllText(spec, File.ReadAllText(spec).Replace("visibility: public", "visibility: restricted, readers: [sales]", StringComparison.Ordinal));
        var mesh = await StartAsync();
        Assert.Equal(PipelineStatus.Published, (await mesh.RunAsync(product.Id, [product.WriteOrders("good.csv", rows: 10)])).Status);
        var api = new CatalogHttpApi(mesh.Catalog, releases: new DataMesh.Consumption.ReleaseReader(mesh.Storage));
        var routes = new[] { "", "/runs", "/quality", "/releases", "/releases/1.0.0/1", "/releases/1.0.0/1/rows" };

        // Act
        var anonymous = new List<CatalogApiResponse>();
        var reader = new List<CatalogApiResponse>();
        foreach (var route in routes)
        {
            anonymous.Add(await api.HandleAsync("GET", $"/api/products/{product.Id}{route}", "", DataReader.Anonymous));
            reader.Add(await api.HandleAsync("GET", $"/api/products/{product.Id}{route}", "", DataReader.ForDomain("sales")));
        }

        // Assert: the product page is shown without its history; every history route refuses as the rows route does.
        Assert.Equal([200, 403, 403, 403, 403, 403], anonymous.Select(a => a.StatusCode));
        Assert.All(reader, r => Assert.Equal(200, r.StatusCode));
        using var detail = JsonDocument.Parse(anonymous[0].Body);
        Assert.Equal(0, detail.RootElement.GetProperty("runs").GetArrayLength());
    }

    [Fact]
    public async Task ForgedReleaseEvent_OnTheCatalogAndTriggerQueues_RecordsNothingAndRebuildsNoConsumer()
    {
        // Arrange: a source with one release and a consumer built from it.
        var domain = "sec" + Guid.NewGuid().ToString("N")[..6];
        var source = Add(new TestProduct(domain, "source"));
        var consumer = Add(new TestProduct(domain, "consumer", "SELECT order_id, customer, amount, status FROM src", TestProduct.DefaultContract,
            $"  - name: src\n    product: {source.Id}\n    versions: ^1"));
        var mesh = await StartAsync();
        Assert.Equal(PipelineStatus.Published, (await mesh.RunAsync(source.Id, [source.WriteOrders("o.csv", rows: 10)])).Status);
        Assert.Equal(PipelineStatus.Published, Assert.Single(await mesh.SettleAsync()).Status);

        // A well-keyed announcement of release 99, which was never published, where a release of the source would be.
        var container = mesh.Storage.Products(domain);
        var forged = ProductEventFactory.CreateProductVersionPublished(new ProductVersionPublishedData
        {
            ProductId = source.Id,
            Domain = domain,
            Name = source.Name,
            Version = "1.0.0",
            Release = 99,
            RunId = "forged-run",
            Location = $"{container.Uri.AbsoluteUri}/{ReleaseStore.Folder(source.Name, "1.0.0", 99)}",
            Rows = 1,
            SchemaHash = "00",
            Quality = new QualitySummary(true, 1, []),
            PublishedAt = DateTimeOffset.UtcNow,
        });
        var body = JsonSerializer.Serialize(forged);
        await mesh.Storage.Queue(MeshStorage.CatalogEventsQueue).SendMessageAsync(body);
        await mesh.Storage.Queue(MeshStorage.PipelineTriggersQueue).SendMessageAsync(body);

        // Act
        await mesh.ProcessCatalogEventsAsync();
        var started = await mesh.ProcessTriggersAsync();

        // Assert
        Assert.Empty(started);
        Assert.Equal(1, (await mesh.Catalog.GetProductAsync(source.Id))!.LatestRelease);
        Assert.Null(await mesh.Catalog.GetReleaseAsync(source.Id, "1.0.0", 99));
        var poisoned = Assert.Single((await mesh.Storage.Queue(MeshStorage.CatalogEventsQueue + CatalogEventConsumer.PoisonSuffix).ReceiveMessagesAsync(10)).Value);
        using var envelope = JsonDocument.Parse(poisoned.Body.ToString());
        Assert.Contains("has no manifest", envelope.RootElement.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal([1], await new ReleaseStore(container).ListReleasesAsync(consumer.Name, "1.0.0"));
    }

    [Fact]
    public async Task OversizedEvent_QueuedBeforeARealRun_PoisonedWithTheReasonAndTheRunIsRecorded()
    {
        // Arrange: a failure event whose stage name no table property can hold, queued ahead of a real run's events.
        var product = Add(new TestProduct("sec" + Guid.NewGuid().ToString("N")[..6]));
        var mesh = await StartAsync();
        var oversized = ProductEventFactory.CreatePipelineRunFailed(new PipelineRunFailedData
        {
            ProductId = product.Id,
            Domain = product.Domain,
            Name = product.Name,
            Version = "1.0.0",
            RunId = "run-oversized",
            Stage = new string('s', 40_000),
            Error = "boom",
            FailedAt = DateTimeOffset.UtcNow,
        });
        await mesh.Storage.Queue(MeshStorage.CatalogEventsQueue).SendMessageAsync(JsonSerializer.Serialize(oversized));

        // Act: the run's announcement is projected in the same pass as the oversized event.
        var result = await mesh.RunAsync(product.Id, [product.WriteOrders("o.csv", rows: 10)]);

        // Assert
        Assert.Equal(PipelineStatus.Published, result.Status);
        Assert.Equal(1, (await mesh.Catalog.GetProductAsync(product.Id))!.LatestRelease);
        var poisoned = Assert.Single((await mesh.Storage.Queue(MeshStorage.CatalogEventsQueue + CatalogEventConsumer.PoisonSuffix).ReceiveMessagesAsync(10)).Value);
        using var envelope = JsonDocument.Parse(poisoned.Body.ToString());
        Assert.Contains("PropertyValueTooLarge", envelope.RootElement.GetProperty("reason").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, (await mesh.Storage.Queue(MeshStorage.CatalogEventsQueue).GetPropertiesAsync()).Value.ApproximateMessagesCount);
    }

    [Fact]
    public async Task RowsRoute_ReadPastItsTimeLimit_Answers504ProblemWithoutRows()
    {
        // Arrange: a published release, and a rows route given no time at all (a read that cannot finish in its bound).
        var product = Add(new TestProduct("sec" + Guid.NewGuid().ToString("N")[..6]));
        var mesh = await StartAsync();
        Assert.Equal(PipelineStatus.Published, (await mesh.RunAsync(product.Id, [product.WriteOrders("o.csv", rows: 10)])).Status);
        var bounded = new CatalogHttpApi(mesh.Catalog, releases: new DataMesh.Consumption.ReleaseReader(mesh.Storage)) { RowsTimeLimit = TimeSpan.Zero };
        var unbounded = new CatalogHttpApi(mesh.Catalog, releases: new DataMesh.Consumption.ReleaseReader(mesh.Storage));
        var route = $"/api/products/{product.Id}/releases/1.0.0/1/rows";

        // Act
        var late = await bounded.HandleAsync("GET", route, "", DataReader.Anonymous);
        var inTime = await unbounded.HandleAsync("GET", route, "", DataReader.Anonymous);

        // Assert: a clear problem, no partial page; the same read within the default bound answers its rows.
        Assert.Equal(504, late.StatusCode);
        Assert.StartsWith("application/problem+json", late.ContentType, StringComparison.Ordinal);
        using var problem = JsonDocument.Parse(late.Body);
        Assert.Equal("Read timed out", problem.RootElement.GetProperty("title").GetString());
        Assert.Contains("PT0S", problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.False(problem.RootElement.TryGetProperty("rows", out _));
        Assert.Equal(200, inTime.StatusCode);
        using var page = JsonDocument.Parse(inTime.Body);
        Assert.True(page.RootElement.GetProperty("rows").GetArrayLength() > 0);
        Assert.Equal(page.RootElement.GetProperty("total").GetInt64(), page.RootElement.GetProperty("rows").GetArrayLength());
    }

    [Fact]
    public async Task RowsRoute_NoEngineSessionFreesInTime_Answers503WithRetryAfter()
    {
        // Arrange: a published release, and a reader whose only session slot a compaction or another page holds.
        var product = Add(new TestProduct("sec" + Guid.NewGuid().ToString("N")[..6]));
        var mesh = await StartAsync();
        Assert.Equal(PipelineStatus.Published, (await mesh.RunAsync(product.Id, [product.WriteOrders("o.csv", rows: 10)])).Status);
        var gate = new DataMesh.Engine.SideSessionGate(1, TimeSpan.FromMilliseconds(200));
        var api = new CatalogHttpApi(mesh.Catalog, releases: new DataMesh.Consumption.ReleaseReader(mesh.Storage) { SessionGate = gate });
        var route = $"/api/products/{product.Id}/releases/1.0.0/1/rows";
        var held = gate.Enter(CancellationToken.None);

        // Act
        var busy = await api.HandleAsync("GET", route, "", DataReader.Anonymous);
        held.Dispose();
        var freed = await api.HandleAsync("GET", route, "", DataReader.Anonymous);

        // Assert: "busy, retry" with when, no rows; the same page once the slot is free answers its rows.
        Assert.Equal(503, busy.StatusCode);
        Assert.Equal("1", busy.Headers["Retry-After"]);
        using var problem = JsonDocument.Parse(busy.Body);
        Assert.Equal("Busy, retry", problem.RootElement.GetProperty("title").GetString());
        Assert.False(problem.RootElement.TryGetProperty("rows", out _));
        Assert.Equal(200, freed.StatusCode);
        Assert.Equal(1, gate.Free);
    }

    private TestProduct Add(TestProduct product)
    {
        _host.Add(product.Directory, product.Root, product);
        return product;
    }

    private Task<LocalMesh> StartAsync() => _host.StartAsync();
}
