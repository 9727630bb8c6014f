using DataMesh.Catalog;
using DataMesh.Events;
using DataMesh.Pipeline;
using DataMesh.Testing;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace DataMesh.Browser.Tests;

/// <summary>
/// What the web catalog's product page says of a product's history that only the catalog knows, in Chromium: a
/// consumer pinned behind its upstream's newer major, and a run announced with a refused landing name. Each test
/// records what it needs in a catalog of its own (a namespace beside the sample mesh's), served as the hub serves it
/// (<see cref="HubQuarantineBrowserTests.HubAsync"/>).
/// </summary>
[Collection(SampleMeshCollection.Name)]
public sealed class CatalogHubRunViewBrowserTests(SampleMeshFixture mesh, ITestOutputHelper output)
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 8, 0, 0, TimeSpan.Zero);

    [ChromiumFact]
    public async Task Catalog_ConsumerPinnedOnAnOlderMajor_ProductPageMarksItBehindItsUpstreamWithTheVersions()
    {
        // Arrange: the upstream published 1.2.0 and then a new major, 2.0.0; the consumer still declares ^1.
        var storage = await mesh.OpenStorageAsync(AzuriteFixture.CreateNamespace());
        var projection = new CatalogProjection(storage);
        await projection.RegisterProductAsync(Registration("ledger", "2.0.0"));
        await projection.RegisterProductAsync(Registration("report", "1.0.0") with
        {
            Inputs = ["pinning.ledger"],
            InputVersions = new Dictionary<string, string>(StringComparer.Ordinal) { ["pinning.ledger"] = "^1" },
        });
        await projection.ApplyAsync(ProductEventFactory.CreateProductVersionPublished(Published("ledger", "1.2.0")));
        await projection.ApplyAsync(ProductEventFactory.CreateProductVersionPublished(Published("ledger", "2.0.0")));
        await using var hub = await HubQuarantineBrowserTests.HubAsync(storage);
        var catalog = new Uri(hub.Urls.Single() + "/api/catalog/");
        await using var session = await BrowserSession.OpenAsync(mesh, output, "pinned-behind", catalog);
        var page = session.Page;

        // Act
        await page.GotoAsync($"{catalog}#/products/pinning.report");

        // Assert: the consumer's head says it is behind, naming the upstream and its newest version, and why on hover;
        // the upstream itself is not marked.
        var behind = page.Locator(".head-badges [data-edge-status='behind']");
        await Expect(behind).ToHaveTextAsync("behind pinning.ledger 2.0.0", new() { Timeout = 60_000 });
        await Expect(behind).ToHaveAttributeAsync("title", "Reads pinning.ledger ^1; pinning.ledger is at 2.0.0. See datamesh impact pinning.ledger.");
        await session.ScreenshotAsync("pinned-behind");
        await page.GotoAsync($"{catalog}#/products/pinning.ledger");
        await Expect(page.Locator(".product-title")).ToHaveTextAsync("pinning.ledger");
        await Expect(page.Locator(".head-badges [data-edge-status]")).ToHaveCountAsync(0);

        // The product list shows no edge status (only the product page and the lineage view do).
        await page.GotoAsync(catalog.ToString());
        await Expect(page.Locator("#results > li")).ToHaveCountAsync(2, new() { Timeout = 60_000 });
        await Expect(page.Locator("#results [data-edge-status]")).ToHaveCountAsync(0);
    }

    [ChromiumFact]
    public async Task Catalog_RunAnnouncedWithAnEscapeAndALineBreakInAQuarantinedName_RunViewShowsThemAsQuestionMarks()
    {
        // Arrange: a failed run as a domain of an earlier version announced it, the refused landing name raw.
        const string name = "orders/evil\u001b[2J\nname.csv";
        var storage = await mesh.OpenStorageAsync(AzuriteFixture.CreateNamespace());
        var projection = new CatalogProjection(storage);
        await projection.RegisterProductAsync(Registration("orders", "1.0.0"));
        await projection.ApplyAsync(ProductEventFactory.CreatePipelineRunFailed(new PipelineRunFailedData
        {
            ProductId = "pinning.orders",
            Domain = "pinning",
            Name = "orders",
            Version = "1.0.0",
            RunId = "orders-refused-name",
            Stage = "ingest",
            Error = $"Landing blob name '{LandingBlobNames.Printable(name)}' is not allowed (control characters).",
            Quarantined = [name],
            FailedAt = T0,
        }));
        await using var hub = await HubQuarantineBrowserTests.HubAsync(storage);
        var catalog = new Uri(hub.Urls.Single() + "/api/catalog/");
        await using var session = await BrowserSession.OpenAsync(mesh, output, "run-view-names", catalog);
        var page = session.Page;

        // Act
        await page.GotoAsync($"{catalog}#/products/pinning.orders");

        // Assert: the run's "Quarantined:" line shows the name as messages show a refused one; the quarantine list names
        // the file by the safe name it is kept under.
        var line = page.Locator("#section-runs tr[data-status='Failed'] .reason-quarantine");
        await Expect(line).ToHaveTextAsync($"Quarantined: {LandingBlobNames.Printable(name)}", new() { Timeout = 60_000 });
        Assert.DoesNotContain('\u001b', await line.TextContentAsync() ?? "");
        await Expect(page.Locator($"#section-quarantine tr[data-quarantined='{LandingBlobNames.QuarantineName(name)}']")).ToBeVisibleAsync();
        Assert.DoesNotContain('\u001b', await page.ContentAsync());
    }

    private static ProductRegistration Registration(string name, string version) =>
        new("pinning", name, version, $"The {name} of the pinning domain.", "Pinning", "pinning@example.com", ["pinning"], "public");

    private static ProductVersionPublishedData Published(string name, string version) => new()
    {
        ProductId = $"pinning.{name}",
        Domain = "pinning",
        Name = name,
        Version = version,
        Release = 1,
        RunId = $"run-{name}-{version}",
        Location = $"http://127.0.0.1:10000/devstoreaccount1/pinning-products/{name}/{version}/1/",
        Rows = 10,
        SchemaHash = "ab12cd34",
        Quality = new QualitySummary(true, 10, []),
        PublishedAt = version == "2.0.0" ? T0.AddDays(1) : T0,
    };
}
