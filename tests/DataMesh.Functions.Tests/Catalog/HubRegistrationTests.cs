using System.Net;
using System.Text.Json;
using Azure.Core;
using DataMesh.Catalog;
using DataMesh.Events;
using DataMesh.Functions.Catalog;
using DataMesh.Functions.Configuration;
using DataMesh.Functions.Tests.Configuration;
using DataMesh.Pipeline;
using DataMesh.Publishing;
using DataMesh.Storage;
using DataMesh.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace DataMesh.Functions.Tests.Catalog;

/// <summary>
/// A domain app registers its products with the hub when it starts (<c>POST api/registrations</c>), so a consumer that
/// never published is a reader in other domains' publish gates. The hub takes the domain from the caller's validated
/// token (signed here with a local key standing for the tenant's), never from the body.
/// </summary>
[Collection("azurite")]
public sealed class HubRegistrationTests(AzuriteFixture azurite)
{
    private const string Audience = "api://mesh-api";

    private readonly TestTenant _tenant = new();
    private readonly MeshStorage _storage = azurite.CreateSingleAccountStorage();

    [Fact]
    public async Task Register_TokenOfTheProductsDomain_RecordedAndItsReadsAreReaders()
    {
        // Arrange: sales.summary as sales' app derives it, never published.
        using var mesh = SalesMesh();
        var body = Body(SalesSummary(mesh));

        // Act
        var response = await PostAsync(body, _tenant.Token(Audience, "DataMesh.Domain.sales"));

        // Assert: recorded, and the hub names it as the reader of finance.ledger's amount, with its SQL location.
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("sales.summary", JsonDocument.Parse(Text(response)).RootElement.GetProperty("registered")[0].GetString());
        var readers = await new CatalogReader(_storage).GetReadersAsync("finance.ledger", 1);
        var reader = Assert.Single(readers.Columns.Single(c => c.Column == "amount").Readers);
        Assert.Equal("sales.summary", reader.ProductId);
        Assert.Equal("pipelines/sales/summary/transform.sql:2:8", reader.At);
        Assert.Equal("^1", reader.Versions);
    }

    [Fact]
    public async Task Register_TokenOfAnotherDomain_403AndNothingRecorded()
    {
        // Arrange: finance's app sends sales' product as if it were sales.
        using var mesh = SalesMesh();

        // Act
        var response = await PostAsync(Body(SalesSummary(mesh)), _tenant.Token(Audience, "DataMesh.Domain.finance"));

        // Assert
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains("domain 'finance' may not register sales.summary: a domain registers its own products only", Detail(response), StringComparison.Ordinal);
        Assert.Null(await new CatalogReader(_storage).GetProductAsync("sales.summary"));
    }

    [Fact]
    public async Task Register_NoToken_401()
    {
        // Arrange
        using var mesh = SalesMesh();

        // Act
        var response = await PostAsync(Body(SalesSummary(mesh)), token: null);

        // Assert
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", response.Headers.GetValues("WWW-Authenticate").Single());
        Assert.Null(await new CatalogReader(_storage).GetProductAsync("sales.summary"));
    }

    [Fact]
    public async Task Register_ForgedToken_401NamingWhy()
    {
        // Arrange: the right role, signed with a key that is not the tenant's.
        using var mesh = SalesMesh();

        // Act
        var response = await PostAsync(Body(SalesSummary(mesh)), _tenant.Token(Audience, "DataMesh.Domain.sales", TestTenant.ForgedKey()));

        // Assert
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("signature does not verify", Detail(response), StringComparison.Ordinal);
        Assert.Null(await new CatalogReader(_storage).GetProductAsync("sales.summary"));
    }

    [Theory]
    [InlineData(null, "a caller without a mesh role")]
    [InlineData("DataMesh.Operator", "the mesh operator")]
    public async Task Register_ValidTokenWithoutADomainRole_403(string? role, string caller)
    {
        // Arrange: a signed-in member, or the operator: neither is a domain the registration could be of.
        using var mesh = SalesMesh();

        // Act
        var response = await PostAsync(Body(SalesSummary(mesh)), _tenant.Token(Audience, role));

        // Assert
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Contains($"{caller} has none", Detail(response), StringComparison.Ordinal);
        Assert.Null(await new CatalogReader(_storage).GetProductAsync("sales.summary"));
    }

