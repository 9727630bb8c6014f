using Azure;
using Azure.Data.Tables;
using Azure.Data.Tables.Sas;
using Azure.Messaging;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using Azure.Storage.Queues;
using DataMesh.Events;
using DataMesh.Local.Azurite;
using DataMesh.Pipeline;
using DataMesh.Specs;
using DataMesh.Storage;
using DataMesh.Testing;

namespace DataMesh.Local.Tests.Isolation;

/// <summary>
/// The local mesh is shaped like Azure (issue 18): each domain in its own storage account of the mesh's Azurite, keyed in
/// the state folder; a domain's pipeline holds only its own key and read grants on the <c>products</c> of upstreams whose
/// access admits it. A domain that is not admitted is refused by storage itself.
/// </summary>
public sealed class DomainIsolationProbeTests : IAsyncLifetime
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "dm-isolation-" + Guid.NewGuid().ToString("N")[..8]);
    private string _marketing = null!;
    private LocalMesh _mesh = null!;

    public async Task InitializeAsync()
    {
        // Marketing's campaigns shared with finance only: sales, which reads them, is not admitted.
        _marketing = Path.Combine(_root, "campaign-performance");
        Folders.Copy(Path.Combine(RepositoryRoot.Path, "pipelines", "marketing", "campaign-performance"), _marketing);
        SetReaders("finance");
        var options = new LocalMeshOptions
        {
            RootDirectory = _root,
            LoadPipelinesFolder = false,
            StateDirectory = Path.Combine(_root, ".datamesh"),
            // Its own Azurite, started on the state folder: a connection string would put the mesh in one account.
            ConnectionString = null,
        };
        options.ExtraProductDirectories.Add(Path.Combine(RepositoryRoot.Path, "pipelines", "sales", "opportunities"));
        options.ExtraProductDirectories.Add(Path.Combine(RepositoryRoot.Path, "pipelines", "sales", "campaign-attribution"));
        options.ExtraProductDirectories.Add(Path.Combine(RepositoryRoot.Path, "pipelines", "finance", "ledger-emea"));
        options.ExtraProductDirectories.Add(_marketing);
        _mesh = await LocalMesh.StartAsync(options);
    }

    public async Task DisposeAsync()
    {
        await _mesh.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public void StartAsync_EachDomain_HasItsOwnAccountAndTheCatalogTheHubs()
    {
        Assert.Equal(StorageAccountName.ForDomain("sales"), _mesh.Storage.Products("sales").AccountName);
        Assert.Equal(StorageAccountName.ForDomain("marketing"), _mesh.Storage.Products("marketing").AccountName);
        Assert.NotEqual(_mesh.Storage.Products("sales").AccountName, _mesh.Storage.Products("marketing").AccountName);
        Assert.Equal(StorageAccountName.Hub, _mesh.Storage.Table("Products").AccountName);
        Assert.DoesNotContain("devstoreaccount1", _mesh.ConnectionString, StringComparison.Ordinal);
    }

    [Fact]
    public void StartAsync_AccountKeys_AreOwnerReadableOnlyInTheStateFolder()
    {
        var keys = Path.Combine(_root, ".datamesh", AzuriteAccountKeys.FolderName);
        Assert.True(File.Exists(Path.Combine(keys, StorageAccountName.ForDomain("sales"))));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(keys));
            foreach (var key in Directory.GetFiles(keys))
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(key));
            }
        }
    }

    [Fact]
    public async Task PipelineStorage_AnotherDomainsContainers_RefusedByStorageExceptAGrantedProductsContainer()
    {
        // Arrange: marketing admits sales, which reads its campaigns; sales reads nothing of finance.
        SetReaders("sales");
        _mesh.Products.Add(ProductSpecLoader.Load(_marketing));
        var sales = _mesh.PipelineStorage("sales");

        // Act / Assert: its own containers.
        await ListAsync(sales.Landing("sales"));
        await ListAsync(sales.Products("sales"));

        // The granted upstream's products: read and list only.
        await ListAsync(sales.Products("marketing"));
        var write = await Assert.ThrowsAsync<RequestFailedException>(() => sales.Products("marketing").GetBlobClient("forged/x.parquet").UploadAsync(BinaryData.FromString("x")));
        Assert.Equal(403, write.Status);

        // Everything else of another domain: refused by storage.
        foreach (var container in new[] { sales.Landing("marketing"), sales.Staging("marketing"), sales.Archive("marketing"), sales.Products("finance"), sales.Landing("finance") })
        {
            var refused = await Assert.ThrowsAsync<RequestFailedException>(() => ListAsync(container));
            Assert.Equal(403, refused.Status);
        }
    }

    [Fact]
    public async Task Runtime_EveryStorageADomainsPipelineIsGiven_RefusedOnAnotherDomainsContainersExceptAGrantedProducts()
    {
        // Arrange: marketing admits sales; the runtime the mesh's durable worker runs every pipeline activity with.
        SetReaders("sales");
        _mesh.Products.Add(ProductSpecLoader.Load(_marketing));
        var runtime = _mesh.Runtime;
        var sales = runtime.StorageFor("sales");

        // Act / Assert: sales' pipeline reaches its own containers and reads (never writes) the granted products.
        await ListAsync(sales.Landing("sales"));
        await ListAsync(sales.Products("marketing"));
        var write = await Assert.ThrowsAsync<RequestFailedException>(() => sales.Products("marketing").GetBlobClient("forged/x.parquet").UploadAsync(BinaryData.FromString("x")));
        Assert.Equal(403, write.Status);

        // Nothing else of another domain, whether through its own view or the runtime's host-wide one (outbox, task
        // hub): the runtime holds no other domain's key, as a domain's managed identity has no role on another's account.
        foreach (var container in new[]
        {
            sales.Landing("marketing"), sales.Archive("marketing"), sales.Products("finance"),
            runtime.Storage.Landing("marketing"), runtime.Storage.Products("marketing"), runtime.Storage.Landing("sales"), runtime.Storage.Products("finance"),
        })
        {
            var refused = await Assert.ThrowsAsync<RequestFailedException>(() => ListAsync(container));
            Assert.Equal(403, refused.Status);
        }

        var read = await Assert.ThrowsAsync<RequestFailedException>(() => runtime.Storage.Products("marketing").GetBlobClient("campaign-performance/x").DownloadContentAsync());
        Assert.Equal(403, read.Status);
    }

    [Fact]
    public async Task PipelineStorage_HubAccountsBlobsQueuesAndTables_RefusedByStorageWhateverCredentialADomainsPipelineHolds()
    {
        // Arrange: every service client sales' pipeline is given (its own view, and the runtime the durable worker runs
        // every activity with), each aimed at the hub account with the credential it carries, as a managed identity
        // with no role on the hub's account would be: a key-signed client signs an account SAS that is tried there.
        var hub = _mesh.StorageAccounts.Single(a => a.Domain is null);
        var sales = _mesh.PipelineStorage("sales");
        var runtime = _mesh.Runtime;
        var catalogQueue = _mesh.Storage.Queue(MeshStorage.CatalogEventsQueue).Name;
        var catalogTable = _mesh.Storage.Table(DataMesh.Catalog.CatalogTables.Products).Name;

        foreach (var held in new[] { sales, runtime.StorageFor("sales"), runtime.Storage })
        {
            var blobs = new BlobServiceClient(WithCredentialOf(held.Blobs, hub.BlobEndpoint));
            var queue = new QueueServiceClient(WithCredentialOf(held.Queues, hub.QueueEndpoint)).GetQueueClient(catalogQueue);
            var table = new TableServiceClient(WithCredentialOf(held.Tables, hub.TableEndpoint)).GetTableClient(catalogTable);

            // Act / Assert: reads and writes of the hub's blobs, queues (the catalog's) and tables (the catalog) refused.
            await AssertRefusedAsync(() => FirstPageAsync(blobs.GetBlobContainersAsync().AsPages()));
            await AssertRefusedAsync(() => blobs.GetBlobContainerClient("forged").CreateAsync());
            await AssertRefusedAsync(() => queue.PeekMessagesAsync());
            await AssertRefusedAsync(() => queue.SendMessageAsync("{}"));
            await AssertRefusedAsync(() => FirstPageAsync(table.QueryAsync<TableEntity>().AsPages()));
            await AssertRefusedAsync(() => table.AddEntityAsync(new TableEntity("forged", "forged")));
        }

        // Its own account's queues and tables (the outbox) are what the view's service clients address.
        Assert.Equal(StorageAccountName.ForDomain("sales"), sales.Tables.AccountName);
        Assert.Equal(StorageAccountName.ForDomain("sales"), sales.Queues.AccountName);
        Assert.Equal(StorageAccountName.ForDomain("sales"), sales.Blobs.AccountName);
    }

    [Fact]
    public async Task RelayOutbox_EventsInADomainsOwnOutbox_ItsOwnReachTheCatalogAnotherDomainsRefusedByItsTopic()
    {
        // Arrange: two announcements left in sales' outbox (every send failed, or its host died before sending): one about
        // its own product, one a forgery about marketing's. The outbox is in sales' own account.
        var outbox = new AnnouncementOutbox(_mesh.PipelineStorage("sales"));
        var ownRun = "outbox-own-" + Guid.NewGuid().ToString("N")[..8];
        var forged = RunFailed("marketing", "campaign-performance", "outbox-forged-" + Guid.NewGuid().ToString("N")[..8]);
        await outbox.AddAsync(RunFailed("sales", "opportunities", ownRun));
        await outbox.AddAsync(forged);

        // Act: the relay of sales' outbox sends with sales' topic key only.
        var relayed = await _mesh.RelayOutboxAsync(TimeSpan.Zero);

        // Assert
        Assert.Equal(new OutboxRelayResult(Sent: 1, Failed: 1), relayed);
        Assert.Contains(await _mesh.Catalog.GetRunsAsync("sales.opportunities"), r => r.RunId == ownRun);
        Assert.Empty(await _mesh.Catalog.GetRunsAsync("marketing.campaign-performance"));
        var pending = Assert.Single(await _mesh.Outbox("sales").GetPendingAsync(DateTimeOffset.MaxValue));
        Assert.Equal(forged.Id, pending.Event.Id);
        Assert.Contains("403", pending.LastError, StringComparison.Ordinal);
        var hubOutbox = _mesh.Storage.Table(AnnouncementOutbox.TableName).Name;
        await foreach (var table in _mesh.Storage.Tables.QueryAsync(t => t.Name == hubOutbox))
        {
            Assert.Fail($"The hub account holds an outbox table ({table.Name}): a domain's announcements belong in its own account.");
        }
    }

    [Fact]
    public async Task RunAsync_ConsumerNotAdmitted_FailsWithTheStorageRefusalExplainedThenSucceedsOnceTheSpecAdmitsIt()
    {
        // Arrange: both upstreams published.
        var opportunities = await _mesh.RunAsync("sales.opportunities", [Sample("sales", "opportunities")], TimeSpan.FromMinutes(5));
        var campaigns = await _mesh.RunAsync("marketing.campaign-performance", [Sample("marketing", "campaign-performance")], TimeSpan.FromMinutes(5));
        Assert.Equal(PipelineStatus.Published, opportunities.Status);
        Assert.Equal(PipelineStatus.Published, campaigns.Status);

        // Act: sales is not among marketing's readers, so its pipeline holds no grant there.
        var refused = await _mesh.RunAsync("sales.campaign-attribution", [], TimeSpan.FromMinutes(5));

        // Assert
        Assert.Equal(PipelineStatus.Failed, refused.Status);
        Assert.Contains(UpstreamReadRefusedException.Code, refused.Error, StringComparison.Ordinal);
        Assert.Contains("marketing.campaign-performance", refused.Error, StringComparison.Ordinal);
        Assert.Contains("readers [finance]", refused.Error, StringComparison.Ordinal);
        Assert.Contains("403", refused.Error, StringComparison.Ordinal);

        // Act: marketing admits sales; the running mesh derives the grant at the next run.
        SetReaders("sales");
        _mesh.Products.Add(ProductSpecLoader.Load(_marketing));
        var admitted = await _mesh.RunAsync("sales.campaign-attribution", [], TimeSpan.FromMinutes(5));

        // Assert
        Assert.True(admitted.Status == PipelineStatus.Published, admitted.Error);
    }

    private static CloudEvent RunFailed(string domain, string name, string runId) =>
        ProductEventFactory.CreatePipelineRunFailed(new PipelineRunFailedData
        {
            ProductId = $"{domain}.{name}",
            Domain = domain,
            Name = name,
            Version = "1.0.0",
            RunId = runId,
            Stage = "transform",
            Error = "left in the outbox",
            FailedAt = DateTimeOffset.UtcNow,
        });

    /// <summary>
    /// <paramref name="endpoint"/> with the credential of <paramref name="client"/>: an account SAS it signs when it holds
    /// an account key, nothing when it holds none.
    /// </summary>
    private static Uri WithCredentialOf(BlobServiceClient client, Uri endpoint) =>
        client.CanGenerateAccountSasUri
            ? WithQuery(endpoint, client.GenerateAccountSasUri(Azure.Storage.Sas.AccountSasPermissions.All, DateTimeOffset.UtcNow.AddHours(1), Azure.Storage.Sas.AccountSasResourceTypes.All))
            : endpoint;

    private static Uri WithCredentialOf(QueueServiceClient client, Uri endpoint) =>
        client.CanGenerateAccountSasUri
            ? WithQuery(endpoint, client.GenerateAccountSasUri(Azure.Storage.Sas.AccountSasPermissions.All, DateTimeOffset.UtcNow.AddHours(1), Azure.Storage.Sas.AccountSasResourceTypes.All))
            : endpoint;

    private static Uri WithCredentialOf(TableServiceClient client, Uri endpoint)
    {
        try
        {
            return WithQuery(endpoint, client.GenerateSasUri(TableAccountSasPermissions.All, TableAccountSasResourceTypes.All, DateTimeOffset.UtcNow.AddHours(1)));
        }
        catch (InvalidOperationException)
        {
            // No account key to sign with: the client is anonymous.
            return endpoint;
        }
    }

    private static Uri WithQuery(Uri endpoint, Uri signed) => new($"{endpoint.AbsoluteUri.TrimEnd('/')}{signed.Query}");

    private static async Task FirstPageAsync<T>(IAsyncEnumerable<T> pages)
    {
        await foreach (var _ in pages)
        {
            return;
        }
    }

    private static async Task AssertRefusedAsync(Func<Task> act)
    {
        var refused = await Assert.ThrowsAsync<RequestFailedException>(act);
        Assert.Equal(403, refused.Status);
    }

    private static async Task ListAsync(Azure.Storage.Blobs.BlobContainerClient container)
    {
        await foreach (var _ in container.GetBlobsAsync(new GetBlobsOptions()))
        {
        }
    }

    private void SetReaders(string readers)
    {
        var path = Path.Combine(_marketing, "product.yaml");
        var yaml = File.ReadAllText(path);
        var start = yaml.IndexOf("access:", StringComparison.Ordinal);
        File.WriteAllText(path, yaml[..start] + $"access: {{ visibility: restricted, readers: [{readers}] }}\n");
    }

    private static string Sample(string domain, string product) =>
        Directory.GetFiles(Path.Combine(RepositoryRoot.Path, "pipelines", domain, product, "samples")).Single();
}
