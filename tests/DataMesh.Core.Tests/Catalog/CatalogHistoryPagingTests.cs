using System.Text.Json;
using DataMesh.Catalog;
using DataMesh.Consumption;
using DataMesh.Core.Tests.Events;
using DataMesh.Events;
using DataMesh.Storage;
using DataMesh.Testing;

namespace DataMesh.Core.Tests.Catalog;

/// <summary>A product's history is read a page at a time, newest first, by the table service — never all of it.</summary>
[Collection("azurite")]
public sealed class CatalogHistoryPagingTests(AzuriteFixture azurite)
{
    private const string ProductId = "finance.ledger-emea";
    private readonly MeshStorage _storage = azurite.CreateMeshStorage();

    [Fact]
    public async Task ListRunsAndReleases_45ReleasesPagedBy20_NewestFirstWithoutGapsOrRepeats()
    {
        // Arrange: 45 releases announced out of order.
        await PublishAsync(Enumerable.Range(1, 45).OrderBy(r => (r * 17) % 45));

        // Act
        var runs = await PagesAsync("runs", "runId");
        var releases = await PagesAsync("releases", "release");

        // Assert
        Assert.Equal([20, 20, 5], runs.Pages);
        Assert.Equal(Enumerable.Range(1, 45).Reverse().Select(r => $"run-1.2.0-{r}"), runs.Items);
        Assert.Equal([20, 20, 5], releases.Pages);
        Assert.Equal(Enumerable.Range(1, 45).Reverse().Select(r => r.ToString(System.Globalization.CultureInfo.InvariantCulture)), releases.Items);
    }

    [Fact]
    public async Task GetProduct_45Releases_ShowsTheNewest20ReleasesAndRunsAndSaysThereAreMore()
    {
        // Arrange
        await PublishAsync(Enumerable.Range(1, 45));

        // Act
        var answer = await Api().HandleAsync("GET", $"/api/products/{ProductId}", "", DataReader.Operator);

        // Assert
        Assert.Equal(200, answer.StatusCode);
        using var body = JsonDocument.Parse(answer.Body);
        Assert.Equal(Enumerable.Range(26, 20).Reverse(), body.RootElement.GetProperty("releases").EnumerateArray().Select(r => r.GetProperty("release").GetInt32()));
        Assert.Equal(Enumerable.Range(26, 20).Reverse().Select(r => $"run-1.2.0-{r}"), body.RootElement.GetProperty("runs").EnumerateArray().Select(r => r.GetProperty("runId").GetString()));
        Assert.True(body.RootElement.GetProperty("moreReleases").GetBoolean());
        Assert.True(body.RootElement.GetProperty("moreRuns").GetBoolean());
    }

    [Fact]
    public async Task GetRunsPage_RunReportedFailedThenPublished_ShowsItOnceAsPublished()
    {
        // Arrange: the same run announced as failed (earlier) and then as published (later).
        var projection = new CatalogProjection(_storage);
        var published = SampleEvents.Published(release: 1) with { PublishedAt = SampleEvents.BaseTime.AddHours(3) };
        await projection.ApplyAsync(ProductEventFactory.CreatePipelineRunFailed(SampleEvents.RunFailed(runId: published.RunId)));
        await projection.ApplyAsync(ProductEventFactory.CreateProductVersionPublished(published));

        // Act
        var page = await new CatalogReader(_storage).GetRunsPageAsync(ProductId, 10);

        // Assert
        var run = Assert.Single(page.Items);
        Assert.Equal((published.RunId, CatalogRunStatus.Published), (run.RunId, run.Status));
        Assert.Null(page.ContinuationToken);
    }

    [Fact]
    public async Task GetMeshRunsPage_RunsOfTwoProductsPagedBy2_NewestFirstAcrossProductsWithoutRepeats()
    {
        // Arrange: releases of two products, interleaved in time (a release's time grows with its number); one run of
        // the first reported failed, then published later (its earlier copy must not show).
        var projection = new CatalogProjection(_storage);
        await projection.ApplyAsync(ProductEventFactory.CreatePipelineRunFailed(SampleEvents.RunFailed(runId: "run-1.2.0-5") with { FailedAt = SampleEvents.BaseTime }));
        foreach (var release in new[] { 1, 3, 5 })
        {
            await projection.ApplyAsync(ProductEventFactory.CreateProductVersionPublished(SampleEvents.Published(release: release)));
        }

        foreach (var release in new[] { 2, 4 })
        {
            var published = SampleEvents.Published(release: release, name: "ledger-amer");
            await projection.ApplyAsync(ProductEventFactory.CreateProductVersionPublished(published with { RunId = "amer-" + published.RunId }));
        }

        // Act
        var reader = new CatalogReader(_storage);
        var pages = new List<CatalogPage<CatalogRun>>();
        string? token = null;
        do
        {
            pages.Add(await reader.GetMeshRunsPageAsync(2, token));
            token = pages[^1].ContinuationToken;
        }
        while (token is not null && pages.Count < 10);

        // Assert
        Assert.Equal([2, 2, 1], pages.Select(p => p.Items.Count));
        Assert.Equal(
            [("finance.ledger-emea", "run-1.2.0-5"), ("finance.ledger-amer", "amer-run-1.2.0-4"), ("finance.ledger-emea", "run-1.2.0-3"), ("finance.ledger-amer", "amer-run-1.2.0-2"), ("finance.ledger-emea", "run-1.2.0-1")],
            pages.SelectMany(p => p.Items).Select(r => (r.ProductId, r.RunId)));
        Assert.Equal(CatalogRunStatus.Published, pages[0].Items[0].Status);
    }

    [Fact]
    public async Task ListRuns_TokenNotIssuedByTheCatalog_Returns400()
    {
        // Arrange
        await PublishAsync([1]);

        // Act
        var answer = await Api().HandleAsync("GET", $"/api/products/{ProductId}/runs", "?continuationToken=not-a-token!", DataReader.Operator);

        // Assert
        Assert.Equal(400, answer.StatusCode);
        Assert.Contains("continuationToken", answer.Body, StringComparison.Ordinal);
    }

    private async Task PublishAsync(IEnumerable<int> releases)
    {
        var projection = new CatalogProjection(_storage);
        foreach (var release in releases)
        {
            await projection.ApplyAsync(ProductEventFactory.CreateProductVersionPublished(SampleEvents.Published(release: release)));
        }
    }

    private async Task<(List<int> Pages, List<string> Items)> PagesAsync(string route, string property)
    {
        var pages = new List<int>();
        var items = new List<string>();
        string? token = null;
        do
        {
            var query = "?limit=20" + (token is null ? "" : "&continuationToken=" + Uri.EscapeDataString(token));
            var answer = await Api().HandleAsync("GET", $"/api/products/{ProductId}/{route}", query, DataReader.Operator);
            Assert.True(answer.StatusCode == 200, answer.Body);
            using var body = JsonDocument.Parse(answer.Body);
            var page = body.RootElement.GetProperty("items").EnumerateArray().Select(i => i.GetProperty(property).ToString()).ToList();
            pages.Add(page.Count);
            items.AddRange(page);
            token = body.RootElement.GetProperty("continuationToken").GetString();
        }
        while (token is not null && pages.Count < 10);

        return (pages, items);
    }

    private CatalogHttpApi Api() => new(new CatalogReader(_storage));
}
