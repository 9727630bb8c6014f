using System.IO.Compression;
using System.Text;
using DataMesh.Local;
using DataMesh.Pipeline;
using DataMesh.Publishing;
using DataMesh.Testing;
using DuckDB.NET.Data;

namespace DataMesh.EndToEnd.Tests;

/// <summary>The engine stage by stage: input formats and options, batches, drift, warnings, masking, partitions.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class EngineTests(AzuriteFixture azurite)
{
    private const string PassThroughContract = """
        apiVersion: v3.1.0
        kind: DataContract
        id: urn:test:events
        version: 1.0.0
        schema:
          - name: events
            properties:
              - { name: id, logicalType: integer, required: true, unique: true }
              - { name: label, logicalType: string }
            quality:
              - { metric: rowCount, mustBeGreaterThan: 0 }
        """;

    private const string OptionsContract = """
        apiVersion: v3.1.0
        kind: DataContract
        id: urn:test:events-options
        version: 1.0.0
        schema:
          - name: events
            properties:
              - { name: id, logicalType: integer, required: true, unique: true }
              - { name: label, logicalType: string }
              - { name: happened_on, physicalType: date }
              - { name: seen_at, physicalType: timestamp }
            quality:
              - { metric: rowCount, mustBe: 3 }
        """;

    internal const string MaskedContract = """
        apiVersion: v3.1.0
        kind: DataContract
        id: urn:test:people
        version: 1.0.0
        schema:
          - name: people
            properties:
              - { name: id, logicalType: integer, required: true, unique: true }
              - name: email
                logicalType: string
                classification: pii
                customProperties: [{ property: masking, value: hash }]
              - name: full_name
                logicalType: string
                classification: pii
                customProperties: [{ property: masking, value: redact }]
              - name: born_on
                logicalType: date
                classification: pii
                customProperties: [{ property: masking, value: truncate }]
              - name: team
                logicalType: string
                quality:
                  - metric: invalidValues
                    arguments: { validValues: [red, blue] }
                    mustBeLessThan: 2
                    severity: warning
        """;

    private static readonly SharedMesh Mesh = new(domain =>
    [
        new TestProduct(domain, "events-json", "SELECT id, label FROM events", PassThroughContract,
            inputs: "  - name: events\n    landing: { path: json/, format: json }\n    columns:\n      - { name: id, type: integer, required: true }\n      - { name: label, type: varchar }"),
        new TestProduct(domain, "events-ndjson", "SELECT id, label FROM events", PassThroughContract,
            inputs: "  - name: events\n    landing: { path: ndjson/, format: ndjson }"),
        new TestProduct(domain, "events-parquet", "SELECT id, label FROM events", PassThroughContract,
            inputs: "  - name: events\n    landing: { path: parquet/, format: parquet }"),
        new TestProduct(domain, "events-latin1", "SELECT id, label FROM events", PassThroughContract,
            inputs: "  - name: events\n    landing: { path: latin1/, format: csv, delimiter: \"|\", encoding: latin-1 }\n    columns:\n      - { name: id, type: integer, required: true }\n      - { name: label, type: varchar }"),
        new TestProduct(domain, "people", "SELECT id, email, full_name, born_on, team FROM people", MaskedContract,
            inputs: "  - name: people\n    landing: { path: people/, format: csv }\n    columns:\n      - { name: id, type: integer, required: true }\n      - { name: email, type: varchar }\n      - { name: full_name, type: varchar }\n      - { name: born_on, type: date }\n      - { name: team, type: varchar }"),
        new TestProduct(domain, "events-options", "SELECT id, label, happened_on, seen_at FROM events", OptionsContract,
            inputs: "  - name: events\n    landing: { path: options/, format: csv, delimiter: \";\", quote: \"'\", escape: \"'\", nullstr: NA, skip: 1, dateformat: \"%d/%m/%Y\", timestampformat: \"%d/%m/%Y %H:%M\" }\n    columns:\n      - { name: id, type: integer, required: true }\n      - { name: label, type: varchar }\n      - { name: happened_on, type: date }\n      - { name: seen_at, type: timestamp }"),
        new TestProduct(domain, "events-headerless", "SELECT column0 AS id, column1 AS label FROM events", PassThroughContract,
            inputs: "  - name: events\n    landing: { path: headerless/, format: csv, header: false }"),
        new TestProduct(domain, "orders-by-status", output: "{ contract: contract.odcs.yaml, partitionBy: [status] }"),
        new TestProduct(domain),
    ]);

    [Fact]
    public async Task Run_JsonArrayWithDeclaredColumns_Publishes()
    {
        var (mesh, product) = await ProductAsync("events-json");
        var file = Write(product, "events.json", """[{"id": 1, "label": "a"}, {"id": 2, "label": "b"}, {"id": 3, "label": null}]""");

        var result = await mesh.RunAsync(product.Id, [file]);

        Assert.Equal(PipelineStatus.Published, result.Status);
        Assert.Equal(3, result.Rows);
    }

    [Fact]
    public async Task Run_CsvDialectOptions_AppliesDelimiterQuoteNullSkipAndDateFormats()
    {
        var (mesh, product) = await ProductAsync("events-options");
        var file = Write(product, "events.csv",
            "exported by WMS 7.2\nid;label;happened_on;seen_at\n1;'semi;colon';24/11/2026;24/11/2026 08:15\n2;NA;25/11/2026;NA\n3;'it''s';26/11/2026;26/11/2026 23:59\n");

        var result = await mesh.RunAsync(product.Id, [file]);

        Assert.True(result.Status == PipelineStatus.Published, result.Error);
        var products = mesh.Storage.Products(product.Domain);
        var release = result.Release!.Value;
        Assert.Equal(1, await ReleaseReader.CountRowsAsync(products, product.Name, "1.0.0", release, "label = 'semi;colon' AND happened_on = DATE '2026-11-24' AND seen_at = TIMESTAMP '2026-11-24 08:15:00'"));
        Assert.Equal(1, await ReleaseReader.CountRowsAsync(products, product.Name, "1.0.0", release, "id = 2 AND label IS NULL AND seen_at IS NULL"));
        Assert.Equal(1, await ReleaseReader.CountRowsAsync(products, product.Name, "1.0.0", release, "label = 'it''s'"));
    }

    [Fact]
    public async Task Run_CsvQuotingAFieldOnlyPastTheSniffedSample_ReadsItAsOneField()
    {
        // DuckDB sniffs the first 20,480 rows: none of them quotes anything, row 29,000 quotes a comma.
        var (mesh, product) = await ProductAsync("orders-clean");
        var rows = string.Concat(Enumerable.Range(1, 30_000).Select(i => i == 29_000 ? $"{i},\"Smith, John\",{i}.00,open\n" : $"{i},c{i},{i}.00,open\n"));
        var file = Write(product, "orders-late-quote.csv", "order_id,customer,amount,status\n" + rows);

        var result = await mesh.RunAsync(product.Id, [file]);

        Assert.True(result.Status == PipelineStatus.Published, result.Error);
        Assert.Equal(30_000, result.Rows);
        Assert.Equal(1, await ReleaseReader.CountRowsAsync(mesh.Storage.Products(product.Domain), product.Name, "1.0.0", result.Release!.Value, "customer = 'Smith, John' AND order_id = 29000"));
    }

    [Fact]
    public async Task Run_CsvWithoutHeader_ReadsEveryLineAsData()
    {
        var (mesh, product) = await ProductAsync("events-headerless");
        var file = Write(product, "events.csv", "1,a\n2,b\n3,c\n");

        var result = await mesh.RunAsync(product.Id, [file]);

        Assert.True(result.Status == PipelineStatus.Published, result.Error);
        Assert.Equal(3, result.Rows);
    }

    [Fact]
    public async Task Run_NdjsonUndeclared_PublishesAndSaysItWasAutoDetected()
    {
        var (mesh, product) = await ProductAsync("events-ndjson");
        var file = Write(product, "events.ndjson", "{\"id\": 1, \"label\": \"a\"}\n{\"id\": 2, \"label\": \"b\"}\n");

        var result = await mesh.RunAsync(product.Id, [file]);

        Assert.Equal(PipelineStatus.Published, result.Status);
        Assert.Equal(2, result.Rows);
        Assert.True(Assert.Single(result.Inputs).AutoDetected);
    }

    [Fact]
    public async Task Run_ParquetInput_Publishes()
    {
        var (mesh, product) = await ProductAsync("events-parquet");
        var file = Path.Combine(product.Root, "events.parquet");
        using (var connection = new DuckDBConnection("DataSource=:memory:"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = $"COPY (SELECT i::INTEGER AS id, 'label-' || i AS label FROM range(1, 501) t(i)) TO '{file}' (FORMAT parquet)";
            command.ExecuteNonQuery();
        }

        var result = await mesh.RunAsync(product.Id, [file]);

        Assert.Equal(PipelineStatus.Published, result.Status);
        Assert.Equal(500, result.Rows);
    }

    [Fact]
    public async Task Run_Latin1CsvWithPipeDelimiter_ReadsAccentsRight()
    {
        var (mesh, product) = await ProductAsync("events-latin1");
        var file = Path.Combine(product.Root, "events.csv");
        await File.WriteAllBytesAsync(file, Encoding.Latin1.GetBytes("id|label\n1|café\n2|crème brûlée\n"));

        var result = await mesh.RunAsync(product.Id, [file]);

        Assert.Equal(PipelineStatus.Published, result.Status);
        Assert.Equal(1, await ReleaseReader.CountRowsAsync(mesh.Storage.Products(product.Domain), product.Name, "1.0.0", result.Release!.Value, "label = 'crème brûlée'"));
    }

    [Fact]
    public async Task Run_GzipCsvAndPlainCsvInOneBatch_ReadsBothFiles()
    {
        var (mesh, product) = await ProductAsync("orders-clean");
        var plain = product.WriteOrders("batch-a.csv", rows: 30);
        var gz = Path.Combine(product.Root, "batch-b.csv.gz");
        await using (var target = File.Create(gz))
        await using (var gzip = new GZipStream(target, CompressionLevel.Fastest))
        await using (var source = File.OpenRead(product.WriteOrders("batch-b.csv", rows: 40, idOffset: 1000)))
        {
            await source.CopyToAsync(gzip);
        }

        var result = await mesh.RunAsync(product.Id, [plain, gz]);

        Assert.True(result.Status == PipelineStatus.Published, result.Error);
        Assert.Equal(TestProduct.ExpectedRows(30) + TestProduct.ExpectedRows(40), result.Rows);
        var manifest = await new ReleaseStore(mesh.Storage.Products(product.Domain)).ReadManifestAsync(ReleaseStore.Folder(product.Name, "1.0.0", result.Release!.Value));
        Assert.Equal(2, manifest!.Lineage.Landing.Count);
    }

    [Fact]
    public async Task Run_UnexpectedColumn_PublishesAndReportsTheDrift()
    {
        var (mesh, product) = await ProductAsync("orders-clean");
        var file = Write(product, "orders-extra.csv", "order_id,customer,amount,status,channel\n1,a,1.00,open,web\n2,b,2.00,shipped,shop\n");

        var result = await mesh.RunAsync(product.Id, [file]);

        Assert.Equal(PipelineStatus.Published, result.Status);
        var drift = Assert.Single(Assert.Single(result.Inputs).Drift);
        Assert.Equal(("channel", "unexpected-column", false), (drift.Column, drift.Kind, drift.Blocking));
    }

    [Fact]
    public async Task Run_MaskedPiiColumns_ReleaseHoldsNoClearValuesAndWarningRuleDoesNotBlock()
    {
        var (mesh, product) = await ProductAsync("people");
        var file = Write(product, "people.csv",
            "id,email,full_name,born_on,team\n1,ada@example.com,Ada Lovelace,1815-12-10,red\n2,alan@example.com,Alan Turing,1912-06-23,green\n3,grace@example.com,Grace Hopper,1906-12-09,green\n");

        var result = await mesh.RunAsync(product.Id, [file]);

        Assert.True(result.Status == PipelineStatus.Published, result.Error);
        var warning = Assert.Single(result.Quality, q => !q.Passed);
        Assert.Equal(("warning", 2L), (warning.Severity, warning.FailedRows));
        Assert.All(warning.Samples, row => Assert.Equal("***", row["email"]));
        Assert.Contains(warning.Samples, row => row["team"] == "green");
        var products = mesh.Storage.Products(product.Domain);
        var release = result.Release!.Value;
        Assert.Equal(0, await ReleaseReader.CountRowsAsync(products, product.Name, "1.0.0", release, "email LIKE '%@%' OR full_name LIKE '%Ada%'"));
        Assert.Equal(3, await ReleaseReader.CountRowsAsync(products, product.Name, "1.0.0", release, "length(email) = 64 AND full_name = '[redacted]'"));
        Assert.Equal(1, await ReleaseReader.CountRowsAsync(products, product.Name, "1.0.0", release, "born_on = DATE '1815-12-01'"));
    }

    [Fact]
    public async Task Run_PartitionBy_WritesAHiveDatasetDuckDbReads()
    {
        var (mesh, product) = await ProductAsync("orders-by-status");

        var result = await mesh.RunAsync(product.Id, [product.WriteOrders("orders.csv", rows: 100)]);

        Assert.True(result.Status == PipelineStatus.Published, result.Error);
        var store = new ReleaseStore(mesh.Storage.Products(product.Domain));
        var folder = ReleaseStore.Folder(product.Name, "1.0.0", result.Release!.Value);
        var manifest = await store.ReadManifestAsync(folder);
        Assert.Equal(["status=open", "status=shipped"], manifest!.Files.Select(f => f.Path.Split('/')[0]).Distinct().Order());
        var local = Path.Combine(product.Root, "download");
        foreach (var file in manifest.Files)
        {
            var path = Path.Combine(local, file.Path);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await store.Container.GetBlobClient(folder + file.Path).DownloadToAsync(path);
            Assert.Equal(file.Sha256, await FileHash.Sha256Async(path));
        }

        using var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT count(*) FILTER (WHERE status = 'open'), count(*) FROM read_parquet('{local}/**/*.parquet', hive_partitioning = true)";
        using var reader = command.ExecuteReader();
        reader.Read();
        Assert.Equal(TestProduct.ExpectedRows(100), reader.GetInt64(1));
        Assert.True(reader.GetInt64(0) > 0);
    }

    private async Task<(LocalMesh Mesh, TestProduct Product)> ProductAsync(string name)
    {
        var mesh = await Mesh.GetAsync(azurite);
        return (mesh, Mesh.Products.Single(p => p.Name == name));
    }

    private static string Write(TestProduct product, string name, string content)
    {
        var path = Path.Combine(product.Root, name);
        File.WriteAllText(path, content);
        return path;
    }
}
