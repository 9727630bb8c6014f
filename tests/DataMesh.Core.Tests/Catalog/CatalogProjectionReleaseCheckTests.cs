using Azure.Storage;
using Azure.Storage.Blobs;
using DataMesh.Catalog;
using DataMesh.Core.Tests.Events;
using DataMesh.Events;
using DataMesh.Publishing;
using DataMesh.Storage;
using DataMesh.Testing;

namespace DataMesh.Core.Tests.Catalog;

/// <summary>
/// What the projection believes of an announcement: a release is recorded only once its manifest exists where the
/// event says, and a freshness breach holds only while its release is the product's latest.
/// </summary>
[Collection("azurite")]
public sealed class CatalogProjectionReleaseCheckTests(AzuriteFixture azurite)
{
    private const string ProductId = "finance.ledger-emea";
    private readonly MeshStorage _storage = azurite.CreateMeshStorage();

    [Fact]
    public async Task ApplyAsync_ReleaseEventWithoutAManifest_RejectedAndLatestStaysOnTheRealRelease()
    {
        // Arrange: release 1 exists; release 9 is announced by a well-keyed event but was never published.
        var projection = Projection();
        await projection.ApplyAsync(ProductEventFactory.CreateProductVersionPublished(await RealReleaseAsync(1)));
        var forged = SampleEvents.Published(release: 9) with { Location = Folder(9), RunId = "run-forged" };

        // Act
        var rejected = await Assert.ThrowsAsync<CatalogEventRejectedException>(() => projection.ApplyAsync(ProductEventFactory.CreateProductVersionPublished(forged)));

        // Assert
        Assert.Contains("has no manifest", rejected.Message, StringComparison.Ordinal);
        var reader = new CatalogReader(_storage);
        Assert.Equal(1, (await reader.GetProductAsync(ProductId))!.LatestRelease);
        Assert.Null(await reader.GetReleaseAsync(ProductId, "1.2.0", 9));
    }

    [Theory]
    [InlineData("location")]
    [InlineData("run")]
    public async Task ApplyAsync_ReleaseEventNotMatchingItsManifest_Rejected(string forgedPart)
    {
        // Arrange: release 2 exists, but the event points elsewhere or names another run.
        var real = await RealReleaseAsync(2);
        var forged = forgedPart == "location"
            ? real with { Location = real.Location.Replace("/ledger-emea/", "/ledger-apac/", StringComparison.Ordinal) }
            : real with { RunId = "run-someone-else" };

        // Act
        var rejected = await Assert.ThrowsAsync<CatalogEventRejectedException>(() => Projection().ApplyAsync(ProductEventFactory.CreateProductVersionPublished(forged)));

        // Assert
        Assert.Contains(forgedPart == "location" ? "is not the release's folder" : "run-someone-else", rejected.Message, StringComparison.Ordinal);
        Assert.Null(await new CatalogReader(_storage).GetProductAsync(ProductId));
    }

    [Fact]
    public async Task ApplyAsync_ReleasePublishedAfterAFreshnessBreach_StaleSinceIsCleared()
    {
        // Arrange: release 1, then the freshness check reports it stale.
        var projection = new CatalogProjection(_storage);
        var release1 = SampleEvents.Published(release: 1);
        await projection.ApplyAsync(ProductEventFactory.CreateProductVersionPublished(release1));
        await projection.ApplyAsync(ProductEventFactory.CreateFreshnessBreached(Breach("1.2.0", 1, release1.PublishedAt)));
        var reader = new CatalogReader(_storage);
        Assert.Equal(release1.PublishedAt, (await reader.GetProductAsync(ProductId))!.StaleSince);

        // Act: release 2 makes it fresh; a late report about release 1 must not make it stale again.
        await projection.ApplyAsync(ProductEventFactory.CreateProductVersionPublished(SampleEvents.Published(release: 2)));
        var afterRelease = (await reader.GetProductAsync(ProductId))!.StaleSince;
        await projection.ApplyAsync(ProductEventFactory.CreateFreshnessBreached(Breach("1.2.0", 1, release1.PublishedAt) with { DetectedAt = SampleEvents.BaseTime.AddDays(3) }));
        var afterLateReport = (await reader.GetProductAsync(ProductId))!.StaleSince;

        // Assert
        Assert.Null(afterRelease);
        Assert.Null(afterLateReport);
    }

