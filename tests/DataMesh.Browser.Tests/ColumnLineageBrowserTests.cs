using System.Text.Json;
using DataMesh.Catalog;
using DataMesh.Lineage;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace DataMesh.Browser.Tests;

/// <summary>
/// A column's sources and readers in the web catalog, in Chromium, over the sample mesh served by <c>datamesh up</c>:
/// sales.campaign-attribution computes <c>return_on_spend</c> from marketing's campaign spend and its own domain's
/// opportunities, and a finance product (registered here, as a domain app registers at its start) reads it.
/// </summary>
[Collection(SampleMeshCollection.Name)]
public sealed class ColumnLineageBrowserTests(SampleMeshFixture mesh, ITestOutputHelper output)
{
    private const string Attribution = "sales.campaign-attribution";
    private const string Column = "return_on_spend";
    private const string Reader = "finance.campaign-returns";

    [ChromiumFact]
    public async Task Catalog_ProductPage_ShowsAColumnsSourcesAcrossDomainsAndItsReaders()
    {
        // Arrange: finance registers a product reading the column into its own 'roi' (never published). The page's
        // expectations are the catalog API's answer for the same product.
        var storage = await mesh.OpenStorageAsync();
        await new CatalogProjection(storage).RegisterProductAsync(
            new ProductRegistration("finance", "campaign-returns", "1.0.0", "Campaign returns for the column lineage browser test", "finance", "finance@example.com", [], "public")
            {
                Inputs = [Attribution],
                InputVersions = new Dictionary<string, string> { [Attribution] = "^1" },
                ColumnLineage = new ColumnLineage
                {
                    Outputs = [new ColumnLineageOutput("roi", [new ColumnLineageSource("attribution", Column, ColumnLineageSource.Direct, "IDENTITY", Attribution)])],
                    Reads = [new ColumnLineageInput("attribution", [Column], Attribution)],
                    Dataset = [],
                },
            });
        var lineage = await mesh.GetJsonAsync($"/api/products/{Attribution}/lineage?depth=2");
        var expected = lineage.GetProperty("columns").EnumerateArray().Single(c => c.GetProperty("column").GetString() == Column);
        var sources = expected.GetProperty("sources").EnumerateArray().ToList();
        await using var session = await BrowserSession.OpenAsync(mesh, output, "column-lineage");
        var page = session.Page;

        // Act
        await page.GotoAsync($"ui/#/products/{Attribution}");

        // Assert: each source the API names, marketing's spend among them (another domain), linked to its product;
        // the finance reader, linked, with its range and the column it computes.
        var wait = new LocatorAssertionsToBeVisibleOptions { Timeout = 60_000 };
        var shownSources = page.Locator($"#section-column-lineage ul[data-sources='{Column}'] > li");
        await Expect(shownSources.First).ToBeVisibleAsync(wait);
        await Expect(shownSources).ToHaveCountAsync(sources.Count);
        Assert.Contains(sources, s => s.GetProperty("product").GetString() == "marketing.campaign-performance" && s.GetProperty("column").GetString() == "spend");
        for (var i = 0; i < sources.Count; i++)
        {
            var source = sources[i];
            var product = source.GetProperty("product").ValueKind == JsonValueKind.String ? source.GetProperty("product").GetString()! : $"landing {source.GetProperty("input").GetString()}";
            await Expect(shownSources.Nth(i)).ToContainTextAsync(product);
            await Expect(shownSources.Nth(i).Locator("code")).ToHaveTextAsync(source.GetProperty("column").GetString()!);
        }

        await Expect(shownSources.Filter(new() { HasText = "marketing.campaign-performance" }).Locator("a")).ToHaveAttributeAsync("href", "#/products/marketing.campaign-performance");
        var readers = page.Locator($"#section-column-lineage ul[data-readers='{Column}'] > li");
        await Expect(readers).ToHaveCountAsync(expected.GetProperty("readers").GetArrayLength());
        var reader = readers.Filter(new() { HasText = Reader });
        await Expect(reader).ToHaveCountAsync(1);
        await Expect(reader).ToHaveAttributeAsync("data-hop", "1");
        await Expect(reader.Locator("a")).ToHaveAttributeAsync("href", $"#/products/{Reader}");
        await Expect(reader).ToContainTextAsync("(^1)");
        await Expect(reader.Locator("code")).ToHaveTextAsync("roi");
        await page.Locator($"#section-column-lineage ul[data-sources='{Column}']").ScrollIntoViewIfNeededAsync();
        await session.ScreenshotAsync("campaign-attribution-return-on-spend");
    }
}
