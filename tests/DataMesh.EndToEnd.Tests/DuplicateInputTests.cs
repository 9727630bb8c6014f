using DataMesh.Pipeline;
using DataMesh.Publishing;
using DataMesh.Testing;

namespace DataMesh.EndToEnd.Tests;

/// <summary>The same bytes arriving again under a new name are reported as a duplicate of the run that published them, never published again.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class DuplicateInputTests(AzuriteFixture azurite) : IDisposable
{
    private readonly TestProduct _product = new("dup" + Guid.NewGuid().ToString("N")[..6]);

    public void Dispose() => _product.Dispose();

    [Fact]
    public async Task Drop_SameBytesUnderANewName_ReportedAsDuplicateOfTheEarlierRunAndNotPublished()
    {
        // Arrange: a file published once.
        await using var mesh = await _product.StartMeshAsync(azurite, o => o.Namespace = AzuriteFixture.CreateNamespace());
        var original = _product.WriteOrders("orders-2026-11.csv", rows: 20);
        await mesh.DropAsync(_product.Id, [original]);
        var first = Assert.Single(await mesh.SettleAsync(TimeSpan.FromMinutes(3)));
        Assert.Equal(PipelineStatus.Published, first.Status);
        var copy = Path.Combine(_product.Root, "orders-2026-11-resent.csv");
        File.Copy(original, copy);

        // Act
        await mesh.DropAsync(_product.Id, [copy]);
        var second = Assert.Single(await mesh.SettleAsync(TimeSpan.FromMinutes(3)));

        // Assert: a failed ingest naming the earlier run and release; the copy quarantined; still one release.
        Assert.Equal(PipelineStatus.Failed, second.Status);
        Assert.Equal("ingest", second.Stage);
        Assert.Contains($"duplicate of run {first.RunId}", second.Error, StringComparison.Ordinal);
        Assert.Contains($"release 1.0.0#{first.Release}", second.Error, StringComparison.Ordinal);
        Assert.Equal(["orders/orders-2026-11-resent.csv"], second.Quarantined);
        Assert.Equal([first.Release!.Value], await new ReleaseStore(mesh.Storage.Products(_product.Domain)).ListReleasesAsync(_product.Name, "1.0.0"));
    }

    [Fact]
    public async Task Run_SameBytesOnDemand_PublishesAgain()
    {
        // Arrange: an explicit run over bytes already published is a rebuild asked for, not a duplicate arrival.
        await using var mesh = await _product.StartMeshAsync(azurite, o => o.Namespace = AzuriteFixture.CreateNamespace());
        var file = _product.WriteOrders("orders.csv", rows: 20);
        await mesh.DropAsync(_product.Id, [file]);
        Assert.Equal(PipelineStatus.Published, Assert.Single(await mesh.SettleAsync(TimeSpan.FromMinutes(3))).Status);

        // Act
        var again = await mesh.RunAsync(_product.Id, [file]);

        // Assert
        Assert.Equal(PipelineStatus.Published, again.Status);
    }
}