    [Fact]
    public async Task Register_ReadOfAnInputTheSpecDoesNotDeclare_400AndNothingRecorded()
    {
        // Arrange: the lineage names a read of workforce.payroll, which sales.summary does not declare as an input.
        using var mesh = SalesMesh();
        var summary = SalesSummary(mesh);
        var lineage = summary.ColumnLineage!;
        var forged = summary with
        {
            ColumnLineage = lineage with { Reads = [.. lineage.Reads, lineage.Reads[0] with { Product = "workforce.payroll" }] },
        };

        // Act
        var response = await PostAsync(Body(forged), _tenant.Token(Audience, "DataMesh.Domain.sales"));

        // Assert: the projection's own check of a release's registration.
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("sales.summary: its registration's column lineage reads 'workforce.payroll', which is not one of the product's declared inputs", Detail(response), StringComparison.Ordinal);
        Assert.Null(await new CatalogReader(_storage).GetProductAsync("sales.summary"));
    }

    [Fact]
    public async Task Register_DeclaredAtBeyondTheTolerance_400NamingItAndTheStoredRowUnchanged()
    {
        // Arrange: the hub's clock at 09:00; sales.summary registered at 08:59; then a registration of other content
        // stamped an hour ahead (a domain app's clock running ahead, or a caller holding sales' token).
        using var mesh = SalesMesh();
        var clock = new HubClock(new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero));
        var token = _tenant.Token(Audience, "DataMesh.Domain.sales");
        var held = SalesSummary(mesh) with { DeclaredAt = clock.Now.AddMinutes(-1) };
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(Body(held), token, clock)).StatusCode);
        var ahead = held with { Description = "Frozen until tomorrow", DeclaredAt = clock.Now.AddHours(1) };

        // Act
        var response = await PostAsync(Body(ahead), token, clock);

        // Assert: refused naming the product, its stamp, the hub's time and the tolerance; the row holds the 08:59 one.
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(
            "sales.summary: its registration's declaredAt 2026-12-01T10:00:00.0000000+00:00 is ahead of the hub's time 2026-12-01T09:00:00.0000000+00:00 by more than the tolerated clock skew of 5 minutes. Nothing was recorded.",
            Detail(response));
        Assert.Equal(held.Description, (await new CatalogReader(_storage).GetProductAsync("sales.summary"))!.Description);
    }

    [Fact]
    public async Task Register_DeclaredAtAheadWithinTheTolerance_Recorded()
    {
        // Arrange: as above, the newer registration stamped 4 minutes ahead of the hub's clock (tolerance 5).
        using var mesh = SalesMesh();
        var clock = new HubClock(new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero));
        var token = _tenant.Token(Audience, "DataMesh.Domain.sales");
        var held = SalesSummary(mesh) with { DeclaredAt = clock.Now.AddMinutes(-1) };
        Assert.Equal(HttpStatusCode.OK, (await PostAsync(Body(held), token, clock)).StatusCode);
        var ahead = held with { Description = "Declared on a clock 4 minutes ahead", DeclaredAt = clock.Now.AddMinutes(4) };

        // Act
        var response = await PostAsync(Body(ahead), token, clock);

        // Assert
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(ahead.Description, (await new CatalogReader(_storage).GetProductAsync("sales.summary"))!.Description);
    }

    [Fact]
    public async Task Register_DomainTheUpstreamsAccessDoesNotAdmit_RecordedButNeverAReader()
    {
        // Arrange: finance.ledger is restricted to finance and sales (as finance registered it); ops registers a
        // product of its own declaring the ledger as an input and reading its amount.
        using var mesh = new ConsumerMesh();
        var products = ProductRegistry.LoadFrom(mesh.Pipelines);
        var ledger = products.Get("finance.ledger");
        await new CatalogProjection(_storage).RegisterProductAsync(DomainRegistrations.Of(ledger, [ledger]));
        var summary = DomainRegistrations.Of(products.Get("sales.summary"), [products.Get("sales.summary")]);
        var posing = summary with { Domain = "ops", Name = "shadow" };

        // Act
        var response = await PostAsync(Body(posing), _tenant.Token(Audience, "DataMesh.Domain.ops"));

        // Assert: its own product is recorded; it is not a reader of the ledger, so it blocks none of finance's changes.
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.NotNull(await new CatalogReader(_storage).GetProductAsync("ops.shadow"));
        var readers = await new CatalogReader(_storage).GetReadersAsync("finance.ledger", 1);
        Assert.All(readers.Columns, c => Assert.Empty(c.Readers));
    }

    [Fact]
    public async Task Register_OnADomainApp_404()
    {
        // Arrange
        using var mesh = SalesMesh();
        var function = Function(new DataMeshAppMode(IsHub: false, "finance"));

        // Act
        var response = await function.RegisterAsync(Request(Body(SalesSummary(mesh)), _tenant.Token(Audience, "DataMesh.Domain.sales")), CancellationToken.None);

        // Assert
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task DomainAppStart_RegistersWithTheHub_ThenTheUpstreamsGateRefusesRemovingAColumnTheNeverPublishedConsumerReads()
    {
        // Arrange: the hub knows nothing of sales; sales' app (with its managed identity's token for the mesh API)
        // starts, and never runs a pipeline.
        using var salesMesh = SalesMesh();
        var hub = new HubHandler(Function(new DataMeshAppMode(IsHub: true)), new HubCatalogHandler(new CatalogReader(_storage)));
        using (var sales = App(salesMesh, "sales", hub, _tenant.Token(Audience, "DataMesh.Domain.sales")))
        {
            var registration = sales.GetServices<IHostedService>().OfType<HubRegistrationService>().Single();

            // Act: the app's start returns before the hub is asked; the registration completes in the background.
            await registration.StartAsync(CancellationToken.None);
            var registered = await registration.Registered.WaitAsync(TimeSpan.FromMinutes(2));
            await registration.StopAsync(CancellationToken.None);
            Assert.True(registered);
        }

        // finance's app, deployed before sales.summary existed (finance's specs only), publishes 1.1.0 without amount,
        // which sales.summary reads through ^1.
        using var financeMesh = new ConsumerMesh();
        Directory.Delete(Path.Combine(financeMesh.Pipelines, "sales"), recursive: true);
        financeMesh.RemoveLedgerColumn("amount", "1.1.0");
        using var finance = App(financeMesh, "finance", hub, _tenant.Token(Audience, "DataMesh.Domain.finance"));
        var store = await PublishedLedgerAsync();
        var products = ProductRegistry.LoadFrom(financeMesh.Pipelines);
        var refused = await Assert.ThrowsAsync<PipelineStageException>(() =>
            PublishGate.CheckConsumersAsync(products.Get("finance.ledger"), products, store, finance.GetRequiredService<PipelineRuntime>().Hub));

        // Assert: refused naming the consumer that has never published, and where its SQL reads the column.
        Assert.Empty(await new CatalogReader(_storage).GetReleasesAsync("sales.summary"));
        Assert.Contains("sales.summary (input gl, versions ^1) reads 'amount' at pipelines/sales/summary/transform.sql:2:8", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DomainAppStart_SelectStarConsumer_TheGatesRefusalNamesTheStarsLineAndColumn()
    {
        // Arrange: sales.everything ("SELECT * FROM gl", range >=1.0.0) registered at its app's start, never published;
        // finance's app publishes 1.1.0 without note, which only the '*' reads.
        using var salesMesh = new ConsumerMesh(selectStar: true);
        var hub = new HubHandler(Function(new DataMeshAppMode(IsHub: true)), new HubCatalogHandler(new CatalogReader(_storage)));
        using (var sales = App(salesMesh, "sales", hub, _tenant.Token(Audience, "DataMesh.Domain.sales")))
        {
            var registration = sales.GetServices<IHostedService>().OfType<HubRegistrationService>().Single();
            await registration.StartAsync(CancellationToken.None);
            Assert.True(await registration.Registered.WaitAsync(TimeSpan.FromMinutes(2)));
            await registration.StopAsync(CancellationToken.None);
        }

        using var financeMesh = new ConsumerMesh();
        Directory.Delete(Path.Combine(financeMesh.Pipelines, "sales"), recursive: true);
        financeMesh.RemoveLedgerColumn("note", "1.1.0");
        using var finance = App(financeMesh, "finance", hub, _tenant.Token(Audience, "DataMesh.Domain.finance"));
        var store = await PublishedLedgerAsync();
        var products = ProductRegistry.LoadFrom(financeMesh.Pipelines);

        // Act
        var readers = await new CatalogReader(_storage).GetReadersAsync("finance.ledger", 1);
        var refused = await Assert.ThrowsAsync<PipelineStageException>(() =>
            PublishGate.CheckConsumersAsync(products.Get("finance.ledger"), products, store, finance.GetRequiredService<PipelineRuntime>().Hub));

        // Assert: the registration places every column the '*' reads at the '*'; the refusal names it.
        Assert.Equal("pipelines/sales/everything/transform.sql:1:8", Assert.Single(readers.Columns.Single(c => c.Column == "note").Readers).At);
        Assert.Contains("sales.everything (input gl, versions >=1.0.0) reads 'note' at pipelines/sales/everything/transform.sql:1:8", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DomainAppStart_ProductDeletedFromItsSpecs_WithdrawnAndNoLongerAReader_OtherDomainsUntouched()
    {
        // Arrange: sales' app starts with sales.summary and sales.everything ('SELECT *' of the ledger), and the latter
        // published release 1; marketing registered its own reader of the ledger's note. sales then deletes
        // sales.everything from its specs and deploys again; release 1's event reaches the hub only after that start.
        using var salesMesh = new ConsumerMesh(selectStar: true);
        var hub = new HubHandler(Function(new DataMeshAppMode(IsHub: true)), new HubCatalogHandler(new CatalogReader(_storage)));
        var projection = new CatalogProjection(_storage);
        await StartAsync(salesMesh, hub);
        var everything = ProductRegistry.LoadFrom(salesMesh.Pipelines).Get("sales.everything");
        var lateRelease = ProductEventFactory.CreateProductVersionPublished(DomainRegistrations.Release(everything, [everything]));
        await projection.RegisterProductAsync(new ProductRegistration("marketing", "campaigns", "1.0.0", "Campaigns", "marketing", "marketing@example.com", [], "public")
        {
            Inputs = ["finance.ledger"],
            InputVersions = new Dictionary<string, string> { ["finance.ledger"] = "^1" },
            ColumnLineage = new DataMesh.Lineage.ColumnLineage
            {
                Outputs = [new DataMesh.Lineage.ColumnLineageOutput("note", [new DataMesh.Lineage.ColumnLineageSource("gl", "note", DataMesh.Lineage.ColumnLineageSource.Direct, "IDENTITY", "finance.ledger")])],
                Reads = [new DataMesh.Lineage.ColumnLineageInput("gl", ["note"], "finance.ledger")],
                Dataset = [],
            },
        });
        Directory.Delete(salesMesh.Everything, recursive: true);

        // Act
        await StartAsync(salesMesh, hub);
        await projection.ApplyAsync(lateRelease);

        // Assert: the ledger's note is read by marketing only; sales.everything is withdrawn (its release kept), with
        // no edge from the ledger; sales.summary and marketing's product are as registered.
        var catalog = new CatalogReader(_storage);
        var readers = await catalog.GetReadersAsync("finance.ledger", 1);
        Assert.Equal(["marketing.campaigns"], readers.Columns.Single(c => c.Column == "note").Readers.Select(r => r.ProductId));
        Assert.Equal(["sales.summary"], readers.Columns.Single(c => c.Column == "amount").Readers.Select(r => r.ProductId));
        var withdrawn = await catalog.GetProductAsync("sales.everything");
        Assert.True(withdrawn!.Withdrawn);
        Assert.Equal(1, withdrawn.LatestRelease);
        Assert.Empty(withdrawn.Inputs);
        Assert.False((await catalog.GetProductAsync("sales.summary"))!.Withdrawn);
        Assert.False((await catalog.GetProductAsync("marketing.campaigns"))!.Withdrawn);
        var downstream = await catalog.GetLineageAsync("finance.ledger", "downstream", 1);
        Assert.Equal(["marketing.campaigns", "sales.summary"], downstream.Edges.Select(e => e.Downstream).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Register_CompleteSetWithATokenOfTwoDomains_400AndNothingRecorded()
    {
        // Arrange: a complete set says which domain's other products to withdraw; a token of two domains does not.
        using var mesh = SalesMesh();
        var body = JsonSerializer.SerializeToUtf8Bytes(new ProductRegistrationIntake.Body([SalesSummary(mesh)]) { Complete = true }, ProductEventJson.Options);

        // Act
        var response = await PostAsync(body, _tenant.Token(Audience, role: null, claims: new Dictionary<string, object> { ["roles"] = new[] { "DataMesh.Domain.sales", "DataMesh.Domain.finance" } }));

        // Assert
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("A complete set of registrations is of one domain", Detail(response), StringComparison.Ordinal);
        Assert.Null(await new CatalogReader(_storage).GetProductAsync("sales.summary"));
    }

    [Fact]
    public async Task DomainAppStart_HubUnreachableAtFirst_RegistersOnALaterAttempt()
    {
        // Arrange: the hub refuses connections to the first two attempts.
        using var salesMesh = SalesMesh();
        var hub = new HubHandler(Function(new DataMeshAppMode(IsHub: true)), new HubCatalogHandler(new CatalogReader(_storage))) { FailFirst = 2 };
        using var sales = App(salesMesh, "sales", hub, _tenant.Token(Audience, "DataMesh.Domain.sales"));
        var registration = sales.GetServices<IHostedService>().OfType<HubRegistrationService>().Single();
        registration.FirstRetryDelay = TimeSpan.FromMilliseconds(50);

        // Act
        await registration.StartAsync(CancellationToken.None);
        var registered = await registration.Registered.WaitAsync(TimeSpan.FromMinutes(2));
        await registration.StopAsync(CancellationToken.None);

        // Assert
        Assert.True(registered);
        Assert.Equal(3, hub.Posts);
        Assert.NotNull(await new CatalogReader(_storage).GetProductAsync("sales.summary"));
    }

    /// <summary>Starts sales' app on <paramref name="mesh"/> and waits until its start-up registration is recorded.</summary>
    private async Task StartAsync(ConsumerMesh mesh, HubHandler hub)
    {
        using var sales = App(mesh, "sales", hub, _tenant.Token(Audience, "DataMesh.Domain.sales"));
        var registration = sales.GetServices<IHostedService>().OfType<HubRegistrationService>().Single();
        await registration.StartAsync(CancellationToken.None);
        Assert.True(await registration.Registered.WaitAsync(TimeSpan.FromMinutes(2)));
        await registration.StopAsync(CancellationToken.None);
    }

    /// <summary>
    /// The consumer mesh as sales' app is deployed with it (the repository's specs: sales' and its upstream's); it
    /// registers its own domain's products only.
    /// </summary>
    private static ConsumerMesh SalesMesh() => new();

    /// <summary>sales.summary's registration as sales' app derives it at start-up.</summary>
    private static ProductRegistration SalesSummary(ConsumerMesh mesh)
    {
        var products = ProductRegistry.LoadFrom(mesh.Pipelines);
        return ProductRegistration.FromSpecs([products.Get("sales.summary")], products.All).Single();
    }

    private static byte[] Body(ProductRegistration registration) =>
        JsonSerializer.SerializeToUtf8Bytes(new ProductRegistrationIntake.Body([registration]), ProductEventJson.Options);

    private async Task<Microsoft.Azure.Functions.Worker.Http.HttpResponseData> PostAsync(byte[] body, string? token, TimeProvider? hubTime = null) =>
        await Function(new DataMeshAppMode(IsHub: true), hubTime).RegisterAsync(Request(body, token), CancellationToken.None);

    private static TestHttpRequest Request(byte[] body, string? token)
    {
        var request = new TestHttpRequest("https://func-hub.azurewebsites.net/api/registrations", "POST");
        request.Body.Write(body);
        request.Body.Position = 0;
        if (token is not null)
        {
            request.Headers.Add("Authorization", "Bearer " + token);
        }

        return request;
    }

    /// <summary>The hub's function as the hub app composes it: its catalog on Azurite (on <paramref name="hubTime"/>), the app's own token validation.</summary>
    private RegistrationFunction Function(DataMeshAppMode mode, TimeProvider? hubTime = null)
    {
        var validator = _tenant.Validator(new Dictionary<string, string?>
        {
            ["DataMesh:Authentication:TenantId"] = TestTenant.Id,
            ["DataMesh:Authentication:Audience"] = Audience,
        });
        return new RegistrationFunction(new ProductRegistrationIntake(new CatalogProjection(_storage, hubTime)), new AppServiceAuthentication(enabled: true, validator), mode);
    }

    /// <summary><paramref name="domain"/>'s app as Azure composes it, reaching <paramref name="hub"/>, its identity's token <paramref name="token"/>.</summary>
    private ServiceProvider App(ConsumerMesh mesh, string domain, HubHandler hub, string token)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["DataMesh:Domain"] = domain,
            ["DataMesh:TaskHub"] = "DataMesh" + domain,
            ["DataMesh:PipelinesPath"] = mesh.Pipelines,
            ["DataMesh:Storage:ConnectionString"] = azurite.ConnectionString,
            ["DataMesh:Events:TopicEndpoint"] = "",
            ["DataMesh:Hub:CatalogEndpoint"] = "https://hub.test/api/",
            ["DataMesh:Authentication:Audience"] = Audience,
        }).Build();
        var services = new ServiceCollection().AddLogging();
        services.AddDataMesh(configuration);
        services.AddKeyedSingleton(DataMeshServiceCollectionExtensions.HubHttpClientKey, (_, _) => new HttpClient(hub, disposeHandler: false));
        services.AddSingleton<TokenCredential>(new AppToken(token, Audience + "/.default"));
        return services.BuildServiceProvider();
    }

    /// <summary>finance.ledger 1.0.0#1 with the mesh's original contract as its snapshot.</summary>
    private async Task<ReleaseStore> PublishedLedgerAsync()
    {
        var storage = azurite.CreateSingleAccountStorage();
        await TestRelease.WriteAsync(storage, "finance.ledger", "1.0.0", 1, [("part-00000.parquet", TestRelease.ParquetLike(64))]);
        var store = new ReleaseStore(storage.Products("finance"));
        await store.Container.GetBlobClient(ReleaseStore.Folder("ledger", "1.0.0", 1) + PublishGate.ContractSnapshotName)
            .UploadAsync(BinaryData.FromString(ConsumerMesh.LedgerContract));
        return store;
    }

    private static string Text(Microsoft.Azure.Functions.Worker.Http.HttpResponseData response)
    {
        response.Body.Position = 0;
        return new StreamReader(response.Body).ReadToEnd();
    }

    /// <summary>The <c>detail</c> of a problem answer.</summary>
    private static string Detail(Microsoft.Azure.Functions.Worker.Http.HttpResponseData response) =>
        JsonDocument.Parse(Text(response)).RootElement.GetProperty("detail").GetString()!;

    /// <summary>
    /// The hub over HTTP without a server: <c>POST registrations</c> to its registration function (the app's own token
    /// validation), everything else to its catalog API. <see cref="FailFirst"/> registrations fail as a refused connection.
    /// </summary>
    private sealed class HubHandler(RegistrationFunction registrations, HubCatalogHandler catalog) : HttpMessageHandler
    {
        private readonly HttpMessageInvoker _catalog = new(catalog, disposeHandler: false);

        public int FailFirst { get; init; }

        public int Posts { get; private set; }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.Method != HttpMethod.Post)
            {
                return await _catalog.SendAsync(request, cancellationToken);
            }

            if (++Posts <= FailFirst)
            {
                throw new HttpRequestException("Connection refused (hub.test:443)");
            }

            var body = await request.Content!.ReadAsByteArrayAsync(cancellationToken);
            var response = await registrations.RegisterAsync(Request(body, request.Headers.Authorization?.Parameter), cancellationToken);
            return new HttpResponseMessage(response.StatusCode) { Content = new StringContent(Text(response)) };
        }
    }

    /// <summary>The hub's clock, as the test sets it.</summary>
    private sealed class HubClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }

    /// <summary>The app's identity: a token for the mesh API's scope only.</summary>
    private sealed class AppToken(string token, string scope) : TokenCredential
    {
        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            requestContext.Scopes.SequenceEqual([scope]) ? new AccessToken(token, DateTimeOffset.UtcNow.AddHours(1)) : throw new InvalidOperationException($"unexpected scope {string.Join(' ', requestContext.Scopes)}");

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            ValueTask.FromResult(GetToken(requestContext, cancellationToken));
    }
}
