using DataMesh.Catalog;
using DataMesh.Local;
using DataMesh.Pipeline;
using DataMesh.Testing;

namespace DataMesh.EndToEnd.Tests;

/// <summary>
/// Quarantine moves exactly the version of a landing blob the run ingested, and a run whose quarantine fails after
/// every retry still ends and is announced (issue 15).
/// </summary>
[Collection(AzuriteCollection.Name)]
[Trait("Category", "BadInput")]
public sealed class QuarantineTests(AzuriteFixture azurite)
{
    // A status outside the contract's valid values fails the quality gate; an amount that does not cast fails ingest.
    public static TheoryData<string, string> BadLines() => new()
    {
        { "quality", "9001,customer-x,1.00,bogus" },
        { "ingest", "9001,customer-x,not-a-number,open" },
    };

    [Fact]
    public async Task Run_CorrectedFileUploadedUnderTheSameNameBeforeQuarantine_CorrectedFileStaysInLandingAndPublishesAsItsOwnRun()
    {
        // Arrange: a file failing the quality gate; while its run is about to quarantine it, the owner uploads the
        // corrected file under the same name.
        using var product = new TestProduct("quar" + Guid.NewGuid().ToString("N")[..6]);
        var bad = product.WriteOrders("orders-1.csv", rows: 20, "9001,customer-x,1.00,bogus");
        var corrected = await File.ReadAllBytesAsync(product.WriteOrders("orders-fixed.csv", rows: 25));
        LocalMesh mesh = null!;
        var replaced = 0;
        var faults = new PipelineFaults(async (point, _) =>
        {
            if (point == PipelineFaults.BeforeQuarantine && Interlocked.Exchange(ref replaced, 1) == 0)
            {
                await mesh.Storage.Landing(product.Domain).GetBlobClient("orders/orders-1.csv").UploadAsync(new BinaryData(corrected), overwrite: true);
            }
        });
        await using (mesh = await product.StartMeshAsync(azurite, o => { o.Namespace = AzuriteFixture.CreateNamespace(); o.Pipeline.Faults = faults; }))
        {
            // Act
            var failed = await mesh.RunAsync(product.Id, [bad], TimeSpan.FromMinutes(2));
            var landing = mesh.Storage.Landing(product.Domain).GetBlobClient("orders/orders-1.csv");
            var inLanding = (await landing.DownloadContentAsync()).Value.Content.ToArray();
            var quarantined = await mesh.Storage.Quarantine(product.Domain).GetBlobClient("orders/orders-1.csv").ExistsAsync();
            var rerun = await mesh.RunAsync(new PipelineRequest { RunId = "fixed-" + Guid.NewGuid().ToString("N"), ProductId = product.Id, LandingBlobs = ["orders/orders-1.csv"], Trigger = "blob" }, TimeSpan.FromMinutes(2));

            // Assert: the corrected file was neither moved nor blamed, and it publishes on its own.
            Assert.Equal(1, replaced);
            Assert.Equal(PipelineStatus.QualityFailed, failed.Status);
            Assert.Empty(failed.Quarantined);
            Assert.False(quarantined, "the corrected file was moved to quarantine in place of the failed version");
            Assert.Equal(corrected, inLanding);
            Assert.Equal((PipelineStatus.Published, 1, (long)TestProduct.ExpectedRows(25)), (rerun.Status, rerun.Release, rerun.Rows));
        }
    }

    [Fact]
    public async Task Run_FailedFileStillInLandingAtQuarantine_MovesThatVersionAndDeletesItFromLanding()
    {
        // Arrange
        using var product = new TestProduct("quar" + Guid.NewGuid().ToString("N")[..6]);
        var bad = product.WriteOrders("orders-1.csv", rows: 20, "9001,customer-x,1.00,bogus");
        await using var mesh = await product.StartMeshAsync(azurite, o => o.Namespace = AzuriteFixture.CreateNamespace());

        // Act
        var failed = await mesh.RunAsync(product.Id, [bad], TimeSpan.FromMinutes(2));

        // Assert
        Assert.Equal((PipelineStatus.QualityFailed, "orders/orders-1.csv"), (failed.Status, Assert.Single(failed.Quarantined)));
        Assert.False(await mesh.Storage.Landing(product.Domain).GetBlobClient("orders/orders-1.csv").ExistsAsync());
        var copy = mesh.Storage.Quarantine(product.Domain).GetBlobClient("orders/orders-1.csv");
        Assert.Equal(await File.ReadAllBytesAsync(bad), (await copy.DownloadContentAsync()).Value.Content.ToArray());
        Assert.True(await mesh.Storage.Quarantine(product.Domain).GetBlobClient("orders/orders-1.csv.error.json").ExistsAsync());
    }

    [Theory]
    [MemberData(nameof(BadLines))]
    public async Task Run_QuarantineFailsEveryAttempt_AnnouncesPipelineRunFailedAndTheInputStaysInLanding(string failure, string badLine)
    {
        // Arrange: the quarantine container cannot be written (every attempt of the activity fails).
        using var product = new TestProduct("quar" + failure + Guid.NewGuid().ToString("N")[..4]);
        var bad = product.WriteOrders("orders-1.csv", rows: 20, badLine);
        var attempts = 0;
        var faults = new PipelineFaults((point, _) =>
        {
            if (point == PipelineFaults.BeforeQuarantine)
            {
                Interlocked.Increment(ref attempts);
                throw new Azure.RequestFailedException(503, "quarantine container unavailable (injected)");
            }

            return Task.CompletedTask;
        });
        await using var mesh = await product.StartMeshAsync(azurite, o => { o.Namespace = AzuriteFixture.CreateNamespace(); o.Pipeline.Faults = faults; });

        // Act
        var result = await mesh.RunAsync(product.Id, [bad], TimeSpan.FromMinutes(3));

        // Assert: the run ended, announced as failed in quarantine, the input left where it was.
        Assert.Equal((PipelineStatus.Failed, "quarantine"), (result.Status, result.Stage));
        Assert.Contains("quarantine failed after 4 attempt(s)", result.Error, StringComparison.Ordinal);
        Assert.Contains("the input stays in landing", result.Error, StringComparison.Ordinal);
        Assert.Empty(result.Quarantined);
        Assert.Equal(4, attempts);
        Assert.True(await mesh.Storage.Landing(product.Domain).GetBlobClient("orders/orders-1.csv").ExistsAsync(), "the input left landing");
        var run = Assert.Single(await mesh.Catalog.GetRunsAsync(product.Id));
        Assert.Equal((result.RunId, CatalogRunStatus.Failed, "quarantine"), (run.RunId, run.Status, run.Stage));
        Assert.Contains("quarantine failed", run.Error, StringComparison.Ordinal);
    }
}
