using System.Text.Json;
using DataMesh.Catalog;
using DataMesh.Consumption;
using DataMesh.Pipeline;
using DataMesh.Quarantine;
using DataMesh.Testing;

namespace DataMesh.EndToEnd.Tests;

/// <summary>
/// Issue 19 item 2: a product rerun on purpose (no <c>--input</c>) after its SQL is fixed, a quarantined file replayed
/// after its contract is fixed, the quarantine listed and shown by the CLI, and served by the catalog API with its
/// reasons redacted and its access rules applied.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class RerunReplayTests(AzuriteFixture azurite) : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("dm-rerun-").FullName;
    private readonly List<TestProduct> _products = [];

    public void Dispose()
    {
        _products.ForEach(p => p.Dispose());
        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task RunCli_ConsumerWithoutInputAfterItsSqlIsFixed_PublishesANewReleaseUnderANewRunId()
    {
        // Arrange: an upstream publishes; its consumer's SQL writes a status its contract refuses, so its rebuild fails.
        var domain = "rr" + Guid.NewGuid().ToString("N")[..6];
        var upstream = Place(new TestProduct(domain, "orders"));
        var consumer = Place(new TestProduct(domain, "open-orders",
            sql: "SELECT order_id, customer, amount, 'bogus' AS status FROM orders",
            inputs: $"  - name: orders\n    product: {upstream.Id}\n    versions: ^1"));
        var dropped = await CliAsync("drop", upstream.Id, upstream.WriteOrders("orders-1.csv", rows: 20));
        Assert.True(dropped.StdOut.Contains("QualityFailed", StringComparison.Ordinal), dropped.StdOut + dropped.StdErr);
        File.WriteAllText(Path.Combine(_root, "pipelines", domain, "open-orders", "transform.sql"), "SELECT order_id, customer, amount, status FROM orders");

        // Act
        var rerun = await CliAsync("run", consumer.Id);

        // Assert: published from the upstream's current release, as a new run that says it is one.
        Assert.True(rerun.ExitCode == 0, rerun.StdOut + rerun.StdErr);
        Assert.Contains("Published", rerun.StdOut, StringComparison.Ordinal);
        Assert.Contains($"Rerun of {consumer.Id}: a new run {consumer.Id}-rerun-", rerun.StdErr, StringComparison.Ordinal);
        Assert.Contains("its current upstream releases", rerun.StdErr, StringComparison.Ordinal);
        var shown = await CliAsync("catalog", "show", consumer.Id, "--json");
        using var catalog = JsonDocument.Parse(shown.StdOut);
        var release = Assert.Single(catalog.RootElement.GetProperty("releases").EnumerateArray());
        Assert.Equal(TestProduct.ExpectedRows(20), release.GetProperty("rows").GetInt64());
        Assert.Contains(catalog.RootElement.GetProperty("runs").EnumerateArray(), r => r.GetProperty("runId").GetString()!.StartsWith(consumer.Id + "-rerun-", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Rerun_ProductWithLandingInput_RebuildsFromItsNewestReleasesArchivedInputsIntoANewRelease()
    {
        // Arrange
        var product = Track(new TestProduct("rr" + Guid.NewGuid().ToString("N")[..6]));
        await using var mesh = await product.StartMeshAsync(azurite, o => o.Namespace = AzuriteFixture.CreateNamespace());
        var first = await mesh.RunAsync(product.Id, [product.WriteOrders("orders-1.csv", rows: 20)]);
        Assert.True(first.Status == PipelineStatus.Published, first.Error);

        // Act
        var (request, reads, result) = await mesh.RerunAsync(product.Id);

        // Assert: the archived file of release 1, read again, into release 2 under a run id of its own.
        Assert.True(result.Status == PipelineStatus.Published, result.Error);
        Assert.Equal((2, first.Rows), (result.Release, result.Rows));
        Assert.Equal(["orders/orders-1.csv"], request.ArchivedBlobs);
        Assert.Equal(RerunPlanner.Trigger, request.Trigger);
        Assert.NotEqual(first.RunId, result.RunId);
        Assert.Contains("archived input(s) of release 1.0.0#1", reads, StringComparison.Ordinal);
    }

    [Fact]
    public async Task QuarantineCli_ListShowReplay_FailsAgainBackInQuarantineThenPublishesOnceTheContractIsFixed()
    {
        // Arrange: a status the contract does not list fails the quality gate; the file is quarantined.
        var product = Place(new TestProduct("rq" + Guid.NewGuid().ToString("N")[..6]));
        var dropped = await CliAsync("drop", product.Id, product.WriteOrders("orders-1.csv", rows: 20, "9001,customer-x,1.00,pending"));
        Assert.True(dropped.ExitCode == 1, dropped.StdOut + dropped.StdErr);

        // Act 1: list and show.
        var list = await CliAsync("quarantine", "list", product.Id);
        var show = await CliAsync("quarantine", "show", "orders/orders-1.csv");

        // Assert 1: file, product, when, stage and reason; the record rendered with its failed rule.
        Assert.True(list.ExitCode == 0, list.StdOut + list.StdErr);
        Assert.Contains($"orders/orders-1.csv  {product.Id}  {DateTimeOffset.UtcNow:yyyy-MM-dd}", list.StdOut, StringComparison.Ordinal);
        Assert.Contains("stage quality", list.StdOut, StringComparison.Ordinal);
        Assert.Contains("reason: ", list.StdOut, StringComparison.Ordinal);
        Assert.True(show.ExitCode == 0, show.StdOut + show.StdErr);
        Assert.Contains($"product:     {product.Id} 1.0.0", show.StdOut, StringComparison.Ordinal);
        Assert.Contains("stage:       quality", show.StdOut, StringComparison.Ordinal);
        Assert.Contains("failed rule: status", show.StdOut, StringComparison.Ordinal);
        Assert.Contains("replay:      datamesh quarantine replay orders/orders-1.csv", show.StdOut, StringComparison.Ordinal);

        // Act 2: replay before anything is fixed: it fails again and goes back, with the new run's reason.
        var again = await CliAsync("quarantine", "replay", "orders/orders-1.csv");
        var after = await CliAsync("quarantine", "show", "orders/orders-1.csv", "--json");

        // Assert 2
        Assert.True(again.ExitCode == 1, again.StdOut + again.StdErr);
        Assert.Contains("back in quarantine with the new reason", again.StdErr, StringComparison.Ordinal);
        using (var record = JsonDocument.Parse(after.StdOut))
        {
            Assert.StartsWith(product.Id + "-replay-", record.RootElement.GetProperty("runId").GetString(), StringComparison.Ordinal);
        }

        // Act 3: the contract now lists the status; the replay publishes the file.
        var contract = Path.Combine(_root, "pipelines", product.Domain, product.Name, "contract.odcs.yaml");
        File.WriteAllText(contract, File.ReadAllText(contract).Replace("validValues: [open, shipped]", "validValues: [open, shipped, pending]", StringComparison.Ordinal));
        var replay = await CliAsync("quarantine", "replay", "--product", product.Id);
        var empty = await CliAsync("quarantine", "list", product.Id);

        // Assert 3
        Assert.True(replay.ExitCode == 0, replay.StdOut + replay.StdErr);
        Assert.Contains("Published", replay.StdOut, StringComparison.Ordinal);
        Assert.Contains($"Replayed orders/orders-1.csv: moved back to landing as orders/orders-1.csv, a new run {product.Id}-replay-", replay.StdErr, StringComparison.Ordinal);
        Assert.Contains($"Nothing of {product.Id} is quarantined.", empty.StdOut, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CatalogApi_QuarantineOfARestrictedProductWithClassifiedColumns_RefusesAnonymousAndRedactsReasonsForReaders()
    {
        // Arrange: a restricted product with a confidential column; one file refused at ingest, and one record written
        // before error texts were redacted (it quotes the raw value).
        const string contract = """
            apiVersion: v3.1.0
            kind: DataContract
            id: urn:test:salaries
            version: 1.0.0
            schema:
              - name: salaries
                properties:
                  - { name: id, logicalType: integer, required: true, unique: true }
                  - { name: salary, physicalType: "decimal(18,2)", classification: confidential }
                quality:
                  - { metric: rowCount, mustBeGreaterThan: 0 }
            """;
        var product = Track(new TestProduct("rs" + Guid.NewGuid().ToString("N")[..6], "salaries", "SELECT id, salary FROM staff", contract,
            "  - name: staff\n    landing: { path: staff/, format: csv }\n    columns:\n      - { name: id, type: integer, required: true }\n      - { name: salary, type: \"decimal(18,2)\" }"));
        var spec = Path.Combine(product.Directory, "product.yaml");
        File.WriteAllText(spec, File.ReadAllText(spec).Replace("visibility: public", "visibility: restricted", StringComparison.Ordinal));
        await using var mesh = await product.StartMeshAsync(azurite, o => o.Namespace = AzuriteFixture.CreateNamespace());
        var file = Path.Combine(product.Root, "staff.csv");
        File.WriteAllText(file, "id,salary\n1,5000.00\n2,\"6.304,65\"\n");
        var failed = await mesh.RunAsync(product.Id, [file]);
        Assert.Equal(PipelineStatus.Failed, failed.Status);
        var quarantine = mesh.Storage.Quarantine(product.Domain);
        await quarantine.GetBlobClient("staff/old.csv").UploadAsync(BinaryData.FromString("id,salary\n3,\"7.777,77\"\n"));
        await quarantine.GetBlobClient("staff/old.csv" + QuarantineClient.ErrorSuffix).UploadAsync(BinaryData.FromObjectAsJson(new
        {
            product = product.Id, version = "1.0.0", runId = "old-run", blob = "staff/old.csv", stage = "ingest",
            reason = "Conversion Error: Could not convert string \"7.777,77\" to DECIMAL(18,2)", quarantinedAt = DateTimeOffset.UtcNow.AddDays(-1),
        }));
        var api = new CatalogHttpApi(mesh.Catalog, quarantine: mesh.Quarantine);
        var path = $"/api/products/{product.Id}/quarantine";

        // Act
        var anonymous = await api.HandleAsync("GET", path, "", DataReader.Anonymous);
        var reader = await api.HandleAsync("GET", path, "", DataReader.Operator);

        // Assert: anonymous gets what the runs route gives it (403); a reader gets both files, no value in clear.
        Assert.Equal(403, anonymous.StatusCode);
        Assert.DoesNotContain("staff.csv", anonymous.Body, StringComparison.Ordinal);
        Assert.True(reader.StatusCode == 200, reader.Body);
        using var body = JsonDocument.Parse(reader.Body);
        var items = body.RootElement.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(["staff/staff.csv", "staff/old.csv"], items.Select(i => i.GetProperty("file").GetString()));
        Assert.All(items, i => Assert.Equal("ingest", i.GetProperty("stage").GetString()));
        Assert.All(items, i => Assert.Contains(ErrorRedaction.Marker, i.GetProperty("reason").GetString(), StringComparison.Ordinal));
        Assert.DoesNotContain("6.304", reader.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("7.777", reader.Body, StringComparison.Ordinal);
    }

    /// <summary>Moves a test product's folder into this test's mesh (<c>pipelines/&lt;domain&gt;/&lt;name&gt;</c>).</summary>
    private TestProduct Place(TestProduct product)
    {
        Track(product);
        var target = Path.Combine(_root, "pipelines", product.Domain, product.Name);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        Directory.Move(product.Directory, target);
        return product;
    }

    private TestProduct Track(TestProduct product)
    {
        _products.Add(product);
        return product;
    }

    private Task<CliRunner.CliResult> CliAsync(params string[] args) =>
        CliRunner.RunAsync(_root, azurite.CliEnvironment(Path.Combine(_root, ".datamesh")), args);
}
