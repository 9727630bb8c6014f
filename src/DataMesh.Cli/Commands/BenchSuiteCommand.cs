using System.CommandLine;
using System.Diagnostics;
using Azure.Data.Tables;
using DataMesh.Catalog;
using DataMesh.Consumption;
using DataMesh.Events;
using DataMesh.Local;
using DataMesh.Pipeline;
using DataMesh.Specs;
using Spectre.Console;

namespace DataMesh.Cli.Commands;

/// <summary>
/// The rest of <c>datamesh bench</c>: drop-to-catalog latency, catalog lookups at 10k products and concurrent
/// publishing, each against a baseline measured in the same run. Not tests: no thresholds, figures only.
/// </summary>
internal static class BenchSuiteCommand
{
    public static IEnumerable<Command> Create()
    {
        yield return Latency();
        yield return CatalogLookup();
        yield return Concurrency();
        yield return KeyedHashMasking();
        yield return BenchIncrementalCommand.Create();
        yield return BenchMemoryCommand.Create();
        yield return BenchBackfillCommand.Create();
    }

    /// <summary>
    /// <c>hash</c> masking of one text column rewritten to Parquet, as publish does: the keyed hash (HMAC-SHA256 in a
    /// function registered on the connection) against the salted SHA-256 expression it replaced, on the same file.
    /// </summary>
    private static Command KeyedHashMasking()
    {
        var rows = new Option<int>("--rows") { Description = "Rows of the masked file.", DefaultValueFactory = _ => 5_000_000 };
        var rounds = new Option<int>("--rounds") { Description = "Rounds per method; the best one counts.", DefaultValueFactory = _ => 3 };
        var json = CommonOptions.Json();
        var command = new Command("masking", "hash masking of a text column to Parquet: the keyed hash (HMAC-SHA256, a registered function) against the salted sha256() expression it replaced.") { rows, rounds, json };
        command.SetAction(parse =>
        {
            var (rowCount, roundCount, asJson) = (parse.GetValue(rows), Math.Max(1, parse.GetValue(rounds)), parse.GetValue(json));
            var root = Directory.CreateTempSubdirectory("datamesh-bench-masking-").FullName;
            try
            {
                using var session = DataMesh.Engine.DuckDbSession.Open(new DataMesh.Engine.DuckDbSessionOptions { AllowedDirectories = [root], TempDirectory = Path.Combine(root, "tmp"), Limits = new DataMesh.Pipeline.PipelineOptions().EngineLimits().Run });
                var source = Path.Combine(root, "people.parquet");
                session.Execute($"COPY (SELECT i AS id, 'user' || i || '@example.com' AS email FROM range({rowCount}) t(i)) TO {DataMesh.Engine.Sql.Literal(source)} (FORMAT parquet, COMPRESSION zstd)");
                // The old expression inlined its salt as a literal: a throwaway one here.
                var salt = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
                DataMesh.Engine.KeyedHash.Register(session, DataMesh.Engine.Masking.HashFunction(0), DataMesh.Engine.KeyedHash.ScopeKey(salt, "bench", "product:people"));
                double Best(string expression)
                {
                    var best = double.MaxValue;
                    for (var round = 0; round < roundCount; round++)
                    {
                        var target = Path.Combine(root, $"masked-{round}.parquet");
                        var watch = Stopwatch.StartNew();
                        session.Execute($"COPY (SELECT id, {expression} AS email FROM read_parquet({DataMesh.Engine.Sql.Literal(source)})) TO {DataMesh.Engine.Sql.Literal(target)} (FORMAT parquet, COMPRESSION zstd)");
                        best = Math.Min(best, watch.Elapsed.TotalSeconds);
                        File.Delete(target);
                    }

                    return best;
                }

                var copy = Best("email");
                var salted = Best($"CASE WHEN email IS NULL THEN NULL ELSE sha256({DataMesh.Engine.Sql.Literal(salt)} || CAST(email AS VARCHAR)) END");
                var keyed = Best($"{DataMesh.Engine.Masking.HashFunction(0)}(CAST(email AS VARCHAR))");
                Print(asJson, "hash masking", $"{rowCount:N0} rows, one text column hashed to Parquet (zstd), best of {roundCount}", [
                    ("copy without masking", copy, copy),
                    ("masked copy", salted, keyed),
                    ("masking alone (copy subtracted)", salted - copy, keyed - copy),
                ], "salted sha256() expression (old)", "keyed hash function (HMAC-SHA256)");
                return ExitCodes.Success;
            }
            finally
            {
                Directory.Delete(root, recursive: true);
            }
        });
        return command;
    }

