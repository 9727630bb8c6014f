using DataMesh.Publishing;
using DataMesh.Testing;

namespace DataMesh.Core.Tests.Publishing;

/// <summary>The publish lock of a product version and the claims made under it, on Azurite.</summary>
[Collection("azurite")]
public sealed class PublishLockTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task AcquireAsync_HeldByAnotherRun_WaitsUntilReleased()
    {
        // Arrange
        var products = await ProductsAsync();
        var first = await PublishLock.AcquireAsync(products, "orders", "1.0.0", "run-a");

        // Act: a second run asks while the first holds it.
        var second = PublishLock.AcquireAsync(products, "orders", "1.0.0", "run-b");
        var early = await Task.WhenAny(second, Task.Delay(TimeSpan.FromSeconds(2)));
        await first.DisposeAsync();
        await using var taken = await second.WaitAsync(TimeSpan.FromSeconds(60));

        // Assert
        Assert.NotSame(second, early);
        taken.ThrowIfLost();
    }

    [Fact]
    public async Task AcquireAsync_SameRunRetriesWhileItsLeaseIsHeld_TakesItAtOnce()
    {
        // Arrange: the run's first attempt holds the lock (as a host killed mid-publish leaves it).
        var products = await ProductsAsync();
        var dead = await PublishLock.AcquireAsync(products, "orders", "1.0.0", "run-a");

        // Act
        await using var retried = await PublishLock.AcquireAsync(products, "orders", "1.0.0", "run-a").WaitAsync(TimeSpan.FromSeconds(10));

        // Assert: another run still waits for it.
        var other = PublishLock.AcquireAsync(products, "orders", "1.0.0", "run-b");
        Assert.NotSame(other, await Task.WhenAny(other, Task.Delay(TimeSpan.FromSeconds(2))));
        await dead.DisposeAsync();
        await (await other.WaitAsync(TimeSpan.FromSeconds(60))).DisposeAsync();
    }

    [Fact]
    public async Task AcquireAsync_OwnerlessWriterWhileAPublishHoldsIt_TimesOutNamingTheLock()
    {
        // Arrange: a publish holds the lock; compaction and retention take it without an owner and a timeout.
        var products = await ProductsAsync();
        await using var publish = await PublishLock.AcquireAsync(products, "orders", "1.0.0", "run-a");

        // Act
        var timeout = await Assert.ThrowsAsync<TimeoutException>(() => PublishLock.AcquireAsync(products, "orders", "1.0.0", timeout: TimeSpan.FromSeconds(1)));

        // Assert
        Assert.Contains("orders/1.0.0/_publish.lock stayed leased", timeout.Message, StringComparison.Ordinal);
        publish.ThrowIfLost();
    }

    [Fact]
    public async Task ClaimReleaseAboveAsync_RunsClaimFellBehindANewerRelease_ClaimsANumberAboveIt()
    {
        // Arrange: run-a claimed #1 and died; run-b then published #2.
        var store = new ReleaseStore(await ProductsAsync());
        Assert.Equal(1, await store.ClaimReleaseAsync("orders", "1.0.0", "run-a"));
        Assert.Equal(2, await store.ClaimReleaseAsync("orders", "1.0.0", "run-b"));

        // Act: run-a retries on base #2.
        var retried = await store.ClaimReleaseAboveAsync("orders", "1.0.0", "run-a", above: 2);
        var again = await store.ClaimReleaseAboveAsync("orders", "1.0.0", "run-a", above: 2);

        // Assert
        Assert.Equal((3, 3), (retried, again));
        Assert.Equal(3, await store.FindClaimAsync("orders", "1.0.0", "run-a"));
        Assert.Null(await store.FindClaimAsync("orders", "1.0.0", "run-c"));
    }

    private async Task<Azure.Storage.Blobs.BlobContainerClient> ProductsAsync()
    {
        var storage = azurite.CreateMeshStorage();
        await storage.EnsureDomainAsync("sales");
        return storage.Products("sales");
    }
}
