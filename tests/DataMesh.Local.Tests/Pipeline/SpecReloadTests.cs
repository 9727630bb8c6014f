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

    [Fact]
    public async Task ReloadSpecsAsync_ProductRemovedAndMeshYamlAddedThenMeshYamlBroken_RemovesItSwapsThePoliciesThenKeepsThem()
    {
        // Arrange: a second product, loaded; the mesh runs on the built-in baseline (no mesh.yaml).
        Copy("finance", "ledger-amer");
        Assert.Equal(["finance.ledger-amer"], (await _mesh.ReloadSpecsAsync()).Added);
        var baseline = _mesh.Runtime.Policies;

        // Act: the product goes, and the mesh gets its own mesh.yaml (one policy).
        Directory.Delete(Path.Combine(Pipelines, "finance", "ledger-amer"), recursive: true);
        var meshFile = Path.Combine(Pipelines, "mesh.yaml");
        File.WriteAllText(meshFile, MeshYaml("owner-email-required"));
        var removed = await _mesh.ReloadSpecsAsync();

        // Assert: removed and no longer served; the new policies are the runtime's.
        Assert.Equal(["finance.ledger-amer"], removed.Removed);
        Assert.True(removed.PoliciesChanged);
        Assert.Equal("Specs reloaded: removed [finance.ledger-amer]; mesh.yaml changed.", removed.Summary());
        Assert.Equal(["finance.ledger-emea"], _mesh.Products.All.Select(p => p.Id));
        var own = _mesh.Runtime.Policies;
        Assert.NotSame(baseline, own);
        Assert.Equal(["owner-email-required"], own!.Policies.Select(p => p.Id));

        // Act: mesh.yaml now names a policy that does not exist.
        File.WriteAllText(meshFile, MeshYaml("owner-email-requird"));
        var refused = await _mesh.ReloadSpecsAsync();

        // Assert: refused naming mesh.yaml; the mesh keeps the policies it had and its products.
        Assert.False(refused.Applied);
        Assert.Contains(refused.Errors, e => e.File.EndsWith("mesh.yaml", StringComparison.Ordinal) && e.Message.Contains("owner-email-requird", StringComparison.Ordinal));
        Assert.Same(own, _mesh.Runtime.Policies);
        Assert.Equal(["finance.ledger-emea"], _mesh.Products.All.Select(p => p.Id));
    }

    private static string MeshYaml(string policy) => $"""
        apiVersion: datamesh/v1
        kind: Mesh
        policies:
          - id: {policy}
            severity: error
        """;

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
