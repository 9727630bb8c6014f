using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using DataMesh.Catalog;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace DataMesh.Browser.Tests;

/// <summary>
/// The web catalog in Chromium over the sample mesh served by <c>datamesh up</c>: what a platform team clicks through in
/// its first minute. Every expectation is read from the catalog API of the same mesh, never written down here.
/// </summary>
[Collection(SampleMeshCollection.Name)]
public sealed partial class CatalogBrowserTests(SampleMeshFixture mesh, ITestOutputHelper output)
{
    private const string RevenueGlobal = "finance.revenue-global";
    private const string LedgerEmea = "finance.ledger-emea";
    private const string StockLevels = "supply-chain.stock-levels";

    [ChromiumFact]
    public async Task Catalog_SearchProductLineageUpstream_ShowsTheLedgerWithReleasesRowCountsAndQuality()
    {
        // Arrange
        output.WriteLine($"sample mesh started and settled in {mesh.SeedTime.TotalSeconds:F1} s:\n{mesh.SeedLog}");
        var found = await mesh.GetJsonAsync("/api/products?q=revenue");
        var lineage = await mesh.GetJsonAsync($"/api/products/{RevenueGlobal}/lineage?direction=upstream&depth=1");
        var upstream = lineage.GetProperty("nodes").EnumerateArray().Select(n => n.GetProperty("productId").GetString()!).Order(StringComparer.Ordinal).ToList();
        var emea = await mesh.GetJsonAsync($"/api/products/{LedgerEmea}");
        await using var session = await BrowserSession.OpenAsync(mesh, output, "journey");
        var page = session.Page;

        // Act + Assert: the printed root sends the browser to the catalog; search for "revenue".
        await page.GotoAsync("/");
        await Expect(page).ToHaveURLAsync(UiRoot());
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Data products", Level = 1 })).ToBeVisibleAsync();
        // The first page of every product has loaded before the search is typed (a slow machine could otherwise show it
        // after the search's answer).
        await Expect(page.Locator("#results > li").First).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Searchbox, new() { Name = "Search", Exact = true }).FillAsync("revenue");
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator("#results > li")).ToHaveCountAsync(found.GetProperty("items").GetArrayLength());
        var result = page.GetByRole(AriaRole.Link, new() { Name = RevenueGlobal, Exact = true });
        await Expect(result).ToBeVisibleAsync();
        await session.ScreenshotAsync("search-revenue");

        // The product page: owner, description, contract with classifications, SLA badge, releases, runs.
        await result.ClickAsync();
        await Expect(page.Locator("h1")).ToHaveTextAsync(RevenueGlobal);
        var revenue = await mesh.GetJsonAsync($"/api/products/{RevenueGlobal}");
        await Expect(page.Locator("#section-owner")).ToContainTextAsync(revenue.GetProperty("owner").GetProperty("team").GetString()!);
        await Expect(page.Locator(".lead").First).ToHaveTextAsync(revenue.GetProperty("product").GetProperty("description").GetString()!);
        await Expect(page.Locator("#section-sla")).ToContainTextAsync(FreshnessLabel(revenue.GetProperty("freshness").GetString()!));
        foreach (var column in revenue.GetProperty("contract").GetProperty("columns").EnumerateArray())
        {
            await Expect(page.Locator("#section-schema tbody th").Filter(new() { HasTextRegex = Exactly(column.GetProperty("name").GetString()!) })).ToHaveCountAsync(1);
        }

        await Expect(page.Locator("#section-releases table.releases > tbody > tr")).ToHaveCountAsync(revenue.GetProperty("releases").GetArrayLength());
        await session.ScreenshotAsync("product-revenue-global");

        // The lineage view: the three regional ledgers upstream, drawn left of the product.
        await page.GetByRole(AriaRole.Link, new() { Name = "Lineage graph" }).ClickAsync();
        await Expect(page.Locator("h1")).ToHaveTextAsync($"Lineage of {RevenueGlobal}");
        var graph = page.Locator("#section-graph [data-testid=lineage-graph]");
        var nodes = graph.Locator("a.node");
        await Expect(nodes.First).ToBeVisibleAsync();
        var drawn = (await nodes.EvaluateAllAsync<string[]>("links => links.map(a => a.dataset.product)")).Where(upstream.Contains).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(["finance.ledger-amer", "finance.ledger-apac", "finance.ledger-emea"], upstream);
        Assert.Equal(upstream, drawn);
        var self = await graph.Locator($"[data-product='{RevenueGlobal}']").BoundingBoxAsync();
        foreach (var id in upstream)
        {
            var box = await graph.Locator($"a[data-product='{id}']").BoundingBoxAsync();
            Assert.True(box!.X + box.Width <= self!.X, $"{id} is upstream of {RevenueGlobal} and must be drawn to its left.");
        }

        Assert.Equal(3, await graph.Locator($"path.edge[data-edge$='->{RevenueGlobal}']").CountAsync());
        await session.ScreenshotAsync("lineage-revenue-global");

        // Click the EMEA ledger in the graph: its page lists its releases with row counts and quality results.
        await graph.Locator($"a[data-product='{LedgerEmea}']").ClickAsync();
        await Expect(page.Locator("h1")).ToHaveTextAsync(LedgerEmea);
        var releases = emea.GetProperty("releases").EnumerateArray().ToList();
        Assert.NotEmpty(releases);
        var rows = page.Locator("#section-releases table.releases > tbody > tr");
        await Expect(rows).ToHaveCountAsync(releases.Count);
        for (var i = 0; i < releases.Count; i++)
        {
            var release = releases[i];
            var rules = release.GetProperty("quality").GetProperty("rules").EnumerateArray().ToList();
            await Expect(rows.Nth(i).Locator(":scope > th")).ToHaveTextAsync($"{release.GetProperty("version").GetString()} #{release.GetProperty("release").GetInt32()}");
            await Expect(rows.Nth(i).Locator(":scope > td").First).ToHaveTextAsync(release.GetProperty("rows").GetInt64().ToString("N0", CultureInfo.InvariantCulture));
            var changes = rows.Nth(i).Locator(":scope > td").Nth(1);
            await Expect(changes).ToContainTextAsync(release.TryGetProperty("changes", out var changed) && changed.ValueKind == System.Text.Json.JsonValueKind.Object
                ? $"+{changed.GetProperty("rowsAdded").GetInt64().ToString("N0", CultureInfo.InvariantCulture)} added"
                : "not recorded");
            await Expect(rows.Nth(i)).ToContainTextAsync($"{rules.Count(r => r.GetProperty("passed").GetBoolean())}/{rules.Count} rules passed");
        }

        var quality = page.Locator("#section-quality details").First;
        await Expect(quality.Locator("tbody tr")).ToHaveCountAsync(releases[0].GetProperty("quality").GetProperty("rules").GetArrayLength());
        await session.ScreenshotAsync("product-ledger-emea");
    }

    [ChromiumFact]
    public async Task Catalog_FileWithAnUndeclaredColumn_ReleaseAndRunShowTheDrift()
    {
        // Arrange: payroll (read by no product) gets a file with a column it does not declare. Payroll has classified
        // columns: the undeclared name is withheld (a header-less file would put values there), the drift is not.
        const string payroll = "workforce.payroll";
        var run = await mesh.DropAndWaitForRunAsync(payroll, "payroll_2026-12.csv",
            "employee_id,period,gross,net,currency,bonus\nE1001,2026-12,6186.01,4150.93,EUR,100.00\n");
        Assert.Equal(CatalogRunStatus.Published, run.GetProperty("status").GetString());
        var drift = run.GetProperty("inputs").EnumerateArray().SelectMany(i => i.GetProperty("drift").EnumerateArray()).ToList();
        Assert.Contains(drift, d => d.GetProperty("kind").GetString() == "unexpected-column");
        Assert.DoesNotContain(drift, d => d.GetProperty("column").GetString() == "bonus");
        await using var session = await BrowserSession.OpenAsync(mesh, output, "drift");
        var page = session.Page;

        // Act
        await page.SetExtraHTTPHeadersAsync(new Dictionary<string, string> { ["X-DataMesh-Domain"] = "workforce" });
        await page.GotoAsync($"ui/#/products/{payroll}");

        // Assert: the release it made and its run both say which column drifted, and how it was read. Generous
        // waits: on a loaded machine the product page takes more than the 5 s Playwright waits by default.
        var wait = TimeSpan.FromSeconds(60).TotalMilliseconds;
        await Expect(page.Locator("h1")).ToHaveTextAsync(payroll, new() { Timeout = (float)wait });
        var release = page.Locator($"#section-releases tbody tr:has(code.run-id:text-is('{run.GetProperty("runId").GetString()}'))");
        await Expect(release.Locator("[data-drift] [data-drift-kind=unexpected-column]")).ToContainTextAsync("not declared: read with an auto-detected type (DOUBLE)", new() { Timeout = (float)wait });
        var runRow = page.Locator($"#section-runs tbody tr:has(code.run-id:text-is('{run.GetProperty("runId").GetString()}'))");
        await Expect(runRow.Locator("[data-drift] [data-drift-kind=unexpected-column]")).ToContainTextAsync("not declared", new() { Timeout = (float)wait });
        await runRow.ScrollIntoViewIfNeededAsync();
        await session.ScreenshotAsync("payroll-drift");
    }

    [ChromiumFact]
    public async Task Catalog_CancelledRun_ShownAsCancelledNotFailedWithWhoCancelledIt()
    {
        // Arrange: a run of the sales opportunities cancelled by Ctrl+C, as the catalog records it.
        const string product = "sales.opportunities";
        var runId = await mesh.RecordCancelledRunAsync(product, "Ctrl+C in datamesh run");
        await using var session = await BrowserSession.OpenAsync(mesh, output, "cancelled");
        var page = session.Page;

        // Act
        await page.SetExtraHTTPHeadersAsync(new Dictionary<string, string> { ["X-DataMesh-Domain"] = "sales" });
        await page.GotoAsync($"ui/#/products/{product}");

        // Assert: its own badge and row style (not the failed ones), and the reason says who cancelled it, where.
        var wait = (float)TimeSpan.FromSeconds(60).TotalMilliseconds;
        var row = page.Locator($"#section-runs tbody tr:has(code.run-id:text-is('{runId}'))");
        await Expect(row).ToHaveAttributeAsync("data-status", "Cancelled", new() { Timeout = wait });
        await Expect(row).ToHaveClassAsync("row-cancelled");
        await Expect(row.Locator(".badge-cancelled")).ToHaveTextAsync("Cancelled");
        await Expect(row.Locator(".badge-bad")).ToHaveCountAsync(0);
        await Expect(row.Locator("[data-cancel-reason]")).ToContainTextAsync("cancelled: by Ctrl+C in datamesh run at stage transform");
        await row.ScrollIntoViewIfNeededAsync();
        await session.ScreenshotAsync("cancelled-run");
    }

    [ChromiumFact]
    public async Task Catalog_ProductWithRejectedSample_ShowsTheQualityFailedRunWithItsReason()
    {
        // Arrange: the run the quality gate stopped, as the API records it.
        var runs = (await mesh.GetJsonAsync($"/api/products/{StockLevels}/runs")).GetProperty("items").EnumerateArray().ToList();
        var failed = runs.First(r => r.GetProperty("status").GetString() == CatalogRunStatus.QualityFailed);
        var failedRules = failed.GetProperty("quality").GetProperty("rules").EnumerateArray().Where(r => !r.GetProperty("passed").GetBoolean()).ToList();
        Assert.NotEmpty(failedRules);
        await using var session = await BrowserSession.OpenAsync(mesh, output, "failed-run");
        var page = session.Page;

        // Act: a deep link straight to the product, read as its own domain (its runs answer only readers of its data).
        await page.SetExtraHTTPHeadersAsync(new Dictionary<string, string> { ["X-DataMesh-Domain"] = "supply-chain" });
        await page.GotoAsync($"ui/#/products/{StockLevels}");

        // Assert
        await Expect(page.Locator("h1")).ToHaveTextAsync(StockLevels);
        await Expect(page.Locator("#section-runs tbody tr")).ToHaveCountAsync(runs.Count);
        var row = page.Locator("#section-runs tbody tr[data-status=QualityFailed]");
        await Expect(row).ToHaveCountAsync(runs.Count(r => r.GetProperty("status").GetString() == CatalogRunStatus.QualityFailed));
        await Expect(row.First).ToContainTextAsync("Quality failed");
        foreach (var rule in failedRules)
        {
            // The reason names the rule, what was measured and what was expected.
            await Expect(row.First.Locator(".reason-rules")).ToContainTextAsync($"{rule.GetProperty("name").GetString()}");
            await Expect(row.First.Locator(".reason-rules")).ToContainTextAsync($"expected {rule.GetProperty("expectation").GetString()}");
        }

        if (failed.GetProperty("quarantined").GetArrayLength() > 0)
        {
            await Expect(row.First.Locator(".reason-quarantine")).ToContainTextAsync(failed.GetProperty("quarantined")[0].GetString()!);
        }

        await Expect(page.Locator("#section-runs tbody tr[data-status=Published]")).ToHaveCountAsync(runs.Count(r => r.GetProperty("status").GetString() == CatalogRunStatus.Published));

        // Each run's stage timeline: one bar per stage attempt the run recorded, the quality gate's among them.
        var stages = failed.GetProperty("stages").EnumerateArray().ToList();
        Assert.NotEmpty(stages);
        await Expect(row.First.Locator("svg.timeline rect")).ToHaveCountAsync(stages.Count);
        await row.First.Locator(".timeline-details summary").ClickAsync();
        await Expect(row.First.Locator(".timeline-list")).ToContainTextAsync("quality");
        await row.First.ScrollIntoViewIfNeededAsync();
        await session.ScreenshotAsync("stock-levels-runs");
    }

    [ChromiumFact]
    public async Task Catalog_FilterByDomainThenClassification_ListsExactlyTheMatchingProducts()
    {
        // Arrange
        var finance = await ProductIdsAsync("/api/products?domain=finance&pageSize=100");
        var pii = await ProductIdsAsync("/api/products?classification=pii&pageSize=100");
        Assert.Contains("workforce.employees", pii);
        await using var session = await BrowserSession.OpenAsync(mesh, output, "filters");
        var page = session.Page;
        await page.GotoAsync("ui/");

        // Act + Assert: by domain.
        await page.GetByLabel("Domain", new() { Exact = true }).SelectOptionAsync("finance");
        await Expect(page).ToHaveURLAsync(new Regex("#/search\\?domain=finance$"));
        await Expect(page.Locator("#results-summary")).ToContainTextAsync("domain “finance”");
        Assert.Equal(finance, await ShownProductIdsAsync(page));
        await session.ScreenshotAsync("domain-finance");

        // By classification: the product with PII columns, and its schema shows the classification and masking.
        await page.GetByLabel("Domain", new() { Exact = true }).SelectOptionAsync("");
        await page.GetByLabel("Classification", new() { Exact = true }).SelectOptionAsync("pii");
        await Expect(page.Locator("#results-summary")).ToContainTextAsync("classification “pii”");
        await Expect(page.Locator("#results-summary")).Not.ToContainTextAsync("domain");
        Assert.Equal(pii, await ShownProductIdsAsync(page));
        await session.ScreenshotAsync("classification-pii");

        await page.GetByRole(AriaRole.Link, new() { Name = "workforce.employees", Exact = true }).ClickAsync();
        await Expect(page.Locator("h1")).ToHaveTextAsync("workforce.employees");
        var piiColumns = (await mesh.GetJsonAsync("/api/products/workforce.employees")).GetProperty("contract").GetProperty("columns").EnumerateArray()
            .Where(c => c.TryGetProperty("classification", out var k) && k.GetString() == "pii").ToList();
        Assert.NotEmpty(piiColumns);
        foreach (var column in piiColumns)
        {
            var schemaRow = page.Locator("#section-schema tbody tr").Filter(new() { Has = page.Locator("th").Filter(new() { HasTextRegex = Exactly(column.GetProperty("name").GetString()!) }) });
            await Expect(schemaRow).ToContainTextAsync("pii");
            if (column.TryGetProperty("masking", out var masking) && masking.ValueKind == JsonValueKind.String)
            {
                await Expect(schemaRow).ToContainTextAsync(masking.GetString()!);
            }
        }

        await session.ScreenshotAsync("product-employees-schema");
    }

    [ChromiumFact]
    public async Task Catalog_KeyboardOnly_TabToAResultOrALineageNodeAndEnterOpensIt()
    {
        // Arrange
        await using var session = await BrowserSession.OpenAsync(mesh, output, "keyboard");
        var page = session.Page;
        await page.GotoAsync("ui/");
        await Expect(page.Locator("h1")).ToHaveTextAsync("Data products");

        // Act + Assert: type a search, Tab to the result, Enter.
        await page.GetByRole(AriaRole.Searchbox, new() { Name = "Search", Exact = true }).FocusAsync();
        await page.Keyboard.TypeAsync("stock");
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = StockLevels, Exact = true })).ToBeVisibleAsync();
        await session.TabToProductAsync(StockLevels);
        await session.ScreenshotAsync("result-focused");
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator("h1")).ToHaveTextAsync(StockLevels);
        await Expect(page.Locator("h1")).ToBeFocusedAsync();

        // In the lineage view, graph nodes are reachable with Tab and open with Enter.
        await page.GotoAsync($"ui/#/products/{RevenueGlobal}/lineage");
        await Expect(page.Locator("h1")).ToHaveTextAsync($"Lineage of {RevenueGlobal}");
        await session.TabToProductAsync("finance.ledger-apac");
        Assert.Equal("a", await page.EvaluateAsync<string>("() => document.activeElement.localName"));
        Assert.True(await page.EvaluateAsync<bool>("() => document.activeElement.closest('svg') !== null"), "the focused node is in the graph");
        await session.ScreenshotAsync("lineage-node-focused");
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.Locator("h1")).ToHaveTextAsync("finance.ledger-apac");
    }

    [ChromiumFact]
    public async Task Catalog_Pages_AreServedWithCspAndShowApiErrorsAccessibly()
    {
        // Arrange
        await using var session = await BrowserSession.OpenAsync(mesh, output, "errors");
        var page = session.Page;

        // Act
        var response = await page.GotoAsync("ui/");
        await Expect(page.Locator("h1")).ToHaveTextAsync("Data products");
        var headers = await response!.AllHeadersAsync();
        session.ExpectConsoleErrors("the server responded with a status of 404");
        await page.GotoAsync("ui/#/products/nowhere.nothing");

        // Assert: the answer carries the policy; an unknown product is announced in the alert region, with the API's words.
        Assert.Equal(CatalogWebAssets.ContentSecurityPolicy, headers["content-security-policy"]);
        Assert.Equal("nosniff", headers["x-content-type-options"]);
        var alert = page.GetByRole(AriaRole.Alert);
        await Expect(alert).ToBeVisibleAsync();
        await Expect(alert).ToContainTextAsync("'nowhere.nothing' is not in the catalog");
        await session.ScreenshotAsync("unknown-product");
    }

    private async Task<List<string>> ProductIdsAsync(string path) =>
        [.. (await mesh.GetJsonAsync(path)).GetProperty("items").EnumerateArray().Select(p => p.GetProperty("productId").GetString()!)];

    private static async Task<List<string>> ShownProductIdsAsync(IPage page) =>
        [.. await page.Locator("#results > li").EvaluateAllAsync<string[]>("items => items.map(li => li.dataset.product)")];

    private static string FreshnessLabel(string status) => status switch
    {
        "fresh" => "Fresh",
        "stale" => "Stale",
        _ => "No SLA",
    };

    private static Regex Exactly(string text) => new($"^\\s*{Regex.Escape(text)}\\s*$");

    [GeneratedRegex("/ui/(#.*)?$")]
    private static partial Regex UiRoot();
}
