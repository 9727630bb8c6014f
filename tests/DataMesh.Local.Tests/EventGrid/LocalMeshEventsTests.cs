using DataMesh.Catalog;
using DataMesh.Events;
using DataMesh.Local.EventGrid;
using DataMesh.Pipeline;
using DataMesh.Storage;
using DataMesh.Testing;

namespace DataMesh.Local.Tests.EventGrid;

/// <summary>
/// The local mesh publishes through its Event Grid topic: subscriptions mirror the Bicep ones, the key lives in the
/// state folder, and a release announced while the topic is down is kept in the outbox and re-announced once it is back.
/// </summary>
[Collection("azurite")]
public sealed class LocalMeshEventsTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private readonly string _state = Path.Combine(Path.GetTempPath(), "dm-events-" + Guid.NewGuid().ToString("N")[..8]);
    private LocalMesh _mesh = null!;

    public async Task InitializeAsync()
    {
        var options = new LocalMeshOptions
        {
            // The run's Azurite: each domain in its own account (one account only when DATAMESH_STORAGE chose it).
            Azurite = azurite.Server,
            ConnectionString = azurite.ConnectionString,
            Namespace = AzuriteFixture.CreateNamespace(),
            LoadPipelinesFolder = false,
            StateDirectory = _state,
        };
        foreach (var product in new[] { "finance/ledger-emea", "finance/ledger-amer", "finance/ledger-apac", "finance/revenue-global", "supply-chain/stock-levels" })
        {
            options.ExtraProductDirectories.Add(Path.Combine(RepositoryRoot.Path, "pipelines", product));
        }

        _mesh = await LocalMesh.StartAsync(options);
    }

    public async Task DisposeAsync()
    {
        await _mesh.DisposeAsync();
        Directory.Delete(_state, recursive: true);
    }

    [Fact]
    public void StartAsync_Subscriptions_AreTheCatalogAndOneUpstreamSubscriptionPerProductRead()
    {
        // Act
        var subscriptions = _mesh.EventTopic.Subscriptions;

        // Assert
        var catalog = Assert.Single(subscriptions, s => s.Name == "catalog");
        Assert.Equal(MeshTopicSubscriptions.CatalogEventTypes, catalog.IncludedEventTypes);
        Assert.Equal(_mesh.Storage.Queue(MeshStorage.CatalogEventsQueue).Name, catalog.Queue.Name);
        var upstream = subscriptions.Where(s => s.Name != "catalog").ToList();
        Assert.Equal(["finance.ledger-amer/", "finance.ledger-apac/", "finance.ledger-emea/"], upstream.Select(s => s.SubjectBeginsWith));
        Assert.All(upstream, s =>
        {
            Assert.Equal([ProductEventTypes.ProductVersionPublished], s.IncludedEventTypes);
            Assert.Equal(_mesh.Storage.Queue(MeshStorage.PipelineTriggersQueue).Name, s.Queue.Name);
        });
    }

    [Fact]
    public void StartAsync_TopicKeys_OnePerDomainGeneratedIntoTheStateFolderOwnerReadableOnly()
    {
        // Act
        var paths = new[] { "finance", "supply-chain" }.Select(d => Path.Combine(_state, LocalMesh.EventTopicKeysFolder, d)).ToList();

        // Assert
        Assert.Equal(["finance", "supply-chain"], _mesh.EventTopic.Domains.Order(StringComparer.Ordinal));
        Assert.All(paths, path =>
        {
            Assert.Equal(64, File.ReadAllText(path).Trim().Length);
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
            }
        });
        Assert.NotEqual(File.ReadAllText(paths[0]), File.ReadAllText(paths[1]));
    }

    [Fact]
    public async Task PublishAsync_FinanceKeyAnnouncingASupplyChainRelease_RefusedAtTheTopicAndNeitherCatalogNorConsumerSeesIt()
    {
        // Arrange: what finance's pipeline host holds (its own topic's key), used to announce supply-chain's product.
        var finance = _mesh.EventTopic.PublisherFor("finance");
        var forged = ProductEventFactory.CreateProductVersionPublished(new ProductVersionPublishedData
        {
            ProductId = "supply-chain.stock-levels",
            Domain = "supply-chain",
            Name = "stock-levels",
            Version = "1.0.0",
            Release = 1,
            RunId = "run-forged",
            Location = _mesh.Storage.Products("supply-chain").Uri.AbsoluteUri + "/stock-levels/1.0.0/1/",
            Rows = 1,
            SchemaHash = "ab12",
            Quality = new QualitySummary(true, 1, []),
            PublishedAt = DateTimeOffset.UtcNow,
        });

        // Act
        var refused = await Assert.ThrowsAsync<Azure.RequestFailedException>(() => finance.PublishAsync(forged));
        var recorded = await _mesh.ProcessCatalogEventsAsync();
        var triggered = await _mesh.ProcessTriggersAsync();

        // Assert
        Assert.Equal(403, refused.Status);
        Assert.Contains("domain 'finance''s", refused.Message, StringComparison.Ordinal);
        Assert.Contains("/domains/supply-chain/products/stock-levels", refused.Message, StringComparison.Ordinal);
        Assert.Equal(0, recorded);
        Assert.Empty(triggered);
        Assert.Empty(await _mesh.Catalog.GetReleasesAsync("supply-chain.stock-levels"));
    }

    /// <remarks>Slow (about 2.5 minutes): the pipeline retries the announcement 8 times with backoff before the run ends.</remarks>
    [Fact]
    public async Task RunAsync_TopicDown_RunEndsPublishedWithTheAnnouncementPendingAndTheRelayDeliversItOnceTheTopicIsBack()
    {
        // Arrange
        var spec = _mesh.Products.Get("supply-chain.stock-levels");
        var (inputs, _) = LocalMesh.SampleFiles(spec);
        await _mesh.EventTopic.StopAsync();

        // Act
        var result = await _mesh.RunAsync(spec.Id, inputs);
        var pendingWhileDown = await _mesh.Outbox(spec.Domain).GetPendingAsync(DateTimeOffset.MaxValue);
        var catalogWhileDown = await _mesh.Catalog.GetReleasesAsync(spec.Id);
        await _mesh.EventTopic.StartAsync();
        var relayed = await _mesh.RelayOutboxAsync(TimeSpan.Zero);

        // Assert
        Assert.Equal(PipelineStatus.Published, result.Status);
        Assert.Contains("announcement failed", result.Error, StringComparison.Ordinal);
        var pending = Assert.Single(pendingWhileDown);
        Assert.Equal((ProductEventTypes.ProductVersionPublished, $"{spec.Id}/{spec.Version}/{result.Release}"), (pending.Event.Type, pending.Event.Id));
        Assert.Empty(catalogWhileDown);
        Assert.Equal(new OutboxRelayResult(Sent: 1, Failed: 0), relayed);
        var release = Assert.Single(await _mesh.Catalog.GetReleasesAsync(spec.Id));
        Assert.Equal((result.Release, result.RunId), (release.Release, release.RunId));
        Assert.Empty(await _mesh.Outbox(spec.Domain).GetPendingAsync(DateTimeOffset.MaxValue));
    }
}
