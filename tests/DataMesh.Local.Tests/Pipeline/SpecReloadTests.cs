using DataMesh.Testing;

namespace DataMesh.Local.Tests.Pipeline;

/// <summary>
/// A running local mesh reloads its <c>pipelines/</c> (<see cref="LocalMesh.ReloadSpecsAsync"/>, what <c>datamesh up</c>
/// does on an edit): an invalid mesh is refused and the old specs kept; a product of a new domain gets its account,
/// topic and landing watch, and a file dropped into its landing path is published while the mesh serves.
/// </summary>
[Collection("azurite")]
public sealed class SpecReloadTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "dm-reload-" + Guid.NewGuid().ToString("N")[..8]);
    private LocalMesh _mesh = null!;

    private string Pipelines => Path.Combine(_root, "pipelines");

    public async Task InitializeAsync()
    {
        Folders.Copy(Path.Combine(RepositoryRoot.Path, "pipelines", "finance", "ledger-emea"), Path.Combine(Pipelines, "finance", "ledger-emea"));
        _mesh = await LocalMesh.StartAsync(new LocalMeshOptions
        {
            Azurite = azurite.Server,
            ConnectionString = azurite.ConnectionString,
            Namespace = AzuriteFixture.CreateNamespace(),
            RootDirectory = _root,
            StateDirectory = Path.Combine(_root, ".datamesh"),
        });
    }

    public async Task DisposeAsync()
    {
        await _mesh.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task ReloadSpecsAsync_InvalidThenAProductOfANewDomain_KeepsTheOldSpecsThenServesTheNewProductsLanding()
    {
        // Arrange: a consumer whose upstreams are not in the mesh (an error across products).
        Copy("sales", "campaign-attribution");

        // Act
        var refused = await _mesh.ReloadSpecsAsync();

        // Assert
        Assert.False(refused.Applied);
        Assert.Contains(refused.Errors, e => e.File.Contains("campaign-attribution", StringComparison.Ordinal));
        Assert.Equal(["finance.ledger-emea"], _mesh.Products.All.Select(p => p.Id));
        Assert.StartsWith("Specs not reloaded", refused.Summary(), StringComparison.Ordinal);

        // Act: the consumer goes, a product of the new domain sales comes; the mesh serves while it is reloaded.
        Directory.Delete(Path.Combine(Pipelines, "sales", "campaign-attribution"), recursive: true);
        Copy("sales", "opportunities");
        using var stop = new CancellationTokenSource();
        var reloads = new System.Collections.Concurrent.ConcurrentQueue<SpecReload>();
        var serving = _mesh.ServeAsync(stop.Token, reloads.Enqueue);
        try
        {
            await WaitUntilAsync(() => Task.FromResult(!reloads.IsEmpty));
            var spec = _mesh.Products.Get("sales.opportunities");
            await _mesh.UploadToLandingAsync(spec, Directory.GetFiles(Path.Combine(spec.Directory, "samples")).Single());
            await WaitUntilAsync(async () => (await _mesh.Catalog.GetRunsAsync("sales.opportunities")).Any(r => r.Status == "Published"));
        }
        finally
        {
            await stop.CancelAsync();
            try
            {
                await serving;
            }
            catch (OperationCanceledException)
            {
                // stopped mid-pass
            }
        }

        // Assert: one reload, adding the product; its domain has its own topic; its landing file was published.
        var added = Assert.Single(reloads);
        Assert.Equal(["sales.opportunities"], added.Added);
        Assert.Equal("Specs reloaded: products added [sales.opportunities].", added.Summary());
        Assert.Contains("sales", _mesh.EventTopic.Domains);
    }

    private void Copy(string domain, string product) =>
        Folders.Copy(Path.Combine(RepositoryRoot.Path, "pipelines", domain, product), Path.Combine(Pipelines, domain, product));

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddMinutes(4);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "not within 4 minutes");
            await Task.Delay(200);
        }
    }
}