    [Fact]
    public async Task VerifyAsync_StorageRefusesTheRead_RefusedUnlessTheHostAcceptsUngrantedDomains()
    {
        // Arrange: the hub reaches finance's account with a credential storage refuses (no grant yet: 403).
        var real = await RealReleaseAsync(3);
        var refused = StorageWithAWrongKey();
        var forged = SampleEvents.Published(release: 9) with { Location = $"{refused.Products("finance").Uri.AbsoluteUri}/{ReleaseStore.Folder("ledger-emea", "1.2.0", 9)}" };

        // Act + Assert: a strict check surfaces the refusal (the event is retried, never recorded on faith)...
        var strict = new AnnouncedReleaseCheck(refused);
        var error = await Assert.ThrowsAsync<Azure.RequestFailedException>(() => strict.VerifyAsync(real with { Location = forged.Location.Replace("/9/", "/3/", StringComparison.Ordinal) }));
        Assert.Equal(403, error.Status);

        // ...the hub's lets it through on its (registry-checked) location and counts it; with the grant, a release
        // without a manifest is still refused.
        var hub = new AnnouncedReleaseCheck(refused) { AcceptWhenForbidden = true };
        Assert.Null(await hub.VerifyAsync(forged));
        Assert.Equal(1, hub.Unverified);
        var granted = new AnnouncedReleaseCheck(_storage) { AcceptWhenForbidden = true };
        Assert.Contains("has no manifest", await granted.VerifyAsync(SampleEvents.Published(release: 9) with { Location = Folder(9) }), StringComparison.Ordinal);
        Assert.Null(await granted.VerifyAsync(real));
    }

    /// <summary>The same containers as <see cref="_storage"/>, each domain's account reached with a key storage does not accept.</summary>
    private MeshStorage StorageWithAWrongKey()
    {
        var options = new MeshStorageOptions { Namespace = _storage.Products("finance").Name.Split('-')[0] };
        var wrongKey = Convert.ToBase64String(new byte[64]);
        return new MeshStorage(_storage.Blobs, _storage.Queues, _storage.Tables, options, domain =>
        {
            var own = _storage.Domain(domain).Blobs;
            return new DomainStorage(domain, new BlobServiceClient(own.Uri, new StorageSharedKeyCredential(own.AccountName, wrongKey)), options);
        });
    }

    private CatalogProjection Projection() => new(_storage, releases: new AnnouncedReleaseCheck(_storage));

    private string Folder(int release) => $"{_storage.Products("finance").Uri.AbsoluteUri}/{ReleaseStore.Folder("ledger-emea", "1.2.0", release)}";

    /// <summary>A release written to storage as publish lays it out, and its announcement.</summary>
    private async Task<ProductVersionPublishedData> RealReleaseAsync(int release)
    {
        var manifest = await TestRelease.WriteAsync(_storage, ProductId, "1.2.0", release, [("part-00000.parquet", TestRelease.ParquetLike(64))]);
        return SampleEvents.Published(release: release) with { Location = Folder(release), RunId = manifest.RunId };
    }

    private static FreshnessBreachedData Breach(string version, int release, DateTimeOffset since) => new()
    {
        ProductId = ProductId,
        Domain = "finance",
        Name = "ledger-emea",
        Freshness = "PT1H",
        LatestVersion = version,
        LatestRelease = release,
        Since = since,
        DetectedAt = SampleEvents.BaseTime.AddDays(2),
    };
}
