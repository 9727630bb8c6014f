using System.Collections.Concurrent;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace DataMesh.Browser.Tests;

/// <summary>
/// One browser context at laptop size (1366×768) on the catalog: every request that leaves the catalog's origin is
/// blocked and recorded, console errors (CSP violations among them) are recorded, and screenshots are saved and
/// their paths printed. Disposing fails the test when the page reached out or logged an error.
/// </summary>
public sealed class BrowserSession : IAsyncDisposable
{
    private readonly ConcurrentQueue<string> _external = new();
    private readonly ConcurrentQueue<string> _errors = new();
    private readonly IBrowserContext _context;
    private readonly ITestOutputHelper _output;
    private readonly string _prefix;
    private readonly List<string> _expectedErrors = [];
    private int _shots;

    private BrowserSession(IBrowserContext context, IPage page, ITestOutputHelper output, string prefix)
    {
        _context = context;
        Page = page;
        _output = output;
        _prefix = prefix;
    }

    public IPage Page { get; }

    /// <summary>A new context and page on the catalog, every request leaving its origin blocked and recorded.</summary>
    /// <param name="mesh">The running sample mesh and its browser.</param>
    /// <param name="output">Where screenshot paths are printed.</param>
    /// <param name="prefix">The screenshots' name prefix.</param>
    /// <param name="catalog">The catalog's origin when not the mesh's own (e.g. a hub over the same storage).</param>
    public static async Task<BrowserSession> OpenAsync(SampleMeshFixture mesh, ITestOutputHelper output, string prefix, Uri? catalog = null)
    {
        ArgumentNullException.ThrowIfNull(mesh);
        catalog ??= mesh.CatalogUrl;
        var context = await mesh.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = 1366, Height = 768 },
            BaseURL = catalog.ToString(),
            Locale = "en-GB",
        });
        context.SetDefaultTimeout(15_000);
        var page = await context.NewPageAsync();
        var session = new BrowserSession(context, page, output, prefix);
        var origin = catalog.GetLeftPart(UriPartial.Authority);
        await context.RouteAsync("**/*", async route =>
        {
            if (route.Request.Url.StartsWith(origin + "/", StringComparison.Ordinal))
            {
                await route.ContinueAsync();
            }
            else
            {
                session._external.Enqueue(route.Request.Url);
                await route.AbortAsync();
            }
        });
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                session._errors.Enqueue(message.Text);
            }
        };
        page.PageError += (_, error) => session._errors.Enqueue(error);
        return session;
    }

    /// <summary>Saves a full-page screenshot as <c>artifacts/screenshots/{prefix}-{nn}-{name}.png</c> and prints its path.</summary>
    public async Task<string> ScreenshotAsync(string name)
    {
        var path = Path.Combine(SampleMeshFixture.ScreenshotDirectory, $"{_prefix}-{Interlocked.Increment(ref _shots):D2}-{name}.png");
        await Page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        _output.WriteLine($"screenshot: {path}");
        return path;
    }

    /// <summary>Console errors containing <paramref name="text"/> are expected (e.g. the browser's own line for an API 404).</summary>
    public void ExpectConsoleErrors(string text) => _expectedErrors.Add(text);

    /// <summary>Presses Tab until the focused element carries <c>data-product</c> = <paramref name="productId"/>.</summary>
    public async Task TabToProductAsync(string productId, int maxPresses = 40)
    {
        for (var i = 0; i < maxPresses; i++)
        {
            await Page.Keyboard.PressAsync("Tab");
            if (await Page.EvaluateAsync<string?>("() => document.activeElement?.getAttribute('data-product') ?? null") == productId)
            {
                return;
            }
        }

        var focused = await Page.EvaluateAsync<string?>("() => document.activeElement?.outerHTML?.slice(0, 200) ?? null");
        Assert.Fail($"{maxPresses} presses of Tab never reached {productId}; focus is on {focused}.");
    }

    public async ValueTask DisposeAsync()
    {
        await _context.CloseAsync();
        Assert.True(_external.IsEmpty, "The page requested resources outside the catalog: " + string.Join(", ", _external));
        var errors = _errors.Where(e => !_expectedErrors.Any(x => e.Contains(x, StringComparison.Ordinal))).ToList();
        Assert.True(errors.Count == 0, "The page logged errors: " + string.Join(" | ", errors));
    }
}
