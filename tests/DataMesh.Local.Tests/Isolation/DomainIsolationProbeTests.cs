using Azure;
using Azure.Storage.Blobs.Models;
using DataMesh.Local.Azurite;
using DataMesh.Pipeline;
using DataMesh.Specs;
using DataMesh.Storage;

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
        CopyDirectory(Path.Combine(RepositoryRoot(), "pipelines", "marketing", "campaign-performance"), _marketing);
        SetReaders("finance");
        var options = new LocalMeshOptions
        {
            RootDirectory = _root,
            LoadPipelinesFolder = false,
            StateDirectory = Path.Combine(_root, ".datamesh"),
            // Its own Azurite, started on the state folder: a connection string would put the mesh in one account.
            ConnectionString = null,
        };
        options.ExtraProductDirectories.Add(Path.Combine(RepositoryRoot(), "pipelines", "sales", "opportunities"));
        options.ExtraProductDirectories.Add(Path.Combine(RepositoryRoot(), "pipelines", "sales", "campaign-attribution"));
        options.ExtraProductDirectories.Add(Path.Combine(RepositoryRoot(), "pipelines", "finance", "ledger-emea"));
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
        Directory.GetFiles(Path.Combine(RepositoryRoot(), "pipelines", domain, product, "samples")).Single();

    private static void CopyDirectory(string from, string to)
    {
        foreach (var file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "DataMesh.Functions.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("Repository root not found.");
    }
}
