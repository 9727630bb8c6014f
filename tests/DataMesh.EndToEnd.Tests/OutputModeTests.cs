using System.Collections.Concurrent;
using DataMesh.Local;
using DataMesh.Pipeline;
using DataMesh.Publishing;
using DataMesh.Specs;
using DataMesh.Testing;

namespace DataMesh.EndToEnd.Tests;

/// <summary>
/// Output modes on real Azurite and DuckDB: each release is the product's whole table (a snapshot) built on the release
/// before it, files unchanged since an earlier release referenced, the gate judging table-level rules on the snapshot.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class OutputModeTests(AzuriteFixture azurite)
{
    private const string Version = "1.0.0";

    private const string Sql = "SELECT order_id, customer, CAST(amount AS DECIMAL(18,2)) AS amount, status FROM orders";

    private const string Columns = "order_id, customer, amount, status";

    // order_id unique across the whole snapshot; at least 6 rows in the snapshot (a run may bring fewer).
    private const string AppendContract = """
        apiVersion: v3.1.0
        kind: DataContract
        id: urn:test:ledger
        version: 1.0.0
        schema:
          - name: ledger
            properties:
              - { name: order_id, logicalType: integer, required: true, unique: true }
              - { name: customer, logicalType: string, required: true }
              - { name: amount, physicalType: "decimal(18,2)" }
              - { name: status, logicalType: string }
            quality:
              - { metric: rowCount, mustBeGreaterThan: 5 }
        """;

    // The merge key is required but not declared unique: the key check of the merge itself must catch duplicates.
    private const string MergeContract = """
        apiVersion: v3.1.0
        kind: DataContract
        id: urn:test:customers
        version: 1.0.0
        schema:
          - name: customers
            properties:
              - { name: order_id, logicalType: integer, required: true }
              - { name: customer, logicalType: string, required: true }
              - { name: amount, physicalType: "decimal(18,2)" }
              - { name: status, logicalType: string }
            quality:
              - { metric: rowCount, mustBeGreaterThan: 0 }
        """;

    private const string PartitionContract = """
        apiVersion: v3.1.0
        kind: DataContract
        id: urn:test:stock
        version: 1.0.0
        schema:
          - name: stock
            properties:
              - { name: order_id, logicalType: integer, required: true, unique: true }
              - { name: customer, logicalType: string, required: true }
              - { name: amount, physicalType: "decimal(18,2)" }
              - { name: status, logicalType: string }
        """;

    private static readonly SharedMesh Mesh = new(domain =>
    [
        new TestProduct(domain, "ledger-append", Sql, AppendContract, output: "{ contract: contract.odcs.yaml, mode: append }"),
        new TestProduct(domain, "ledger-append-gate", Sql, AppendContract, output: "{ contract: contract.odcs.yaml, mode: append }"),
        new TestProduct(domain, "ledger-append-race", Sql, AppendContract, output: "{ contract: contract.odcs.yaml, mode: append }"),
        new TestProduct(domain, "stock-partitions", Sql, PartitionContract, output: "{ contract: contract.odcs.yaml, mode: partitions, partitionBy: [customer] }"),
        new TestProduct(domain, "stock-partitions-race", Sql, PartitionContract, output: "{ contract: contract.odcs.yaml, mode: partitions, partitionBy: [customer] }"),
        new TestProduct(domain, "ledger-replace", Sql, PartitionContract, output: "{ contract: contract.odcs.yaml, mode: replace }"),
        new TestProduct(domain, "customers-merge", Sql, MergeContract, output: "{ contract: contract.odcs.yaml, mode: merge, key: [order_id], deleteWhen: \"status = 'cancelled'\" }"),
        new TestProduct(domain, "customers-merge-gate", Sql, MergeContract, output: "{ contract: contract.odcs.yaml, mode: merge, key: [order_id] }"),
        new TestProduct(domain, "customers-merge-race", Sql, MergeContract, output: "{ contract: contract.odcs.yaml, mode: merge, key: [order_id] }"),
        new TestProduct(domain, "orders-replace"),
    ]);

    [Fact]
    public async Task Append_ThreeRuns_EachReleaseHoldsEveryEarlierRowAndReferencesEarlierFiles()
    {
        // Arrange
        var (mesh, product) = await ProductAsync("ledger-append");
        var store = Store(mesh, product);

        // Act: the second and third runs bring fewer rows than the contract's row count asks of the whole table.
        var first = await RunAsync(mesh, product, "day-1.csv", Rows(1, 6));
        var second = await RunAsync(mesh, product, "day-2.csv", Rows(7, 8));
        var third = await RunAsync(mesh, product, "day-3.csv", Rows(9, 9));

        // Assert
        Assert.Equal((1, 2, 3), (first.Release, second.Release, third.Release));
        Assert.Equal(Expected(1, 6), await SnapshotRows.ReadAsync(store, product.Name, Version, 1, Columns));
        Assert.Equal(Expected(1, 8), await SnapshotRows.ReadAsync(store, product.Name, Version, 2, Columns));
        Assert.Equal(Expected(1, 9), await SnapshotRows.ReadAsync(store, product.Name, Version, 3, Columns));
        var manifest = await ManifestAsync(store, product, 3);
        Assert.Equal(9, manifest.Rows);
        Assert.Equal([(1, 6L), (2, 2L), ((int?)null, 1L)], manifest.Files.Select(f => (f.Release, f.Rows)).OrderBy(f => f.Release ?? int.MaxValue));
        Assert.Equal(new ReleaseChanges { Mode = OutputMode.Append, BasedOn = 2, RowsAdded = 1, FilesWritten = 1, FilesReferenced = 2 }, manifest.Changes! with { Partitions = [] });
        Assert.Equal(9, third.Rows);
        // The run's two rows alone would fail rowCount > 5; the run reports the rule as judged on the snapshot (8 rows).
        var rowCount = Assert.Single(second.Quality, r => r.Metric == "rowCount");
        Assert.Equal((8m, true), (rowCount.Measured, rowCount.Passed));
    }

    [Fact]
    public async Task Append_RunRepeatingAKeyOfTheSnapshot_QualityFailsAndPreviousSnapshotStaysByteIdentical()
    {
        // Arrange: release 1 holds order 6; the second run brings order 6 again (unique across the whole table).
        var (mesh, product) = await ProductAsync("ledger-append-gate");
        var store = Store(mesh, product);
        await RunAsync(mesh, product, "day-1.csv", Rows(1, 6));
        var before = await ManifestBytesAsync(store, product, 1);

        // Act
        var failed = await RunAsync(mesh, product, "day-2.csv", Rows(6, 7), expect: PipelineStatus.QualityFailed);

        // Assert
        Assert.Contains("order_id.unique", failed.Error, StringComparison.Ordinal);
        Assert.NotEmpty(failed.Quarantined);
        Assert.Equal([1], await store.ListReleasesAsync(product.Name, Version));
        Assert.Equal(before, await ManifestBytesAsync(store, product, 1));
        Assert.Equal(Expected(1, 6), await SnapshotRows.ReadAsync(store, product.Name, Version, 1, Columns));
    }

    [Fact]
    public async Task Append_FourConcurrentRuns_NewestReleaseHoldsEveryRunsRows()
    {
        // Arrange
        var (mesh, product) = await ProductAsync("ledger-append-race");
        var store = Store(mesh, product);

        // Act: four runs of one product at once.
        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(i => RunAsync(mesh, product, $"batch-{i}.csv", Rows((i * 10) + 1, (i * 10) + 6))));

        // Assert: every release builds on the one before it, so the newest holds all 24 rows.
        Assert.Equal([1, 2, 3, 4], results.Select(r => r.Release!.Value).Order());
        Assert.Equal([1, 2, 3, 4], await store.ListReleasesAsync(product.Name, Version));
        var expected = Enumerable.Range(0, 4).SelectMany(i => Expected((i * 10) + 1, (i * 10) + 6)).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(expected, await SnapshotRows.ReadAsync(store, product.Name, Version, 4, Columns));
        for (var release = 2; release <= 4; release++)
        {
            Assert.Equal(release - 1, (await ManifestAsync(store, product, release)).Changes!.BasedOn);
        }
    }

    [Fact]
    public async Task Partitions_ThreeRuns_ReplaceTouchedPartitionsKeepOthersAndAResendIsIdempotent()
    {
        // Arrange
        var (mesh, product) = await ProductAsync("stock-partitions");
        var store = Store(mesh, product);
        await RunAsync(mesh, product, "day-1.csv", ["1,c1,1.00,open", "2,c1,2.00,open", "3,c2,3.00,open"]);

        // Act: c2 corrected (order 3 gone, 4 and 5 in), c3 new; then the same file again.
        string[] correction = ["4,c2,4.00,open", "5,c2,5.00,open", "6,c3,6.00,open"];
        var second = await RunAsync(mesh, product, "day-2.csv", correction);
        var third = await RunAsync(mesh, product, "day-2-again.csv", correction);

        // Assert
        string[] expected = ["1|c1|1.00|open", "2|c1|2.00|open", "4|c2|4.00|open", "5|c2|5.00|open", "6|c3|6.00|open"];
        Assert.Equal(expected, await SnapshotRows.ReadAsync(store, product.Name, Version, second.Release!.Value, Columns));
        Assert.Equal(expected, await SnapshotRows.ReadAsync(store, product.Name, Version, third.Release!.Value, Columns));
        var manifest = await ManifestAsync(store, product, 2);
        Assert.Equal(["customer=c2", "customer=c3"], manifest.Changes!.Partitions);
        Assert.Equal((OutputMode.Partitions, 1, 2L, 1L, 0L), (manifest.Changes.Mode, manifest.Changes.BasedOn, manifest.Changes.RowsAdded, manifest.Changes.RowsReplaced, manifest.Changes.RowsRemoved));
        var kept = Assert.Single(manifest.Files, f => f.Release is not null);
        Assert.Equal((1, 2L), (kept.Release, kept.Rows));
        Assert.StartsWith("customer=c1/", kept.Path, StringComparison.Ordinal);
        Assert.Equal(5, manifest.Rows);
    }

    [Fact]
    public async Task Partitions_FourConcurrentRuns_EachReleaseBuildsOnTheOneBeforeAndNoPartitionIsLost()
    {
        // Arrange: partitions "base" and "shared" published.
        var (mesh, product) = await ProductAsync("stock-partitions-race");
        var store = Store(mesh, product);
        await RunAsync(mesh, product, "load.csv", ["1,base,1.00,open", "2,shared,2.00,open"]);

        // Act: four runs at once, each writing a partition of its own and replacing "shared".
        var results = await Task.WhenAll(Enumerable.Range(1, 4).Select(i => RunAsync(mesh, product, $"day-{i}.csv", [$"{10 + i},own{i},{i}.00,open", $"{20 + i},shared,{i}.00,open"])));

        // Assert: release r holds "base", the partition of every run published up to r (a run on a stale base would drop
        // those published meanwhile) and the "shared" partition of the run that published r, and builds on r - 1.
        Assert.Equal([2, 3, 4, 5], results.Select(r => r.Release!.Value).Order());
        var runOf = Enumerable.Range(1, 4).ToDictionary(i => results[i - 1].Release!.Value);
        for (var release = 2; release <= 5; release++)
        {
            var published = runOf.Where(r => r.Key <= release).Select(r => r.Value).ToList();
            var expected = published.Select(i => $"{10 + i}|own{i}|{i}.00|open")
                .Append("1|base|1.00|open")
                .Append($"{20 + runOf[release]}|shared|{runOf[release]}.00|open")
                .Order(StringComparer.Ordinal).ToList();
            Assert.Equal(expected, await SnapshotRows.ReadAsync(store, product.Name, Version, release, Columns));
            var changes = (await ManifestAsync(store, product, release)).Changes!;
            Assert.Equal(release - 1, changes.BasedOn);
            Assert.Equal([$"customer=own{runOf[release]}", "customer=shared"], changes.Partitions);
        }
    }

    [Fact]
    public async Task Merge_FourConcurrentRuns_NewestReleaseHoldsEveryRunsUpserts()
    {
        // Arrange: keys 1-8 published.
        var (mesh, product) = await ProductAsync("customers-merge-race");
        var store = Store(mesh, product);
        await RunAsync(mesh, product, "load.csv", Rows(1, 8));

        // Act: four runs at once, each replacing one key of the load and adding one of its own.
        var results = await Task.WhenAll(Enumerable.Range(1, 4).Select(i => RunAsync(mesh, product, $"change-{i}.csv", [$"{i},c{i % 3},{i}.99,shipped", $"{20 + i},n,{20 + i}.00,open"])));

        // Assert: every release builds on the one before it, so none loses another's upsert (a merge on a stale base
        // would bring the replaced rows back).
        Assert.Equal([2, 3, 4, 5], results.Select(r => r.Release!.Value).Order());
        var expected = Expected(5, 8)
            .Concat(Enumerable.Range(1, 4).Select(i => $"{i}|c{i % 3}|{i}.99|shipped"))
            .Concat(Enumerable.Range(21, 4).Select(i => $"{i}|n|{i}.00|open"))
            .Order(StringComparer.Ordinal).ToList();
        Assert.Equal(expected, await SnapshotRows.ReadAsync(store, product.Name, Version, 5, Columns));
        for (var release = 2; release <= 5; release++)
        {
            Assert.Equal(release - 1, (await ManifestAsync(store, product, release)).Changes!.BasedOn);
        }
    }

    [Fact]
    public async Task Merge_ThreeRuns_UpsertsDeletesAndRewritesOnlyTouchedFiles()
    {
        // Arrange
        var (mesh, product) = await ProductAsync("customers-merge");
        var store = Store(mesh, product);
        await RunAsync(mesh, product, "day-1.csv", ["1,a,1.00,open", "2,b,2.00,open", "3,c,3.00,open", "6,f,6.00,open"]);

        // Act: 2 replaced, 4 added, 3 deleted, 9 deleted but never there; then 1 replaced and 5 added.
        var second = await RunAsync(mesh, product, "day-2.csv", ["2,b,20.00,shipped", "4,d,4.00,open", "3,c,3.00,cancelled", "9,z,9.00,cancelled"]);
        var third = await RunAsync(mesh, product, "day-3.csv", ["1,a,10.00,shipped", "5,e,5.00,open"]);

        // Assert
        Assert.Equal(["1|a|1.00|open", "2|b|20.00|shipped", "4|d|4.00|open", "6|f|6.00|open"], await SnapshotRows.ReadAsync(store, product.Name, Version, second.Release!.Value, Columns));
        Assert.Equal(["1|a|10.00|shipped", "2|b|20.00|shipped", "4|d|4.00|open", "5|e|5.00|open", "6|f|6.00|open"], await SnapshotRows.ReadAsync(store, product.Name, Version, third.Release!.Value, Columns));
        var two = await ManifestAsync(store, product, 2);
        Assert.Equal((OutputMode.Merge, 1, 1L, 1L, 1L), (two.Changes!.Mode, two.Changes.BasedOn, two.Changes.RowsAdded, two.Changes.RowsReplaced, two.Changes.RowsRemoved));
        Assert.Equal([(true, 2L), (false, 2L)], two.Files.Select(f => (f.Rewritten, f.Rows)).OrderByDescending(f => f.Rewritten));
        Assert.All(two.Files, f => Assert.Null(f.Release));
        // Each file written records its key bounds (the rewrite keeps keys 1 and 6; the output's upserts are 2 and 4).
        Assert.Equal([new KeyRange("order_id", "1", "6"), new KeyRange("order_id", "2", "4")], two.Files.OrderByDescending(f => f.Rewritten).Select(f => f.Key));
        // Release 3 touches key 1 only: release 2's rewrite of release 1 is rewritten again, release 2's own file referenced.
        var three = await ManifestAsync(store, product, 3);
        Assert.Equal((1L, 1L, 0L, 2, 1), (three.Changes!.RowsAdded, three.Changes.RowsReplaced, three.Changes.RowsRemoved, three.Changes.FilesWritten, three.Changes.FilesReferenced));
        var referenced = Assert.Single(three.Files, f => f.Release is not null);
        Assert.Equal((2, false, 2L), (referenced.Release, referenced.Rewritten, referenced.Rows));
        Assert.Equal((true, 1L), three.Files.Where(f => f.Rewritten).Select(f => (f.Rewritten, f.Rows)).Single());
        Assert.Equal(5, three.Rows);
    }

    [Fact]
    public async Task Merge_RunOutputWithDuplicateKeys_QualityFailsNamingKeyAndCountPreviousSnapshotByteIdentical()
    {
        // Arrange
        var (mesh, product) = await ProductAsync("customers-merge-gate");
        var store = Store(mesh, product);
        await RunAsync(mesh, product, "day-1.csv", ["1,a,1.00,open", "2,b,2.00,open"]);
        var before = await ManifestBytesAsync(store, product, 1);

        // Act: key 2 three times, key 3 twice.
        var failed = await RunAsync(mesh, product, "day-2.csv", ["2,b,2.00,open", "2,b,3.00,open", "2,b,4.00,open", "3,c,1.00,open", "3,c,2.00,open", "4,d,1.00,open"], expect: PipelineStatus.QualityFailed);

        // Assert
        Assert.Contains("output.key(order_id)", failed.Error, StringComparison.Ordinal);
        Assert.Contains("measured 3 rows", failed.Error, StringComparison.Ordinal);
        Assert.NotEmpty(failed.Quarantined);
        Assert.Equal([1], await store.ListReleasesAsync(product.Name, Version));
        Assert.Equal(before, await ManifestBytesAsync(store, product, 1));
    }

    [Fact]
    public async Task Replace_TwoRuns_ManifestRecordsFileRowsAndChanges()
    {
        // Arrange
        var (mesh, product) = await ProductAsync("orders-replace");
        var store = Store(mesh, product);
        await mesh.RunAsync(product.Id, [product.WriteOrders("orders-1.csv", rows: 40)]);

        // Act
        var second = await mesh.RunAsync(product.Id, [product.WriteOrders("orders-2.csv", rows: 20, idOffset: 100)]);

        // Assert
        var manifest = await ManifestAsync(store, product, second.Release!.Value);
        var file = Assert.Single(manifest.Files);
        Assert.Equal((TestProduct.ExpectedRows(20), (int?)null), (file.Rows, file.Release));
        Assert.Equal(TestProduct.ExpectedRows(20), manifest.Rows);
        Assert.Equal(new ReleaseChanges { Mode = OutputMode.Replace, RowsAdded = TestProduct.ExpectedRows(20), RowsRemoved = TestProduct.ExpectedRows(40), FilesWritten = 1 }, manifest.Changes! with { Partitions = [] });
    }

    [Fact]
    public async Task Replace_TwoRuns_EachReleaseHoldsExactlyItsOwnRunsRows()
    {
        // Arrange
        var (mesh, product) = await ProductAsync("ledger-replace");
        var store = Store(mesh, product);
        var first = await RunAsync(mesh, product, "day-1.csv", Rows(1, 6));

        // Act: the second run brings other orders and one of the first run's, changed.
        var second = await RunAsync(mesh, product, "day-2.csv", ["4,c1,40.00,shipped", .. Rows(7, 9)]);

        // Assert: row sets, not counts: release 2 is the second run's output alone, release 1 still reads as published.
        Assert.Equal((1, 2), (first.Release, second.Release));
        Assert.Equal(Expected(1, 6), await SnapshotRows.ReadAsync(store, product.Name, Version, 1, Columns));
        Assert.Equal(["4|c1|40.00|shipped", .. Expected(7, 9)], await SnapshotRows.ReadAsync(store, product.Name, Version, 2, Columns));
        var manifest = await ManifestAsync(store, product, 2);
        Assert.Equal((OutputMode.Replace, (int?)null, 4L, 6L), (manifest.Changes!.Mode, manifest.Changes.BasedOn, manifest.Changes.RowsAdded, manifest.Changes.RowsRemoved));
        Assert.All(manifest.Files, f => Assert.Null(f.Release));
    }

    [Theory]
    [InlineData(PipelineFaults.BeforeManifest, "partitions, partitionBy: [customer]", new[] { 2, 3, 5, 6, 7 }, 1)]
    [InlineData(PipelineFaults.AfterManifest, "partitions, partitionBy: [customer]", new[] { 2, 3, 5, 6, 7 }, 1)]
    [InlineData(PipelineFaults.BeforeManifest, "replace", new[] { 7 }, null)]
    [InlineData(PipelineFaults.AfterManifest, "replace", new[] { 7 }, null)]
    public async Task Publish_FailsAfterItsWorkAndIsRetried_SameSnapshotOneRelease_PartitionsAndReplace(string point, string mode, int[] expectedIds, int? basedOn)
    {
        // Arrange: the second run's publish fails once at the point; its order 7 is in partition c1 (orders 1 and 4 were).
        using var product = new TestProduct("retry" + Guid.NewGuid().ToString("N")[..6], "stock", Sql, PartitionContract, output: $"{{ contract: contract.odcs.yaml, mode: {mode} }}");
        var fault = new OnceArmedFault(point);
        await using var mesh = await product.StartMeshAsync(azurite, o =>
        {
            o.Namespace = AzuriteFixture.CreateNamespace();
            o.Pipeline.Faults = fault.Faults;
        });
        var store = Store(mesh, product);
        await RunAsync(mesh, product, "day-1.csv", Rows(1, 6));
        fault.Arm();

        // Act
        var second = await RunAsync(mesh, product, "day-2.csv", Rows(7, 7));

        // Assert: one release 2, holding exactly the snapshot an unfailed publish gives.
        var expected = expectedIds.Select(i => $"{i}|c{i % 3}|{i}.50|open").Order(StringComparer.Ordinal).ToList();
        Assert.Single(fault.Faulted);
        Assert.Equal((2, (long)expected.Count), (second.Release, second.Rows));
        Assert.Equal([1, 2], await store.ListReleasesAsync(product.Name, Version));
        Assert.Equal(expected, await SnapshotRows.ReadAsync(store, product.Name, Version, 2, Columns));
        Assert.Equal(Expected(1, 6), await SnapshotRows.ReadAsync(store, product.Name, Version, 1, Columns));
        Assert.Equal(basedOn, (await ManifestAsync(store, product, 2)).Changes!.BasedOn);
    }

    [Theory]
    [InlineData(PipelineFaults.BeforeManifest, "append")]
    [InlineData(PipelineFaults.AfterManifest, "append")]
    [InlineData(PipelineFaults.BeforeManifest, "merge, key: [order_id]")]
    [InlineData(PipelineFaults.AfterManifest, "merge, key: [order_id]")]
    public async Task Publish_FailsAfterItsWorkAndIsRetried_SameSnapshotOneRelease(string point, string mode)
    {
        // Arrange: the second run's publish fails once at the point (after its uploads, or after its manifest).
        using var product = new TestProduct("retry" + Guid.NewGuid().ToString("N")[..6], "ledger", Sql, AppendContract, output: $"{{ contract: contract.odcs.yaml, mode: {mode} }}");
        var fault = new OnceArmedFault(point);
        await using var mesh = await product.StartMeshAsync(azurite, o =>
        {
            o.Namespace = AzuriteFixture.CreateNamespace();
            o.Pipeline.Faults = fault.Faults;
        });
        var store = Store(mesh, product);
        await RunAsync(mesh, product, "day-1.csv", Rows(1, 6));
        fault.Arm();

        // Act
        var second = await RunAsync(mesh, product, "day-2.csv", Rows(7, 9));

        // Assert
        Assert.Single(fault.Faulted);
        Assert.Equal(2, second.Release);
        Assert.Equal([1, 2], await store.ListReleasesAsync(product.Name, Version));
        Assert.Equal(Expected(1, 9), await SnapshotRows.ReadAsync(store, product.Name, Version, 2, Columns));
        Assert.Equal(1, (await ManifestAsync(store, product, 2)).Changes!.BasedOn);
    }

    [Fact]
    public async Task Append_NewMinorVersionWithTheSameSchema_BuildsOnTheEarlierVersionsNewestRelease()
    {
        // Arrange: 1.0.0 has release 1; the product then moves to 1.1.0 with the same contract.
        using var product = new TestProduct("minor" + Guid.NewGuid().ToString("N")[..6], "ledger", Sql, AppendContract, output: "{ contract: contract.odcs.yaml, mode: append }");
        var ns = AzuriteFixture.CreateNamespace();
        await using (var first = await product.StartMeshAsync(azurite, o => o.Namespace = ns))
        {
            await RunAsync(first, product, "day-1.csv", Rows(1, 6));
        }

        foreach (var file in new[] { "product.yaml", "contract.odcs.yaml" })
        {
            var path = Path.Combine(product.Directory, file);
            await File.WriteAllTextAsync(path, (await File.ReadAllTextAsync(path)).Replace("version: 1.0.0", "version: 1.1.0", StringComparison.Ordinal));
        }

        // Act
        await using var mesh = await product.StartMeshAsync(azurite, o => o.Namespace = ns);
        var result = await RunAsync(mesh, product, "day-2.csv", Rows(7, 8));

        // Assert: release 1 of 1.1.0 references 1.0.0's file and holds every row.
        Assert.Equal((1, "1.1.0"), (result.Release, result.Version));
        var store = Store(mesh, product);
        Assert.Equal(Expected(1, 8), await SnapshotRows.ReadAsync(store, product.Name, "1.1.0", 1, Columns));
        var manifest = (await store.ReadManifestAsync(ReleaseStore.Folder(product.Name, "1.1.0", 1)))!;
        Assert.Equal((1, "1.0.0"), (manifest.Changes!.BasedOn, manifest.Changes.BasedOnVersion));
        Assert.Contains(manifest.Files, f => (f.Release, f.Version) == (1, "1.0.0"));
    }

    /// <remarks>
    /// One product through its life: two append releases, then (its <c>product.yaml</c> switched to merge) an upsert with a
    /// delete, a compaction of that snapshot, and retention keeping two releases. Each release's rows are read as the
    /// release is published; at the end <c>datamesh query ID@VERSION#RELEASE</c> (the readers' path: deletion files,
    /// references into earlier folders, expiry) must give those very rows for every retained release and refuse each
    /// expired one naming the rule.
    /// </remarks>
    [Fact]
    public async Task TimeTravel_AppendMergeCompactionRetention_RetainedReleasesReadAsPublishedExpiredOnesRefused()
    {
        // Arrange
        using var product = new TestProduct("chain" + Guid.NewGuid().ToString("N")[..6], "ledger", Sql, MergeContract, output: "{ contract: contract.odcs.yaml, mode: append, retention: { releases: 2 } }");
        var store = default(ReleaseStore)!;
        var published = new Dictionary<int, IReadOnlyList<string>>();
        await using (var mesh = await product.StartMeshAsync(azurite))
        {
            store = Store(mesh, product);
            await RunAsync(mesh, product, "day-1.csv", Rows(1, 6));
            published[1] = await SnapshotRows.ReadAsync(store, product.Name, Version, 1, Columns);
            await RunAsync(mesh, product, "day-2.csv", Rows(7, 8));
            published[2] = await SnapshotRows.ReadAsync(store, product.Name, Version, 2, Columns);
        }

        var spec = Path.Combine(product.Directory, "product.yaml");
        await File.WriteAllTextAsync(spec, (await File.ReadAllTextAsync(spec)).Replace("mode: append", "mode: merge, key: [order_id], deleteWhen: \"status = 'cancelled'\"", StringComparison.Ordinal));
        List<string> merged = [.. Expected(1, 8).Where(r => !r.StartsWith("2|", StringComparison.Ordinal) && !r.StartsWith("3|", StringComparison.Ordinal)), "2|c2|20.00|shipped", "9|c0|9.50|open"];
        merged.Sort(StringComparer.Ordinal);

        // Act
        await using (var mesh = await product.StartMeshAsync(azurite))
        {
            var third = await RunAsync(mesh, product, "day-3.csv", ["2,c2,20.00,shipped", "3,c0,3.50,cancelled", "9,c0,9.50,open"]);
            Assert.Equal(3, third.Release);
            published[3] = await SnapshotRows.ReadAsync(store, product.Name, Version, 3, Columns);
            var compacted = await new ReleaseCompactor(mesh.Storage, new ReleaseCompactionOptions { MinSmallFiles = 2, WorkDirectory = product.Root })
                .CompactAsync(product.Domain, product.Name, Version, OutputMode.Merge, "order_id");
            Assert.True(compacted.Status == CompactionStatus.Compacted, $"{compacted.Status}, {compacted.FilesBefore} file(s) before");
            Assert.Equal(4, compacted.Release);
            published[4] = await SnapshotRows.ReadAsync(store, product.Name, Version, 4, Columns);
            var (retention, _) = await mesh.MaintainReleasesAsync();
            Assert.Equal(["1.0.0#1", "1.0.0#2"], retention.Single(r => r.ProductId == product.Id).Expired.Order(StringComparer.Ordinal));
        }

        var reads = new Dictionary<int, CliRunner.CliResult>();
        foreach (var release in new[] { 1, 2, 3, 4 })
        {
            reads[release] = await CliRunner.RunAsync(product.Root, azurite.CliEnvironment(Path.Combine(product.Root, ".datamesh")),
                "query", $"{product.Id}@{Version}#{release}", $"SELECT concat_ws('|', {Columns}) AS r FROM ledger ORDER BY r", "--format", "csv");
        }

        // Assert: each release held the snapshot of its step when published (the compaction the same rows as its base) ...
        Assert.Equal(Expected(1, 6), published[1]);
        Assert.Equal(Expected(1, 8), published[2]);
        Assert.Equal(merged, published[3]);
        Assert.Equal(merged, published[4]);
        var merge = (await ManifestAsync(store, product, 3)).Changes!;
        Assert.Equal((OutputMode.Merge, (int?)2, 1L, 1L, 1L), (merge.Mode, merge.BasedOn, merge.RowsAdded, merge.RowsReplaced, merge.RowsRemoved));
        Assert.True((await ManifestAsync(store, product, 4)).Files.Count < (await ManifestAsync(store, product, 3)).Files.Count, "the compaction wrote no fewer files");

        // ... the retained ones read back exactly so after the compaction and retention, the expired ones are refused naming the rule.
        foreach (var release in new[] { 3, 4 })
        {
            Assert.True(reads[release].ExitCode == 0, reads[release].StdErr);
            Assert.Equal(["r", .. published[release]], reads[release].StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        }

        foreach (var release in new[] { 1, 2 })
        {
            Assert.True(reads[release].ExitCode == 1, $"#{release}: exit {reads[release].ExitCode} {reads[release].StdOut}{reads[release].StdErr}");
            Assert.Contains($"{product.Id} 1.0.0#{release} has expired", reads[release].StdErr, StringComparison.Ordinal);
            Assert.Contains("output.retention { releases: 2 }", reads[release].StdErr, StringComparison.Ordinal);
        }
    }

    private async Task<(LocalMesh Mesh, TestProduct Product)> ProductAsync(string name)
    {
        var mesh = await Mesh.GetAsync(azurite);
        return (mesh, Mesh.Products.Single(p => p.Name == name));
    }

    private static ReleaseStore Store(LocalMesh mesh, TestProduct product) => new(mesh.Storage.Products(product.Domain));

    /// <summary>A fault thrown at <paramref name="point"/> once per run, and only once armed (<see cref="Arm"/>): the runs before it publish untouched.</summary>
    private sealed class OnceArmedFault(string point)
    {
        private int _armed;

        /// <summary>The runs the fault was thrown in.</summary>
        public ConcurrentDictionary<string, int> Faulted { get; } = new();

        public PipelineFaults Faults => new((at, runId) =>
            at == point && Volatile.Read(ref _armed) == 1 && Faulted.TryAdd(runId, 1)
                ? throw new InvalidOperationException($"injected fault at {at}")
                : Task.CompletedTask);

        public void Arm() => Volatile.Write(ref _armed, 1);
    }

    private static async Task<PipelineResult> RunAsync(LocalMesh mesh, TestProduct product, string fileName, IEnumerable<string> rows, PipelineStatus expect = PipelineStatus.Published)
    {
        var path = Path.Combine(product.Root, fileName);
        await File.WriteAllTextAsync(path, "order_id,customer,amount,status\n" + string.Concat(rows.Select(r => r + "\n")));
        var result = await mesh.RunAsync(product.Id, [path], TimeSpan.FromMinutes(5));
        Assert.True(result.Status == expect, $"{fileName}: {result.Status} {result.Error}");
        return result;
    }

    /// <summary>CSV rows of orders <paramref name="from"/> to <paramref name="to"/>.</summary>
    private static IEnumerable<string> Rows(int from, int to) =>
        Enumerable.Range(from, to - from + 1).Select(i => $"{i},c{i % 3},{i}.50,open");

    /// <summary>The snapshot lines <see cref="SnapshotRows"/> reads for <see cref="Rows"/>, sorted.</summary>
    private static List<string> Expected(int from, int to) =>
        Enumerable.Range(from, to - from + 1).Select(i => $"{i}|c{i % 3}|{i}.50|open").Order(StringComparer.Ordinal).ToList();

    private static async Task<ReleaseManifest> ManifestAsync(ReleaseStore store, TestProduct product, int release) =>
        await store.ReadManifestAsync(ReleaseStore.Folder(product.Name, Version, release)) ?? throw new InvalidOperationException($"no manifest for release {release}");

    private static async Task<byte[]> ManifestBytesAsync(ReleaseStore store, TestProduct product, int release) =>
        (await store.Container.GetBlobClient(ReleaseStore.Folder(product.Name, Version, release) + ReleaseStore.ManifestName).DownloadContentAsync()).Value.Content.ToArray();
}
