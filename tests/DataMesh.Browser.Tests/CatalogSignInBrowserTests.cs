using System.Collections.Concurrent;
using DataMesh.Catalog;
using DataMesh.Consumption;
using DataMesh.Events;
using DataMesh.Pipeline;
using DataMesh.Storage;
using DataMesh.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace DataMesh.Browser.Tests;

/// <summary>
/// The web catalog's sign-in as the hub serves it in Azure, in Chromium: the hub's catalog (the same embedded pages,
/// sign-in settings and API handler the Functions app serves, refusing anonymous callers) on one loopback origin, and
/// a stand-in of the Entra ID endpoints (<see cref="SignInStandIn"/>) on another. The user holds the finance domain's
/// app role: a finance product's history shows, a supply-chain product's is shown as refused.
/// </summary>
public sealed class CatalogSignInBrowserTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string ClientId = "33333333-3333-3333-3333-333333333333";
    private const string Ledger = "finance.ledger-emea";
    private const string Stock = "supply-chain.stock-levels";

    private readonly AzuriteFixture _azurite = new();
    private readonly ConcurrentQueue<(string Url, string? Authorization)> _apiCalls = new();
    private SignInStandIn? _signIn;
    private WebApplication? _hub;
    private IPlaywright? _playwright;
    private IBrowser? _browser;
    private Uri _catalog = new("http://127.0.0.1/");

    [ChromiumFact]
    public async Task Catalog_SignInConfigured_SignsInCallsTheApiWithABearerTokenNoKeyInAnyUrlAndShowsARefusedProductAsRefused()
    {
        // Arrange
        var context = await _browser!.NewContextAsync(new BrowserNewContextOptions { Locale = "en-GB" });
        context.SetDefaultTimeout(20_000);
        var page = await context.NewPageAsync();
        var urls = new ConcurrentQueue<string>();
        var errors = new ConcurrentQueue<string>();
        page.Request += (_, request) => urls.Enqueue(request.Url);
        page.Console += (_, message) =>
        {
            // A 404 the page copes with (e.g. a route the host does not serve) logs a browser line of its own: expected.
            if (message.Type == "error" && !message.Text.Contains("status of 404", StringComparison.Ordinal))
            {
                errors.Enqueue(message.Text);
            }
        };
        page.PageError += (_, error) => errors.Enqueue(error);

        // Act: open the catalog; it sends the browser to the sign-in, which sends it back with a code.
        await page.GotoAsync(_catalog.AbsoluteUri);

        // Assert: signed in as the stand-in's user, the products listed through the API.
        await Expect(page.GetByTestId("signed-in")).ToHaveTextAsync("Signed in as Ada Lovelace", new() { Timeout = 60_000 });
        await Expect(page.Locator("#results > li")).ToHaveCountAsync(2, new() { Timeout = 30_000 });
        var authorize = Assert.Single(_signIn!.AuthorizeRequests);
        Assert.Contains("code_challenge_method=S256", authorize.Query, StringComparison.Ordinal);
        // The one-time code left the address bar at once; no key or token in the page's address.
        Assert.DoesNotContain("code=", page.Url, StringComparison.Ordinal);
        Assert.DoesNotContain("state=", page.Url, StringComparison.Ordinal);

        // The readable product: its runs are listed.
        await page.GotoAsync(_catalog.AbsoluteUri + $"#/products/{Ledger}");
        await Expect(page.Locator("h1")).ToHaveTextAsync(Ledger, new() { Timeout = 30_000 });
        await Expect(page.Locator("[data-withheld]")).ToHaveCountAsync(0);
        await Expect(page.Locator("#section-releases table.releases > tbody > tr")).ToHaveCountAsync(1, new() { Timeout = 30_000 });

        // The refused product: the page shows its history as withheld, with the API's reason.
        await page.GotoAsync(_catalog.AbsoluteUri + $"#/products/{Stock}");
        await Expect(page.Locator("h1")).ToHaveTextAsync(Stock, new() { Timeout = 30_000 });
        await Expect(page.Locator("#section-releases [data-withheld]")).ToContainTextAsync("supply-chain", new() { Timeout = 30_000 });
        var shot = Path.Combine(SampleMeshFixture.ScreenshotDirectory, "sign-in-refused-product.png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = shot, FullPage = true });
        output.WriteLine($"screenshot: {shot}");

        // Every API call carried the token the stand-in issued, in the header; no URL the page requested holds a key
        // or a token (the code appears only on the way back from the sign-in, to the page itself).
        var token = Assert.Single(_signIn.Issued);
        Assert.NotEmpty(_apiCalls);
        Assert.All(_apiCalls, call => Assert.Equal("Bearer " + token, call.Authorization));
        Assert.All(urls, url => Assert.DoesNotContain(token, url, StringComparison.Ordinal));
        Assert.All(urls.Where(u => u.Contains("/api/", StringComparison.Ordinal) && !u.StartsWith(_catalog.AbsoluteUri + "?", StringComparison.Ordinal)),
            url => Assert.DoesNotContain("code=", url, StringComparison.Ordinal));
        await context.CloseAsync();
        Assert.True(errors.IsEmpty, "The page logged errors: " + string.Join(" | ", errors));
    }

    [ChromiumFact]
    public async Task Catalog_SignInConfigured_AnonymousApiCallIsRefused()
    {
        // Act: what any browser or script without a token gets from the same API.
        using var http = new HttpClient();
        using var response = await http.GetAsync(new Uri(_catalog, "/api/products"));

        // Assert
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, response.StatusCode);
    }

    public async Task InitializeAsync()
    {
        if (!SampleMeshFixture.ChromiumInstalled)
        {
            return;
        }

        await _azurite.InitializeAsync();
        var storage = _azurite.CreateSingleAccountStorage();
        await PublishAsync(storage, Ledger, "finance", "ledger-emea");
        await PublishAsync(storage, Stock, "supply-chain", "stock-levels");

        var port = LoopbackPort.Free();
        _catalog = new Uri($"http://127.0.0.1:{port}/api/catalog/");
        _signIn = await SignInStandIn.StartAsync(ClientId, _catalog.AbsoluteUri, "DataMesh.Domain.finance");
        _hub = await StartHubAsync(port, storage, _signIn);

        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = SampleMeshFixture.ChromiumPath,
            Headless = true,
            Args = Environment.UserName == "root" ? ["--no-sandbox"] : [],
        });
        Directory.CreateDirectory(SampleMeshFixture.ScreenshotDirectory);
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.CloseAsync();
        }

        _playwright?.Dispose();
        if (_hub is not null)
        {
            await _hub.StopAsync();
            await _hub.DisposeAsync();
        }

        if (_signIn is not null)
        {
            await _signIn.DisposeAsync();
        }

        await _azurite.DisposeAsync();
    }

    /// <summary>
    /// The hub's catalog as the Functions app serves it with sign-in configured: the pages with the tenant's sign-in
    /// settings at <c>/api/catalog/</c>, and the API refusing callers without a token the tenant's key verifies.
    /// </summary>
    private async Task<WebApplication> StartHubAsync(int port, MeshStorage storage, SignInStandIn signIn)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        var app = builder.Build();
        var settings = CatalogSignIn.For(signIn.Instance.AbsoluteUri, SignInStandIn.Tenant, ClientId)!;
        var api = new CatalogHttpApi(new CatalogReader(storage), requireAuthenticatedReaders: true) { RequireSignedInCallers = true };
        var validation = new TokenValidationParameters
        {
            ValidIssuer = signIn.Issuer,
            ValidAudience = ClientId,
            IssuerSigningKey = signIn.SigningKey,
            ValidAlgorithms = [SecurityAlgorithms.RsaSha256],
        };
        app.Map("/api/catalog/{**path}", async (HttpContext context) =>
        {
            var below = context.Request.Path.ToUriComponent()["/api/catalog".Length..].TrimStart('/');
            var answer = CatalogWebAssets.Default.Serve(context.Request.Method, below, null, settings);
            await HostedAnswers.WriteAsync(context, answer);
        });
        app.Map("/api/{**path}", async (HttpContext context) =>
        {
            var authorization = context.Request.Headers.Authorization.ToString();
            _apiCalls.Enqueue((context.Request.Path + context.Request.QueryString, authorization.Length > 0 ? authorization : null));
            var caller = DataReader.Anonymous;
            if (authorization.StartsWith("Bearer ", StringComparison.Ordinal))
            {
                var result = await new JsonWebTokenHandler().ValidateTokenAsync(authorization["Bearer ".Length..], validation);
                caller = result.IsValid ? DataReader.FromAppRoles(result.ClaimsIdentity.FindAll("roles").Select(c => c.Value)) : DataReader.Anonymous;
            }

            var answer = await api.HandleAsync(context.Request.Method, context.Request.Path.ToUriComponent(), context.Request.QueryString.Value, caller, context.RequestAborted);
            await HostedAnswers.WriteAsync(context, answer);
        });
        await app.StartAsync();
        return app;
    }

    private static async Task PublishAsync(MeshStorage storage, string productId, string domain, string name) =>
        await new CatalogProjection(storage).ApplyAsync(ProductEventFactory.CreateProductVersionPublished(new ProductVersionPublishedData
        {
            ProductId = productId,
            Domain = domain,
            Name = name,
            Version = "1.0.0",
            Release = 1,
            RunId = $"{productId}-run1",
            Location = $"https://st{domain.Replace("-", "", StringComparison.Ordinal)}.blob.core.windows.net/products/{name}/1.0.0/1/",
            Rows = 10,
            SchemaHash = "ab12cd34",
            Quality = new QualitySummary(true, 10, []),
            PublishedAt = new DateTimeOffset(2026, 11, 30, 8, 0, 0, TimeSpan.Zero),
        }));
}
