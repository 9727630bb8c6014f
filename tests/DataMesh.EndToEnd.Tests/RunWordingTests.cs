using DataMesh.Pipeline;
using DataMesh.Testing;

namespace DataMesh.EndToEnd.Tests;

/// <summary>
/// What a run says about itself (issue 19, item 6): a failed run's stage agrees with its own timeline, rule results
/// read in correct English, and two files of one input with different headers publish together.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class RunWordingTests(AzuriteFixture azurite)
{
    /// <summary>The orders input without declared columns: every column's type is auto-detected.</summary>
    private const string UndeclaredInputs = """
          - name: orders
            landing: { path: orders/, format: csv, delimiter: "," }
        """;

    // Aggregates over the amount column: a column misread as text fails as "No function matches avg(VARCHAR)".
    private const string TotalsSql = """
        SELECT customer, CAST(avg(amount) AS DECIMAL(18,2)) AS amount, count(*) AS orders
        FROM orders
        GROUP BY customer
        """;

    private const string TotalsContract = """
        apiVersion: v3.1.0
        kind: DataContract
        id: urn:test:totals
        version: 1.0.0
        status: active
        schema:
          - name: orders_totals
            properties:
              - name: customer
                logicalType: string
                required: true
                unique: true
              - name: amount
                physicalType: decimal(18,2)
              - name: orders
                logicalType: integer
        """;

    [Fact]
    public async Task Run_OneRowFailsARule_ReasonSaysOneRowNotOneRows()
    {
        // Arrange
        using var product = new TestProduct("wrd" + Guid.NewGuid().ToString("N")[..6]);
        await using var mesh = await product.StartMeshAsync(azurite, o => o.Namespace = AzuriteFixture.CreateNamespace());

        // Act: one status outside the contract's valid values.
        var failed = await mesh.RunAsync(product.Id, [product.WriteOrders("orders-1.csv", rows: 20, "9001,customer-x,1.00,bogus")], TimeSpan.FromMinutes(2));

        // Assert
        Assert.Equal(PipelineStatus.QualityFailed, failed.Status);
        Assert.Contains("measured 1 row,", failed.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("1 rows", failed.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_ValueThatDoesNotCast_StageOfTheRunIsTheStageThatFailedInItsTimeline()
    {
        // Arrange
        using var product = new TestProduct("wrd" + Guid.NewGuid().ToString("N")[..6]);
        await using var mesh = await product.StartMeshAsync(azurite, o => o.Namespace = AzuriteFixture.CreateNamespace());

        // Act: an amount that does not cast, found by the typed read inside the transform's scan.
        var failed = await mesh.RunAsync(product.Id, [product.WriteOrders("orders-1.csv", rows: 20, "9001,customer-x,not-a-number,open")], TimeSpan.FromMinutes(2));

        // Assert: the CLI's stage, the quarantine's and the timeline's failed attempt are one and the same.
        Assert.Equal((PipelineStatus.Failed, "ingest"), (failed.Status, failed.Stage));
        var failedAttempt = Assert.Single(failed.Stages, s => s.Outcome == "failed");
        Assert.Equal(failed.Stage, failedAttempt.Stage);
        var run = Assert.Single(await mesh.Catalog.GetRunsAsync(product.Id), r => r.RunId == failed.RunId);
        Assert.Equal("ingest", run.Stage);
    }

    [Theory]
    [InlineData("declared")]
    [InlineData("undeclared")]
    public async Task Run_TwoFilesOfOneInputWithDifferentHeaders_PublishesBothReadByColumnName(string columns)
    {
        // Arrange: the second file orders its columns differently, lacks the optional status and adds a column.
        using var product = new TestProduct(
            "wrd" + Guid.NewGuid().ToString("N")[..6], name: "orders-totals", sql: TotalsSql, contract: TotalsContract,
            inputs: columns == "declared" ? null : UndeclaredInputs);
        await using var mesh = await product.StartMeshAsync(azurite, o => o.Namespace = AzuriteFixture.CreateNamespace());
        var first = Path.Combine(product.Root, "orders-a.csv");
        await File.WriteAllTextAsync(first, "order_id,customer,amount,status\n1,ann,10.00,open\n2,bob,20.00,shipped\n");
        var second = Path.Combine(product.Root, "orders-b.csv");
        await File.WriteAllTextAsync(second, "amount,order_id,customer,channel\n30.00,3,ann,web\n40.00,4,cat,shop\n");

        // Act
        var result = await mesh.RunAsync(product.Id, [first, second], TimeSpan.FromMinutes(2));

        // Assert: each value read under its own column's name, whatever its position in its file.
        Assert.True(result.Status == PipelineStatus.Published, $"{result.Stage}: {result.Error}");
        Assert.Equal(3, result.Rows);
        var rows = await SnapshotRows.ReadAsync(
            new DataMesh.Publishing.ReleaseStore(mesh.Storage.Products(product.Domain)), product.Name, "1.0.0", result.Release!.Value, "customer, amount, orders");
        Assert.Equal(["ann|20.00|2", "bob|20.00|1", "cat|40.00|1"], rows);
    }
}
