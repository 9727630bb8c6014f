using DataMesh.Pipeline;
using DataMesh.Testing;

namespace DataMesh.EndToEnd.Tests;

/// <summary>
/// Issue 15's unbounded transform: a recursive CTE that never ends held the engine's activity slots for ever. With a
/// stage time limit DuckDB is interrupted, the run fails with the reason once (not retried) and its input is set aside.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class StageTimeLimitTests(AzuriteFixture azurite) : IDisposable
{
    private const string EndlessSql = """
        WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t)
        SELECT order_id, customer, CAST(amount AS DECIMAL(18,2)) AS amount, status
        FROM orders
        WHERE (SELECT count(*) FROM t) > 0
        """;

    private readonly TestProduct _product = new("lim" + Guid.NewGuid().ToString("N")[..6], sql: EndlessSql);

    public void Dispose() => _product.Dispose();

    [Fact]
    public async Task Run_RecursiveCtePastTheTransformLimit_FailsOnceWithTheReasonAndQuarantinesTheInput()
    {
        // Arrange: a transform that never ends, limited to 3 seconds.
        var spec = Path.Combine(_product.Directory, "product.yaml");
        await File.AppendAllTextAsync(spec, "\nlimits: { transform: PT3S }\n");
        await using var mesh = await _product.StartMeshAsync(azurite);

        // Act
        var result = await mesh.RunAsync(_product.Id, [_product.WriteOrders("orders-1.csv", rows: 5)]);

        // Assert: failed at the transform, by its limit, in one attempt; the input set aside for a replay.
        Assert.Equal(PipelineStatus.Failed, result.Status);
        Assert.Equal("transform", result.Stage);
        Assert.Contains("ran past its time limit of PT3S", result.Error, StringComparison.Ordinal);
        Assert.Single(result.Stages, s => s.Stage == "transform");
        Assert.Single(result.Quarantined);
    }
}
