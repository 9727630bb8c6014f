using DataMesh.Catalog;
using DataMesh.Consumption;
using DataMesh.Events;
using DataMesh.Pipeline;
using DataMesh.Storage;
using DataMesh.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace DataMesh.Browser.Tests;

/// <summary>
/// The web catalog's quarantine list as the hub serves it in Azure, in Chromium: the hub reads no domain's storage, so
/// it lists a product's quarantined files from what the domains announced to its catalog. The sample mesh's
/// <c>datamesh up</c> is the domain (its runs quarantine and announce); a hub over the same catalog (the embedded pages
/// and the API handler the Functions app serves, without any domain's quarantine) is what the browser opens, signed in
/// as a finance reader (the identity App Service authentication would give it; the sign-in itself is
/// <see cref="CatalogSignInBrowserTests"/>'s).
/// </summary>
[Collection(SampleMeshCollection.Name)]
public sealed class HubQuarantineBrowserTests(SampleMeshFixture mesh, ITestOutputHelper output)
{
    // Restricted to workforce and its reader finance; gross and net are confidential (pipelines/workforce/payroll).
    private const string Payroll = "workforce.payroll";
    private const string Classified = "4.150,93";

    [ChromiumFact]
    public async Task Catalog_HubQuarantineOfARestrictedProduct_ShowsEachFileItsRedactedReasonAndWhetherItCanBeReplayed()
    {
        // Arrange: the domain quarantines a payroll file whose confidential net pay DuckDB cannot read (its error
        // quotes the value); and its announcement of a file whose landing name was refused (a control character) and
        // of one whose name has '..' segments (kept in landing, only its record quarantined).
        const string bad = "payroll_2026-12.csv";
        var run = await mesh.DropAndWaitForRunAsync(Payroll, bad, $"employee_id,period,gross,net,currency\nE1001,2026-12,6186.01,\"{Classified}\",EUR\n");
        Assert.Equal("Failed", run.GetProperty("status").GetString());
        var refused = "payroll/runs/bell\u0007.csv";
        const string kept = "payroll/../runs/kept.csv";
        var storage = await mesh.OpenStorageAsync();
        await new CatalogProjection(storage).ApplyAsync(ProductEventFactory.CreatePipelineRunFailed(new PipelineRunFailedData
        {
            ProductId = Payroll,
            Domain = "workforce",
            Name = "payroll",
            Version = "1.0.0",
            RunId = "payroll-refused-name",
            Stage = "ingest",
            Error = $"landing blob name refused ({LandingBlobNames.Problem(refused)})",
            Quarantined = [LandingBlobNames.QuarantineName(refused)],
            QuarantinedFiles = [QuarantinedInput.Moved(refused), QuarantinedInput.Kept(kept)],
            FailedAt = DateTimeOffset.UtcNow,
        }));
        await using var hub = await HubAsync(storage);
        var catalog = new Uri(hub.Urls.Single() + "/api/catalog/");
        await using var session = await BrowserSession.OpenAsync(mesh, output, "hub-quarantine", catalog);
        var page = session.Page;

        // Act
        await page.GotoAsync($"{catalog}#/products/{Payroll}");

        // Assert: the hub answered from its catalog; the page lists both files with their reasons and replay state.
        using var http = new HttpClient();
        var answer = await http.GetStringAsync(new Uri(catalog, $"/api/products/{Payroll}/quarantine"));
        Assert.Contains("\"source\":\"catalog\"", answer, StringComparison.Ordinal);
        var wait = new LocatorAssertionsToBeVisibleOptions { Timeout = 60_000 };
        var quarantined = page.Locator($"#section-quarantine tr[data-quarantined='payroll/runs/{bad}']");
        await Expect(quarantined).ToBeVisibleAsync(wait);
        await Expect(quarantined).ToContainTextAsync("ingest");
        await Expect(quarantined).ToContainTextAsync(ErrorRedaction.Marker);
        await Expect(quarantined.Locator("[data-replayable]")).ToHaveAttributeAsync("data-replayable", "yes");
        await Expect(quarantined.Locator("[data-replayable]")).ToHaveTextAsync("can be replayed");
        var notReplayable = page.Locator($"#section-quarantine tr[data-quarantined='{LandingBlobNames.QuarantineName(refused)}']");
        await Expect(notReplayable.Locator("[data-replayable]")).ToHaveAttributeAsync("data-replayable", "no");
        await Expect(notReplayable.Locator("[data-replayable]")).ToContainTextAsync("cannot be replayed");
        await Expect(notReplayable.Locator("[data-replayable]")).ToContainTextAsync("landing name was refused (control characters)");
        await Expect(notReplayable.Locator("[data-kept-in-landing]")).ToHaveCountAsync(0);
        await Expect(quarantined.Locator("[data-kept-in-landing]")).ToHaveCountAsync(0);
        var keptRow = page.Locator($"#section-quarantine tr[data-quarantined='{LandingBlobNames.QuarantineName(kept)}']");
        var keptMarker = keptRow.Locator("[data-kept-in-landing]");
        await Expect(keptMarker).ToHaveTextAsync("kept in landing");
        await Expect(keptMarker).ToHaveAttributeAsync("title", "The file stayed in the domain's landing container under its original name; only its record was quarantined.");
        await Expect(keptRow.Locator("[data-replayable]")).ToHaveAttributeAsync("data-replayable", "no");

        // Redaction: the classified value is nowhere on the page, nor in what the hub answered.
        Assert.DoesNotContain(Classified, await page.Locator("body").InnerTextAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain(Classified, await page.ContentAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain(Classified, answer, StringComparison.Ordinal);
        await page.Locator("#section-quarantine").ScrollIntoViewIfNeededAsync();
        await session.ScreenshotAsync("payroll-quarantine");
    }

    /// <summary>
    /// The hub over the mesh's catalog as the Functions app serves it: the embedded pages at <c>/api/catalog/</c> and the
    /// API handler with no domain's quarantine, every caller the finance domain's reader.
    /// </summary>
    internal static async Task<WebApplication> HubAsync(MeshStorage storage)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{LoopbackPort.Free()}");
        var app = builder.Build();
        var api = new CatalogHttpApi(new CatalogReader(storage));
        var finance = DataReader.FromAppRoles(["DataMesh.Domain.finance"]);
        app.Map("/api/catalog/{**path}", async (HttpContext context) =>
        {
            var answer = CatalogWebAssets.Default.Serve(context.Request.Method, context.Request.Path.ToUriComponent()["/api/catalog".Length..].TrimStart('/'));
            await HostedAnswers.WriteAsync(context, answer);
        });
        app.Map("/api/{**path}", async (HttpContext context) =>
        {
            var answer = await api.HandleAsync(context.Request.Method, context.Request.Path.ToUriComponent(), context.Request.QueryString.Value, finance, context.RequestAborted);
            await HostedAnswers.WriteAsync(context, answer);
        });
        await app.StartAsync();
        return app;
    }
}
