using DataMesh.Catalog;
using DataMesh.Core.Tests.Events;
using DataMesh.Events;
using DataMesh.Pipeline;
using DataMesh.Testing;

namespace DataMesh.Core.Tests.Catalog;

/// <summary>The projection's lineage and quality-history tables: one correct state whatever the delivery order.</summary>
[Collection("azurite")]
public sealed class CatalogProjectionHistoryTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task ApplyAsync_EachEventThreeTimesAndOutOfOrder_EveryTableHoldsOneCorrectState()
    {
        // Arrange
        var storage = azurite.CreateMeshStorage();
        var projection = new CatalogProjection(storage);
        var release1 = ProductEventFactory.CreateProductVersionPublished(SampleEvents.Published(release: 1));
        var release2 = ProductEventFactory.CreateProductVersionPublished(SampleEvents.Published(release: 2));
        var failed = ProductEventFactory.CreateQualityCheckFailed(SampleEvents.QualityFailed(runId: "run-q1"));

        // Act: newest first, each delivered three times, interleaved.
        foreach (var cloudEvent in new[] { release2, failed, release1, release2, release1, failed, release1, failed, release2 })
        {
            await projection.ApplyAsync(cloudEvent);
        }

        // Assert
        var reader = new CatalogReader(storage);
        var product = await reader.GetProductAsync("finance.ledger-emea");
        Assert.Equal(("1.2.0", 2), (product!.LatestVersion, product.LatestRelease));
        Assert.Equal(2, await CatalogBatchesTests.CountAsync(storage.Table(CatalogTables.Releases)));
        Assert.Equal(3, await CatalogBatchesTests.CountAsync(storage.Table(CatalogTables.Runs)));
        Assert.Equal(3, await CatalogBatchesTests.CountAsync(storage.Table(CatalogTables.QualityHistory)));
        Assert.Equal(1, await CatalogBatchesTests.CountAsync(storage.Table(CatalogTables.Lineage)));
        Assert.Equal(1, await CatalogBatchesTests.CountAsync(storage.Table(CatalogTables.LineageDownstream)));
        var runs = await reader.GetRunsAsync("finance.ledger-emea");
        Assert.Equal(
            [(CatalogRunStatus.QualityFailed, "run-q1"), (CatalogRunStatus.Published, "run-1.2.0-2"), (CatalogRunStatus.Published, "run-1.2.0-1")],
            runs.Select(r => (r.Status, r.RunId)));
        var quality = await reader.GetQualityHistoryAsync("finance.ledger-emea", 10);
        Assert.Equal(["run-q1", "run-1.2.0-2", "run-1.2.0-1"], quality.Select(q => q.RunId));
        Assert.False(quality[0].Passed);
        Assert.Equal(SampleEvents.FailedQuality(40).Rules, quality[0].Rules);
        var lineage = await reader.GetLineageAsync("finance.ledger-emea", "upstream", 1);
        var edge = Assert.Single(lineage.Edges);
        Assert.Equal(new CatalogLineageEdge("treasury.fx-rates", "finance.ledger-emea", Declared: false, Observed: true), edge);
    }

    [Fact]
    public async Task ApplyAsync_ReleaseWith250QualityRules_RecordsEveryRuleInOrder()
    {
        // Arrange
        var storage = azurite.CreateMeshStorage();
        var rules = Enumerable.Range(0, 250)
            .Select(i => new QualityRuleResult($"rule_{i}", "amount", "nullCount", "error", i, "rows", "= 0", true, 0))
            .ToList();
        var data = SampleEvents.Published() with { Quality = new QualitySummary(true, 100, rules) };

        // Act
        await new CatalogProjection(storage).ApplyAsync(ProductEventFactory.CreateProductVersionPublished(data));

        // Assert
        var run = Assert.Single(await new CatalogReader(storage).GetQualityHistoryAsync("finance.ledger-emea", 5));
        Assert.Equal(rules.Select(r => (r.Name, r.Measured)), run.Rules.Select(r => (r.Name, r.Measured)));
    }

    [Fact]
    public async Task ApplyAsync_UpstreamIdNotAProductId_IsRejectedBeforeAnythingIsWritten()
    {
        // Arrange
        var storage = azurite.CreateMeshStorage();
        var data = SampleEvents.Published() with { Upstream = [new UpstreamRelease("no-dot", "1.0.0", 1)] };

        // Act
        var error = await Assert.ThrowsAsync<CatalogEventRejectedException>(
            () => new CatalogProjection(storage).ApplyAsync(ProductEventFactory.CreateProductVersionPublished(data)));

        // Assert
        Assert.Contains("'no-dot'", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, await CatalogBatchesTests.CountAsync(storage.Table(CatalogTables.Releases)));
    }

    [Fact]
    public async Task RegisterProductAsync_DeclaredProductInputs_BecomeLineageEdgesBothWays()
    {
        // Arrange
        var storage = azurite.CreateMeshStorage();
        var registration = CatalogProjectionTests.Registration("finance", "report", "1.0.0") with { Inputs = ["finance.ledger-emea", "treasury.fx-rates"] };

        // Act: twice, as two starts of the mesh would.
        await new CatalogProjection(storage).RegisterProductAsync(registration);
        await new CatalogProjection(storage).RegisterProductAsync(registration);

        // Assert
        var reader = new CatalogReader(storage);
        var upstream = await reader.GetLineageAsync("finance.report", "upstream", 1);
        Assert.Equal(["finance.ledger-emea", "treasury.fx-rates"], upstream.Nodes.Select(n => n.ProductId));
        Assert.All(upstream.Edges, e => Assert.True(e.Declared));
        var downstream = await reader.GetLineageAsync("treasury.fx-rates", "downstream", 1);
        Assert.Equal("finance.report", Assert.Single(downstream.Nodes).ProductId);
        Assert.Equal(["finance.ledger-emea", "treasury.fx-rates"], (await reader.GetProductAsync("finance.report"))!.Inputs);
    }

    [Fact]
    public async Task GetLineageAsync_ConsumerRangeAgainstUpstreamsNewestVersion_SaysCurrentBehindOrUnsatisfied()
    {
        // Arrange: ledger-emea published 1.2.0 then moved to a new major, 2.0.0; three consumers with different ranges.
        var storage = azurite.CreateMeshStorage();
        var projection = new CatalogProjection(storage);
        foreach (var (name, range) in new[] { ("pinned", "^1"), ("following", ">=1"), ("waiting", "^3") })
        {
            await projection.RegisterProductAsync(CatalogProjectionTests.Registration("finance", name, "1.0.0") with
            {
                Inputs = ["finance.ledger-emea"],
                InputVersions = new Dictionary<string, string>(StringComparer.Ordinal) { ["finance.ledger-emea"] = range },
            });
        }

        await projection.ApplyAsync(ProductEventFactory.CreateProductVersionPublished(SampleEvents.Published("1.2.0", release: 1)));
        await projection.ApplyAsync(ProductEventFactory.CreateProductVersionPublished(SampleEvents.Published("2.0.0", release: 1)));

        // Act
        var downstream = await new CatalogReader(storage).GetLineageAsync("finance.ledger-emea", "downstream", 1);

        // Assert: the ^1 consumer is pinned on the old major while its upstream moved on.
        var byConsumer = downstream.Edges.Where(e => e.Declared).ToDictionary(e => e.Downstream, StringComparer.Ordinal);
        Assert.Equal(("^1", CatalogLineageEdge.Behind, "2.0.0"), (byConsumer["finance.pinned"].Versions, byConsumer["finance.pinned"].Status, byConsumer["finance.pinned"].UpstreamVersion));
        Assert.Equal(CatalogLineageEdge.Current, byConsumer["finance.following"].Status);
        Assert.Equal(CatalogLineageEdge.Unsatisfied, byConsumer["finance.waiting"].Status);
    }
}
