using DataMesh.Pipeline;
using DataMesh.Publishing;
using DataMesh.Testing;

namespace DataMesh.EndToEnd.Tests;

/// <summary>
/// A mesh keeps the runs it started only until it sees them end (what Ctrl+C cancels): a long-running <c>up</c> does not
/// accumulate every run it ever started.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class UnfinishedRunsTests(AzuriteFixture azurite) : IDisposable
{
    private readonly TestProduct _product = new("unfinished" + Guid.NewGuid().ToString("N")[..6]);

    public void Dispose() => _product.Dispose();

    [Fact]
    public async Task RunAsync_TwoRunsThatEnded_LeavesNoUnfinishedRun()
    {
        // Arrange
        await using var mesh = await _product.StartMeshAsync(azurite);

        // Act
        var first = await mesh.RunAsync(_product.Id, [_product.WriteOrders("a.csv", rows: 10)]);
        var second = await mesh.RunAsync(_product.Id, [_product.WriteOrders("b.csv", rows: 10, idOffset: 100)]);

        // Assert
        Assert.Equal([PipelineStatus.Published, PipelineStatus.Published], [first.Status, second.Status]);
        Assert.Empty(mesh.UnfinishedRuns);
    }

    [Fact]
    public async Task ServeAsync_ArrivalWhoseRunEnded_LeavesNoUnfinishedRun()
    {
        // Arrange: a serving mesh (as `up`) and a file arriving in landing.
        await using var mesh = await _product.StartMeshAsync(azurite);
        using var stop = new CancellationTokenSource();
        var serving = mesh.ServeAsync(stop.Token);
        var store = new ReleaseStore(mesh.Storage.Products(_product.Domain));
        try
        {
            // Act
            await mesh.Storage.Landing(_product.Domain).GetBlobClient("orders/a.csv").UploadAsync(_product.WriteOrders("a.csv", rows: 10));

            // Assert: the run published, then the serving loop saw it end and forgot it.
            await WaitUntilAsync(async () => (await store.ListReleasesAsync(_product.Name, "1.0.0")).Count == 1, "no release of the arrival");
            await WaitUntilAsync(() => Task.FromResult(mesh.UnfinishedRuns.Count == 0), $"runs still kept as unfinished: {string.Join(", ", mesh.UnfinishedRuns)}");
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
                // Stopped as asked.
            }
        }
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string failure)
    {
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, failure);
            await Task.Delay(200);
        }
    }
}
