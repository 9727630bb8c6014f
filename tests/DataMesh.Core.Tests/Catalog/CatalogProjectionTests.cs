using Azure.Data.Tables;
using Azure.Messaging;
using DataMesh.Catalog;
using DataMesh.Core.Tests.Events;
using DataMesh.Events;
using DataMesh.Testing;

namespace DataMesh.Core.Tests.Catalog;

[Collection("azurite")]
public sealed class CatalogProjectionTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task ApplyAsync_RepeatedAndOutOfOrderReleases_LatestIsHighestReleaseWithOneRowPerRelease()
    {
        // Arrange
        var storage = azurite.CreateMeshStorage();
        var projection = new CatalogProjection(storage);
        var release2 = ProductEventFactory.CreateProductVersionPublished(SampleEvents.Published(release: 2));
        var release1 = ProductEventFactory.CreateProductVersionPublished(SampleEvents.Published(release: 1));

        // Act
        foreach (var cloudEvent in new[] { release2, release2, release2, release1, release1, release1 })
        {
            await projection.ApplyAsync(cloudEvent);
        }

        // Assert
        var reader = new CatalogReader(storage);
        var product = await reader.GetProductAsync("finance.ledger-emea");
        Assert.NotNull(product);
        Assert.Equal(("1.2.0", 2, 200L, "run-1.2.0-2"), (product.LatestVersion, product.LatestRelease, product.Rows, product.LatestRunId));
        Assert.Equal(SampleEvents.Published(release: 2).Location, product.Location);
        var releases = await reader.GetReleasesAsync("finance.ledger-emea");
        Assert.Equal([2, 1], releases.Select(r => r.Release));
        var rows = 0;
        await foreach (var row in storage.Table(CatalogTables.Releases).QueryAsync<TableEntity>())
        {
            rows++;
        }

        Assert.Equal(2, rows);
        Assert.Equal(2, (await reader.GetRunsAsync("finance.ledger-emea")).Count);
    }

    [Fact]
    public async Task ApplyAsync_LowerSemverArrivesLater_LatestStaysOnHigherSemver()
    {
        // Arrange
        var storage = azurite.CreateMeshStorage();
        var projection = new CatalogProjection(storage);

        // Act
        await projection.ApplyAsync(ProductEventFactory.CreateProductVersionPublished(SampleEvents.Published(version: "1.10.0", release: 1)));
        await projection.ApplyAsync(ProductEventFactory.CreateProductVersionPublished(SampleEvents.Published(version: "1.9.0", release: 5)));
        await projection.ApplyAsync(ProductEventFactory.CreateProductVersionPublished(SampleEvents.Published(version: "1.10.0-rc.1", release: 9)));

        // Assert
        var reader = new CatalogReader(storage);
        var product = await reader.GetProductAsync("finance.ledger-emea");
        Assert.Equal(("1.10.0", 1), (product!.LatestVersion, product.LatestRelease));
        var releases = await reader.GetReleasesAsync("finance.ledger-emea");
        Assert.Equal(["1.10.0/1", "1.10.0-rc.1/9", "1.9.0/5"], releases.Select(r => $"{r.Version}/{r.Release}"));
    }

    [Fact]
    public async Task ApplyAsync_ConcurrentReleases_LatestIsTheHighest()
    {
        // Arrange
        var storage = azurite.CreateMeshStorage();
        var events = Enumerable.Range(1, 8).Select(r => ProductEventFactory.CreateProductVersionPublished(SampleEvents.Published(release: r))).ToList();
        await new CatalogProjection(storage).ApplyAsync(events[0]);

        // Act: separate projections, as separate queue-trigger instances would be
        await Task.WhenAll(events.Select(e => new CatalogProjection(storage).ApplyAsync(e)));

        // Assert
        var product = await new CatalogReader(storage).GetProductAsync("finance.ledger-emea");
        Assert.Equal(8, product!.LatestRelease);
    }

    [Fact]
    public async Task ApplyAsync_QualityCheckFailed_RecordsRunWithQualityAndQuarantine()
    {
        // Arrange
        var storage = azurite.CreateMeshStorage();
        var projection = new CatalogProjection(storage);
        var data = SampleEvents.QualityFailed(runId: "run-q7");

        // Act
        await projection.ApplyAsync(ProductEventFactory.CreateQualityCheckFailed(data));

        // Assert
        var run = Assert.Single(await new CatalogReader(storage).GetRunsAsync("finance.ledger-emea"));
        Assert.Equal(("run-q7", CatalogRunStatus.QualityFailed, "quality", "1.2.0", (int?)null), (run.RunId, run.Status, run.Stage, run.Version, run.Release));
        Assert.Equal(data.Error, run.Error);
        Assert.Equal(data.Quarantined, run.Quarantined);
        Assert.Equal(data.Quality!.Rules, run.Quality!.Rules);
        Assert.Equal(data.FailedAt, run.At);
    }

    [Fact]
    public async Task ApplyAsync_PipelineRunFailed_RecordsFailedRunWithoutTouchingProductLatest()
    {
        // Arrange
        var storage = azurite.CreateMeshStorage();
        var projection = new CatalogProjection(storage);
        await projection.ApplyAsync(ProductEventFactory.CreateProductVersionPublished(SampleEvents.Published(release: 1)));

        // Act
        await projection.ApplyAsync(ProductEventFactory.CreatePipelineRunFailed(SampleEvents.RunFailed(runId: "run-f9")));

        // Assert
        var reader = new CatalogReader(storage);
        var runs = await reader.GetRunsAsync("finance.ledger-emea");
        Assert.Equal([CatalogRunStatus.Failed, CatalogRunStatus.Published], runs.Select(r => r.Status));
        Assert.Equal("transform", runs[0].Stage);
        Assert.Equal(1, (await reader.GetProductAsync("finance.ledger-emea"))!.LatestRelease);
    }

    [Fact]
    public async Task ApplyAsync_FailureReportedForAPublishedRun_RunStaysPublished()
    {
        // Arrange
        var storage = azurite.CreateMeshStorage();
        var projection = new CatalogProjection(storage);
        var published = SampleEvents.Published(release: 1);
        await projection.ApplyAsync(ProductEventFactory.CreateProductVersionPublished(published));

        // Act
        await projection.ApplyAsync(ProductEventFactory.CreatePipelineRunFailed(SampleEvents.RunFailed(runId: published.RunId)));

        // Assert
        var run = Assert.Single(await new CatalogReader(storage).GetRunsAsync("finance.ledger-emea"));
        Assert.Equal((CatalogRunStatus.Published, (int?)1), (run.Status, run.Release));
    }

    [Fact]
    public async Task ApplyAsync_UnknownType_ThrowsRejectedNamingTheType()
    {
        // Arrange
        var projection = new CatalogProjection(azurite.CreateMeshStorage());
        var cloudEvent = Retyped(ProductEventFactory.CreateProductVersionPublished(SampleEvents.Published()), "DataMesh.SomethingElse");

        // Act
        var error = await Assert.ThrowsAsync<CatalogEventRejectedException>(() => projection.ApplyAsync(cloudEvent));

        // Assert
        Assert.Contains("DataMesh.SomethingElse", error.Message, StringComparison.Ordinal);
        Assert.Contains("does not know its type", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/subscriptions/x/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/st")]
    [InlineData("/domains/marketing/products/campaigns")]
    [InlineData("domains/finance/products/ledger-emea")]
    public async Task ApplyAsync_SourceNotTheProductsOwn_ThrowsRejected(string source)
    {
        // Arrange
        var storage = azurite.CreateMeshStorage();
        var projection = new CatalogProjection(storage);
        var original = ProductEventFactory.CreateProductVersionPublished(SampleEvents.Published());
        var cloudEvent = new CloudEvent(source, original.Type, original.Data, original.DataContentType, CloudEventDataFormat.Json) { Id = original.Id };

        // Act
        var error = await Assert.ThrowsAsync<CatalogEventRejectedException>(() => projection.ApplyAsync(cloudEvent));

        // Assert
        Assert.Contains(source, error.Message, StringComparison.Ordinal);
        Assert.Empty(await new CatalogReader(storage).ListProductsAsync());
    }

    [Fact]
    public async Task ApplyAsync_DataNotAValidPublishedEvent_ThrowsRejectedWithReason()
    {
        // Arrange
        var projection = new CatalogProjection(azurite.CreateMeshStorage());
        var cloudEvent = new CloudEvent(
            ProductEventTypes.Source("finance", "ledger-emea"),
            ProductEventTypes.ProductVersionPublished,
            BinaryData.FromString("""{"productId":"finance.ledger-emea","release":"two"}"""),
            "application/json",
            CloudEventDataFormat.Json);

        // Act
        var error = await Assert.ThrowsAsync<CatalogEventRejectedException>(() => projection.ApplyAsync(cloudEvent));

        // Assert
        Assert.IsType<FormatException>(error.InnerException);
    }

    [Fact]
    public async Task ApplyAsync_VersionNotSemver_ThrowsRejectedNamingTheVersion()
    {
        // Arrange
        var projection = new CatalogProjection(azurite.CreateMeshStorage());
        var cloudEvent = ProductEventFactory.CreateProductVersionPublished(SampleEvents.Published(version: "v1.2"));

        // Act
        var error = await Assert.ThrowsAsync<CatalogEventRejectedException>(() => projection.ApplyAsync(cloudEvent));

        // Assert
        Assert.Contains("'v1.2' is not a semantic version", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ApplyAsync_FreshnessBreached_MarksTheProductStaleAndKeepsItsLatestRelease()
    {
        // Arrange
        var storage = azurite.CreateMeshStorage();
        var projection = new CatalogProjection(storage);
        var published = SampleEvents.Published();
        await projection.ApplyAsync(ProductEventFactory.CreateProductVersionPublished(published));
        var breach = ProductEventFactory.CreateFreshnessBreached(new FreshnessBreachedData
        {
            ProductId = published.ProductId,
            Domain = published.Domain,
            Name = published.Name,
            Freshness = "P1D",
            LatestVersion = published.Version,
            LatestRelease = published.Release,
            Since = published.PublishedAt,
            DetectedAt = published.PublishedAt.AddDays(2),
        });

        // Act: twice, as a redelivery would.
        await projection.ApplyAsync(breach);
        await projection.ApplyAsync(breach);

        // Assert
        var product = Assert.Single(await new CatalogReader(storage).ListProductsAsync());
        Assert.Equal(published.Release, product.LatestRelease);
    }

    [Fact]
    public async Task ApplyAsync_FreshnessBreachedWithOtherData_IsRejected()
    {
        // Arrange
        var projection = new CatalogProjection(azurite.CreateMeshStorage());
        var cloudEvent = Retyped(ProductEventFactory.CreateProductVersionPublished(SampleEvents.Published()), ProductEventTypes.FreshnessBreached);

        // Act + Assert
        await Assert.ThrowsAsync<CatalogEventRejectedException>(() => projection.ApplyAsync(cloudEvent));
    }

    [Fact]
    public async Task RegisterProductAsync_AfterARelease_AddsDeclaredFieldsAndKeepsLatest()
    {
        // Arrange
        var storage = azurite.CreateMeshStorage();
        var projection = new CatalogProjection(storage);
        await projection.ApplyAsync(ProductEventFactory.CreateProductVersionPublished(SampleEvents.Published(release: 3)));

        // Act
        await projection.RegisterProductAsync(Registration("finance", "ledger-emea", "1.3.0"));

        // Assert
        var product = await new CatalogReader(storage).GetProductAsync("finance.ledger-emea");
        Assert.Equal(("1.3.0", "Finance EMEA", "public"), (product!.DeclaredVersion, product.OwnerTeam, product.Visibility));
        Assert.Equal(["finance", "ledger"], product.Tags);
        Assert.Equal(("1.2.0", 3, 300L), (product.LatestVersion, product.LatestRelease, product.Rows));
    }

    [Fact]
    public async Task ApplyAsync_AfterRegistration_KeepsDeclaredFields()
    {
        // Arrange
        var storage = azurite.CreateMeshStorage();
        var projection = new CatalogProjection(storage);
        await projection.RegisterProductAsync(Registration("finance", "ledger-emea", "1.2.0"));

        // Act
        await projection.ApplyAsync(ProductEventFactory.CreateProductVersionPublished(SampleEvents.Published(release: 1)));

        // Assert
        var product = await new CatalogReader(storage).GetProductAsync("finance.ledger-emea");
        Assert.Equal(("General ledger entries for EMEA entities, in EUR.", 1), (product!.Description, product.LatestRelease));
        Assert.NotNull(product.RegisteredAt);
    }

    internal static ProductRegistration Registration(string domain, string name, string version) =>
        new(domain, name, version, "General ledger entries for EMEA entities, in EUR.", "Finance EMEA", "finance-emea@example.com", ["finance", "ledger"], "public");

    private static CloudEvent Retyped(CloudEvent original, string type) =>
        new(original.Source, type, original.Data, original.DataContentType, CloudEventDataFormat.Json) { Id = original.Id, Subject = original.Subject };
}
