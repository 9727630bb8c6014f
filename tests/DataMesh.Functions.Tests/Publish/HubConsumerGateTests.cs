using Azure.Core;
using DataMesh.Catalog;
using DataMesh.Events;
using DataMesh.Functions.Configuration;
using DataMesh.Pipeline;
using DataMesh.Publishing;
using DataMesh.Storage;
using DataMesh.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace DataMesh.Functions.Tests.Publish;

/// <summary>
/// The publish gate of a domain app in Azure: it holds its own domain's specs only, so it asks the hub's catalog (with
/// its identity) who in other domains reads the columns a contract change removes, and refuses as the local mesh does.
/// </summary>
[Collection("azurite")]
public sealed class HubConsumerGateTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task CheckConsumers_ColumnReadByConsumerRegisteredByAnotherDomain_RefusedNamingConsumerColumnAndRange()
    {
        // Arrange: sales' app announced sales.summary (reads finance.ledger's amount through ^1) to the hub; finance's
        // app, holding finance's specs only, publishes 1.1.0 without amount.
        using var mesh = new ConsumerMesh();
        var hub = await HubWithSalesSummaryAsync(mesh);
        using var app = FinanceApp(mesh, hub);
        var runtime = app.GetRequiredService<PipelineRuntime>();
        var store = await PublishedLedgerAsync("1.0.0");
        mesh.RemoveLedgerColumn("amount", "1.1.0");

        // Act
        var refused = await Assert.ThrowsAsync<PipelineStageException>(() => CheckLedgerAsync(mesh, app, store));

        // Assert: named as the local gate names it, asked with the app's own token.
        Assert.DoesNotContain(runtime.Products.All, p => p.Domain == "sales");
        Assert.Contains("sales.summary (input gl, versions ^1) reads 'amount'", refused.Message, StringComparison.Ordinal);
        Assert.Contains("The previous release stays current", refused.Message, StringComparison.Ordinal);
        Assert.Equal(["Bearer finance-app-token"], hub.Authorizations);
    }

    [Fact]
    public async Task CheckConsumers_ColumnReadByAnotherDomainsConsumer_RefusalNamesItsSqlFileLineAndColumnFromItsRegistration()
    {
        // Arrange: as above; sales.summary's SQL reads amount on line 2, column 8 (ConsumerMesh.SummarySql).
        using var mesh = new ConsumerMesh();
        var hub = await HubWithSalesSummaryAsync(mesh);
        using var app = FinanceApp(mesh, hub);
        var store = await PublishedLedgerAsync("1.0.0");
        mesh.RemoveLedgerColumn("amount", "1.1.0");

        // Act
        var readers = await hub.Client().GetReadersAsync("finance.ledger");
        var refused = await Assert.ThrowsAsync<PipelineStageException>(() => CheckLedgerAsync(mesh, app, store));

        // Assert: the hub's answer and the refusal carry the location relative to the mesh repository, not the SQL.
        var reader = Assert.Single(readers.Columns.Single(c => c.Column == "amount").Readers);
        Assert.Equal("pipelines/sales/summary/transform.sql:2:8", reader.At);
        Assert.Equal("pipelines/sales/summary/transform.sql:1:8", readers.Columns.Single(c => c.Column == "entry_id").Readers.Single().At);
        Assert.Contains("sales.summary (input gl, versions ^1) reads 'amount' at pipelines/sales/summary/transform.sql:2:8 (its registration", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckConsumers_NoRegistrationReadsTheColumn_PassesSayingNoConsumerReadsIt()
    {
        // Arrange: a hub with no registration of any consumer.
        using var mesh = new ConsumerMesh();
        Directory.Delete(Path.Combine(mesh.Pipelines, "sales"), recursive: true);
        var hub = new HubCatalogHandler(new CatalogReader(azurite.CreateSingleAccountStorage()));
        using var app = FinanceApp(mesh, hub);
        var store = await PublishedLedgerAsync("1.0.0");
        mesh.RemoveLedgerColumn("amount", "1.1.0");

        // Act
        var finding = await CheckLedgerAsync(mesh, app, store);

        // Assert
        Assert.Equal("finance.ledger 1.1.0: no consumer in the mesh reads 'amount'.", finding);
        Assert.Single(hub.Authorizations);
    }

    [Fact]
    public async Task CheckConsumers_HubUnreachable_RefusedFailClosedNamingTheHub()
    {
        // Arrange
        using var mesh = new ConsumerMesh();
        var hub = await HubWithSalesSummaryAsync(mesh);
        hub.Unreachable = true;
        using var app = FinanceApp(mesh, hub);
        var store = await PublishedLedgerAsync("1.0.0");
        mesh.RemoveLedgerColumn("note", "1.1.0");

        // Act
        var refused = await Assert.ThrowsAsync<PipelineStageException>(() => CheckLedgerAsync(mesh, app, store));

        // Assert
        Assert.Contains("the mesh hub's catalog (https://hub.test/api/) could not be asked", refused.Message, StringComparison.Ordinal);
        Assert.Contains("fails closed", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckConsumers_HubAcceptsButNeverAnswers_RefusedFailClosedWithinTheConfiguredTimeout()
    {
        // Arrange: a hub endpoint that accepts the connection and never answers (a hung hub), and a 1 s client timeout
        // set as an operator would (DataMesh__Hub__Timeout); the app's own HTTP client, not a stand-in handler.
        using var silent = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        silent.Start();
        var port = ((System.Net.IPEndPoint)silent.LocalEndpoint).Port;
        using var mesh = new ConsumerMesh();
        using var app = FinanceApp(mesh, hub: null, new Dictionary<string, string?>
        {
            ["DataMesh:Hub:CatalogEndpoint"] = $"http://127.0.0.1:{port}/api/",
            ["DataMesh:Hub:Timeout"] = "00:00:01",
        });
        var store = await PublishedLedgerAsync("1.0.0");
        mesh.RemoveLedgerColumn("amount", "1.1.0");

        // Act: bounded by the test only as a guard against a hang (generous: the machine is loaded).
        var check = CheckLedgerAsync(mesh, app, store);
        var refused = await Assert.ThrowsAsync<PipelineStageException>(() => check.WaitAsync(TimeSpan.FromMinutes(2)));

        // Assert: fail-closed, naming the hub, that it did not answer in time and the setting that bounds the wait.
        Assert.Contains($"the mesh hub's catalog (http://127.0.0.1:{port}/api/) could not be asked", refused.Message, StringComparison.Ordinal);
        Assert.Contains("did not answer within 1 s (DataMesh__Hub__Timeout)", refused.Message, StringComparison.Ordinal);
        Assert.Contains("fails closed", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckConsumers_HubUnreachableButNoColumnRemoved_PassesWithoutAsking()
    {
        // Arrange: 1.1.0 only adds a column: no reader can break, so the hub is not asked.
        using var mesh = new ConsumerMesh();
        var hub = await HubWithSalesSummaryAsync(mesh);
        hub.Unreachable = true;
        using var app = FinanceApp(mesh, hub);
        var store = await PublishedLedgerAsync("1.0.0", ConsumerMesh.ContractWithout(ConsumerMesh.LedgerContract, "memo"));
        mesh.SetLedgerVersion("1.1.0");

        // Act
        var finding = await CheckLedgerAsync(mesh, app, store);

        // Assert
        Assert.Equal("finance.ledger 1.1.0: no column removed, renamed, narrowed or retyped.", finding);
    }

    /// <summary>finance's publish gate for finance.ledger as the specs on disk now declare it, asking the hub with <paramref name="app"/>'s identity.</summary>
    private static Task<string> CheckLedgerAsync(ConsumerMesh mesh, ServiceProvider app, ReleaseStore store)
    {
        var products = ProductRegistry.LoadFrom(mesh.Pipelines);
        return PublishGate.CheckConsumersAsync(products.Get("finance.ledger"), products, store, app.GetRequiredService<PipelineRuntime>().Hub);
    }

    /// <summary>A hub whose catalog holds sales.summary as sales' app announced it; sales' specs are then removed from disk.</summary>
    private async Task<HubCatalogHandler> HubWithSalesSummaryAsync(ConsumerMesh mesh)
    {
        var products = ProductRegistry.LoadFrom(mesh.Pipelines);
        var storage = azurite.CreateSingleAccountStorage();
        var projection = new CatalogProjection(storage);
        await DomainRegistrations.AnnounceAsync(projection, products.Get("finance.ledger"), products.Get("sales.summary"));
        Directory.Delete(Path.Combine(mesh.Pipelines, "sales"), recursive: true);
        return new HubCatalogHandler(new CatalogReader(storage));
    }

    /// <summary>finance's domain app as Azure composes it, with the hub's catalog endpoint, reaching <paramref name="hub"/> (null: the app's own HTTP client), with <paramref name="settings"/> over the defaults.</summary>
    private ServiceProvider FinanceApp(ConsumerMesh mesh, HubCatalogHandler? hub, IDictionary<string, string?>? settings = null)
    {
        var values = new Dictionary<string, string?>
        {
            ["DataMesh:Domain"] = "finance",
            ["DataMesh:TaskHub"] = "DataMeshFinance",
            ["DataMesh:PipelinesPath"] = mesh.Pipelines,
            ["DataMesh:Storage:ConnectionString"] = azurite.ConnectionString,
            ["DataMesh:Events:TopicEndpoint"] = "",
            ["DataMesh:Hub:CatalogEndpoint"] = "https://hub.test/api/",
            ["DataMesh:Authentication:Audience"] = "api://mesh-api",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var services = new ServiceCollection().AddLogging();
        services.AddDataMesh(configuration);
        // The network and Entra ID are not here: the hub's API in-process (unless the test gives a real endpoint), and a
        // credential that gives the app's token.
        if (hub is not null)
        {
            services.AddKeyedSingleton(DataMeshServiceCollectionExtensions.HubHttpClientKey, (_, _) => new HttpClient(hub, disposeHandler: false));
        }

        services.AddSingleton<TokenCredential>(new AppToken("finance-app-token", "api://mesh-api/.default"));
        return services.BuildServiceProvider();
    }

    /// <summary>finance.ledger <paramref name="version"/>#1 with <paramref name="contract"/> (default: the mesh's original) as its snapshot.</summary>
    private async Task<ReleaseStore> PublishedLedgerAsync(string version, string? contract = null)
    {
        var storage = azurite.CreateSingleAccountStorage();
        await TestRelease.WriteAsync(storage, "finance.ledger", version, 1, [("part-00000.parquet", TestRelease.ParquetLike(64))]);
        var store = new ReleaseStore(storage.Products("finance"));
        await store.Container.GetBlobClient(ReleaseStore.Folder("ledger", version, 1) + PublishGate.ContractSnapshotName)
            .UploadAsync(BinaryData.FromString(contract ?? ConsumerMesh.LedgerContract));
        return store;
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