    /// <summary>Small files dropped one at a time: how long until each one's release is in the catalog.</summary>
    private static Command Latency()
    {
        var files = new Option<int>("--files") { Description = "Small files dropped one after another.", DefaultValueFactory = _ => 50 };
        var rows = new Option<int>("--rows") { Description = "Rows per file.", DefaultValueFactory = _ => 1_000 };
        var json = CommonOptions.Json();
        var command = new Command("latency", "Drop-to-catalog latency (p50/p95) of small files on the local mesh, against bare DuckDB on the same files.") { files, rows, json };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var (count, rowCount, asJson) = (parse.GetValue(files), parse.GetValue(rows), parse.GetValue(json));
            return await WithMeshAsync(["ledger"], async (mesh, root) =>
            {
                var spec = mesh.Products.Get("bench.ledger");
                var meshTimes = new List<double>();
                var bareTimes = new List<double>();
                for (var i = 0; i < count; i++)
                {
                    var csv = Path.Combine(root, $"gl_entries_{i:D3}.csv");
                    BenchCommand.GenerateCsv(csv, rowCount);
                    bareTimes.Add(BenchCommand.RunBareDuckDb(root, csv, spec.Directory).Seconds);

                    var watch = Stopwatch.StartNew();
                    await mesh.DropAsync(spec.Id, [csv], cancellationToken).ConfigureAwait(false);
                    var results = await mesh.SettleAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
                    // Settled means the run ended and its announcement was projected: the release is in the catalog.
                    var product = await mesh.Catalog.GetProductAsync(spec.Id, cancellationToken).ConfigureAwait(false);
                    watch.Stop();
                    if (results.Count != 1 || results[0].Status != PipelineStatus.Published || product?.LatestRelease != results[0].Release)
                    {
                        await Console.Error.WriteLineAsync($"error: drop {i + 1} did not end with its release in the catalog: {string.Join("; ", results.Select(r => $"{r.Status} {r.Error}"))}").ConfigureAwait(false);
                        return ExitCodes.CheckFailed;
                    }

                    meshTimes.Add(watch.Elapsed.TotalSeconds);
                }

                Print(asJson, "drop-to-catalog latency", $"{count} files of {rowCount:N0} rows, one at a time", [
                    ("p50", Percentile(bareTimes, 50), Percentile(meshTimes, 50)),
                    ("p95", Percentile(bareTimes, 95), Percentile(meshTimes, 95)),
                    ("max", bareTimes.Max(), meshTimes.Max()),
                ], "bare DuckDB (same file, same SQL, checks, Parquet)", "local mesh (drop → catalog)");
                return ExitCodes.Success;
            }, cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    /// <summary>10k products in the catalog: product lookups through the API and the reader, against a raw point read.</summary>
    private static Command CatalogLookup()
    {
        var products = new Option<int>("--products") { Description = "Products registered in the catalog.", DefaultValueFactory = _ => 10_000 };
        var lookups = new Option<int>("--lookups") { Description = "Random lookups timed per method.", DefaultValueFactory = _ => 1_000 };
        var history = new Option<int>("--history") { Description = "Releases (and their runs) of the one product with a history.", DefaultValueFactory = _ => 1_000 };
        var json = CommonOptions.Json();
        var command = new Command("catalog", "Catalog lookup latency (p50/p99) with 10k products in Azurite, one of them with a long history, against a raw Table Storage point read.") { products, lookups, history, json };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var (count, lookupCount, historyCount, asJson) = (parse.GetValue(products), parse.GetValue(lookups), parse.GetValue(history), parse.GetValue(json));
            return await WithMeshAsync([], async (mesh, _) =>
            {
                var projection = new CatalogProjection(mesh.Storage);
                var register = Stopwatch.StartNew();
                var registrations = Enumerable.Range(0, count).Select(i => new ProductRegistration(
                    $"domain-{i % 20:D2}", $"product-{i:D5}", "1.0.0", $"Synthetic product {i} for the lookup benchmark.", "Bench", "bench@example.com", ["bench", $"tag-{i % 50}"], i % 3 == 0 ? "public" : "domain"));
                var transactions = await projection.RegisterProductsAsync(registrations, cancellationToken).ConfigureAwait(false);
                register.Stop();
                Report(asJson, $"registered {count:N0} products in {transactions:N0} transactions in {register.Elapsed.TotalSeconds:N1} s");

                // One product with a long history: each release announced as a real run would (its run, stage timeline,
                // OpenLineage events and quality rules recorded alongside).
                const string historyProduct = "domain-00.product-00000";
                var recording = Stopwatch.StartNew();
                var started = DateTimeOffset.UtcNow.AddDays(-historyCount);
                for (var release = 1; release <= historyCount; release++)
                {
                    await projection.ApplyAsync(ProductEventFactory.CreateProductVersionPublished(HistoryRelease(historyProduct, release, started.AddDays(release))), cancellationToken).ConfigureAwait(false);
                }

                recording.Stop();
                Report(asJson, $"recorded {historyCount:N0} releases and runs of {historyProduct} in {recording.Elapsed.TotalSeconds:N1} s");

                var api = new CatalogHttpApi(mesh.Catalog);
                var table = mesh.Storage.Table(CatalogTables.Products);
                var random = new Random(42);
                var ids = Enumerable.Range(0, lookupCount).Select(_ => random.Next(count)).Select(i => (Domain: $"domain-{i % 20:D2}", Name: $"product-{i:D5}")).ToList();
                var raw = await TimeAsync(ids, async id => await table.GetEntityAsync<TableEntity>(id.Domain, id.Name, cancellationToken: cancellationToken).ConfigureAwait(false)).ConfigureAwait(false);
                var reader = await TimeAsync(ids, async id => await mesh.Catalog.GetProductAsync($"{id.Domain}.{id.Name}", cancellationToken).ConfigureAwait(false)).ConfigureAwait(false);
                var detail = await TimeAsync(ids, async id =>
                {
                    var answer = await api.HandleAsync("GET", $"/api/products/{id.Domain}.{id.Name}", null, DataReader.Operator, cancellationToken).ConfigureAwait(false);
                    if (answer.StatusCode != 200)
                    {
                        throw new InvalidOperationException($"GET product answered {answer.StatusCode}: {answer.Body}");
                    }
                }).ConfigureAwait(false);
                var search = await TimeAsync(ids.Take(Math.Max(1, lookupCount / 20)).ToList(), async id =>
                    await api.HandleAsync("GET", "/api/products", $"?domain={id.Domain}&pageSize=20", cancellationToken).ConfigureAwait(false)).ConfigureAwait(false);
                var repeats = Enumerable.Range(0, lookupCount).ToList();
                var historyDetail = await TimeAsync(repeats, async _ => Ok(await api.HandleAsync("GET", $"/api/products/{historyProduct}", null, DataReader.Operator, cancellationToken).ConfigureAwait(false), historyCount > CatalogHttpApi.DetailHistoryItems ? CatalogHttpApi.DetailHistoryItems : historyCount)).ConfigureAwait(false);
                var runsPage = await TimeAsync(repeats, async _ => Ok(await api.HandleAsync("GET", $"/api/products/{historyProduct}/runs", "?limit=50", DataReader.Operator, cancellationToken).ConfigureAwait(false), Math.Min(50, historyCount))).ConfigureAwait(false);

                Print(asJson, "catalog lookup", $"{count:N0} products, {lookupCount:N0} random ids", [
                    ("reader point read p50", Percentile(raw, 50), Percentile(reader, 50)),
                    ("reader point read p99", Percentile(raw, 99), Percentile(reader, 99)),
                    ("API product detail p50", Percentile(raw, 50), Percentile(detail, 50)),
                    ("API product detail p99", Percentile(raw, 99), Percentile(detail, 99)),
                    ("API search by domain p50", Percentile(raw, 50), Percentile(search, 50)),
                    ($"API product detail, {historyCount:N0} releases+runs p50", Percentile(raw, 50), Percentile(historyDetail, 50)),
                    ($"API product detail, {historyCount:N0} releases+runs p99", Percentile(raw, 99), Percentile(historyDetail, 99)),
                    ($"API runs page (50 of {historyCount:N0}) p50", Percentile(raw, 50), Percentile(runsPage, 50)),
                    ($"API runs page (50 of {historyCount:N0}) p99", Percentile(raw, 99), Percentile(runsPage, 99)),
                ], "raw Table Storage point read", "DataMesh");
                return ExitCodes.Success;
            }, cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    /// <summary>A 200 answer whose body lists <paramref name="expected"/> runs (the runs page, or the detail's newest runs).</summary>
    private static void Ok(CatalogApiResponse answer, int expected)
    {
        using var body = System.Text.Json.JsonDocument.Parse(answer.StatusCode == 200 ? answer.Body : "{}");
        var runs = body.RootElement.TryGetProperty("runs", out var detail) ? detail : body.RootElement.TryGetProperty("items", out var items) ? items : default;
        if (answer.StatusCode != 200 || runs.ValueKind != System.Text.Json.JsonValueKind.Array || runs.GetArrayLength() != expected)
        {
            throw new InvalidOperationException($"The catalog answered {answer.StatusCode} without {expected} runs: {answer.Body[..Math.Min(300, answer.Body.Length)]}");
        }
    }

    /// <summary>One release of the history product, with what a real run's announcement carries.</summary>
    private static ProductVersionPublishedData HistoryRelease(string productId, int release, DateTimeOffset at)
    {
        var (domain, name) = ProductIds.Split(productId);
        var runId = $"{productId}-bench-{release:D5}";
        string[] stages = ["resolve", "ingest", "transform", "quality", "publish", "announce", "cleanup"];
        return new ProductVersionPublishedData
        {
            ProductId = productId,
            Domain = domain,
            Name = name,
            Version = "1.0.0",
            Release = release,
            RunId = runId,
            Location = $"http://127.0.0.1:10000/devstoreaccount1/{domain}-products/{name}/1.0.0/{release}/",
            Rows = 1_000L * release,
            SchemaHash = "5e1f0c2a",
            Quality = new QualitySummary(true, 1_000L * release,
            [
                new QualityRuleResult("entry_id_unique", "entry_id", "duplicateCount", "error", 0m, "rows", "= 0", true, 0),
                new QualityRuleResult("amount_not_null", "amount", "nullCount", "error", 0m, "rows", "= 0", true, 0),
                new QualityRuleResult("row_count", null, "rowCount", "error", 1_000m * release, "rows", "> 0", true, 0),
            ]),
            Landing = [new LandingBlob($"{domain}-landing", $"ledger/{release:D5}.csv", "\"0x8DD\"", 52_000_000, "e3b0c442")],
            Stages = [.. stages.Select((stage, i) => new StageTiming(stage, 1, at.AddSeconds(i), at.AddSeconds(i + 1), "succeeded"))],
            OpenLineage =
            [
                new System.Text.Json.Nodes.JsonObject { ["eventType"] = "START", ["eventTime"] = at, ["run"] = new System.Text.Json.Nodes.JsonObject { ["runId"] = runId }, ["job"] = new System.Text.Json.Nodes.JsonObject { ["namespace"] = "datamesh", ["name"] = productId } },
                new System.Text.Json.Nodes.JsonObject { ["eventType"] = "COMPLETE", ["eventTime"] = at.AddSeconds(7), ["run"] = new System.Text.Json.Nodes.JsonObject { ["runId"] = runId }, ["job"] = new System.Text.Json.Nodes.JsonObject { ["namespace"] = "datamesh", ["name"] = productId } },
            ],
            PublishedAt = at,
        };
    }

    /// <summary>N products published at once, against one product's run alone.</summary>
    private static Command Concurrency()
    {
        var products = new Option<int>("--products") { Description = "Products published at the same time.", DefaultValueFactory = _ => 50 };
        var rows = new Option<int>("--rows") { Description = "Rows of each product's file.", DefaultValueFactory = _ => 10_000 };
        var json = CommonOptions.Json();
        var command = new Command("concurrency", "N products published concurrently on the local mesh: all must publish; total time against one run alone.") { products, rows, json };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var (count, rowCount, asJson) = (parse.GetValue(products), parse.GetValue(rows), parse.GetValue(json));
            var names = Enumerable.Range(0, count + 1).Select(i => $"ledger-{i:D3}").ToList();
            return await WithMeshAsync(names, async (mesh, root) =>
            {
                var csv = Path.Combine(root, "gl_entries.csv");
                BenchCommand.GenerateCsv(csv, rowCount);
                var blobs = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (var name in names)
                {
                    blobs[name] = await mesh.UploadToLandingAsync(mesh.Products.Get($"bench.{name}"), csv, cancellationToken).ConfigureAwait(false);
                }

                // Baseline: one product alone (the first, also warming the engine up is excluded: it runs twice).
                await RunAsync(mesh, names[0], blobs[names[0]], cancellationToken).ConfigureAwait(false);
                var single = Stopwatch.StartNew();
                var alone = await RunAsync(mesh, names[0], blobs[names[0]], cancellationToken).ConfigureAwait(false);
                single.Stop();

                var all = Stopwatch.StartNew();
                var results = await Task.WhenAll(names.Skip(1).Select(n => RunAsync(mesh, n, blobs[n], cancellationToken))).ConfigureAwait(false);
                all.Stop();
                var published = results.Count(r => r.Status == PipelineStatus.Published);
                Print(asJson, "concurrent publishing", $"{count} products of {rowCount:N0} rows at once ({published}/{count} published)", [
                    ("wall time", single.Elapsed.TotalSeconds, all.Elapsed.TotalSeconds),
                ], "one product alone", $"{count} products at once");
                return published == count && alone.Status == PipelineStatus.Published ? ExitCodes.Success : ExitCodes.CheckFailed;
            }, cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    private static async Task<PipelineResult> RunAsync(LocalMesh mesh, string name, string blob, CancellationToken cancellationToken)
    {
        await BenchCommand.RestageAsync(mesh, "bench", blob, cancellationToken).ConfigureAwait(false);
        return await mesh.RunAsync(new PipelineRequest { RunId = $"bench-{name}-{Guid.NewGuid():N}"[..40], ProductId = $"bench.{name}", LandingBlobs = [blob], Trigger = "bench" }, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    private static async Task<int> WithMeshAsync(IReadOnlyList<string> products, Func<LocalMesh, string, Task<int>> body, CancellationToken cancellationToken)
    {
        var root = Path.Combine(Path.GetTempPath(), "datamesh-bench-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(root);
        try
        {
            var options = new LocalMeshOptions { LoadPipelinesFolder = false, StateDirectory = Path.Combine(root, ".datamesh"), Interrupt = cancellationToken, InterruptedBy = "Ctrl+C in datamesh bench" };
            foreach (var name in products)
            {
                options.ExtraProductDirectories.Add(BenchCommand.WriteProduct(root, name));
            }

            await using var mesh = await LocalMesh.StartAsync(options, cancellationToken).ConfigureAwait(false);
            return await body(mesh, root).ConfigureAwait(false);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static async Task<List<double>> TimeAsync<T>(IReadOnlyList<T> items, Func<T, Task> action)
    {
        await action(items[0]).ConfigureAwait(false); // warm-up, not counted
        var times = new List<double>(items.Count);
        foreach (var item in items)
        {
            var watch = Stopwatch.StartNew();
            await action(item).ConfigureAwait(false);
            times.Add(watch.Elapsed.TotalSeconds);
        }

        return times;
    }

    private static double Percentile(IReadOnlyList<double> values, int percentile)
    {
        var sorted = values.Order().ToList();
        var index = (int)Math.Ceiling(percentile / 100.0 * sorted.Count) - 1;
        return sorted[Math.Clamp(index, 0, sorted.Count - 1)];
    }

    private static void Report(bool quiet, string line) => BenchCommand.Report(quiet, line);

    private static void Print(bool asJson, string title, string setup, IReadOnlyList<(string Measure, double Baseline, double Value)> rows, string baselineName, string valueName)
    {
        if (asJson)
        {
            CliJson.Write(new
            {
                benchmark = title,
                setup,
                baseline = baselineName,
                measured = valueName,
                rows = rows.Select(r => new { measure = r.Measure, baselineSeconds = Math.Round(r.Baseline, 5), seconds = Math.Round(r.Value, 5), ratio = Math.Round(r.Value / r.Baseline, 2) }),
            });
            return;
        }

        AnsiConsole.MarkupLine($"[bold]{Markup.Escape(title)}[/]: {Markup.Escape(setup)}");
        var table = new Table().Border(TableBorder.Rounded).AddColumns("measure", Markup.Escape(baselineName), Markup.Escape(valueName), "ratio");
        foreach (var (measure, baseline, value) in rows)
        {
            table.AddRow(Markup.Escape(measure), Seconds(baseline), Seconds(value), $"{value / baseline:N2}×");
        }

        AnsiConsole.Write(table);
    }

    private static string Seconds(double seconds) => seconds < 1 ? $"{seconds * 1000:N1} ms" : $"{seconds:N2} s";
}
