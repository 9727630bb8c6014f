using System.CommandLine;
using System.Diagnostics;
using DataMesh.Engine;
using DataMesh.Local;
using DataMesh.Local.Azurite;
using DataMesh.Pipeline;
using DataMesh.Specs;
using DataMesh.Telemetry;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using Spectre.Console;

namespace DataMesh.Cli.Commands;

/// <summary>
/// <c>datamesh bench</c>: the pipeline against bare DuckDB doing the same work (same CSV, same SQL, same Parquet
/// settings, same quality checks) in the same run, with their ratio and peak memory. Not a test: no thresholds.
/// </summary>
internal static class BenchCommand
{
    private const string Sql = """
        SELECT entry_id, entity, account, posted_on, strftime(posted_on, '%Y-%m') AS period, amount, currency
        FROM gl_entries
        WHERE status = 'posted' AND currency = 'EUR'
        """;

    /// <summary>Rounds of (traced, untraced) runs behind the tracing overhead.</summary>
    private const int TracingRounds = 4;

    private const string Columns =
        "{'entry_id': 'VARCHAR', 'entity': 'VARCHAR', 'account': 'VARCHAR', 'posted_on': 'DATE', 'amount': 'DECIMAL(18,2)', 'currency': 'VARCHAR', 'status': 'VARCHAR'}";

    public static Command Create()
    {
        var rows = new Option<int>("--rows") { Description = "Rows of the generated ledger CSV.", DefaultValueFactory = _ => 1_000_000 };
        var rounds = new Option<int>("--rounds") { Description = "Timed rounds (bare DuckDB, then the pipeline), after one untimed warm-up round; medians are reported.", DefaultValueFactory = _ => 3 };
        var json = CommonOptions.Json();
        var verbose = CommonOptions.Verbose();
        var storage = new Option<string>("--storage")
        {
            Description = "memory (default): an Azurite keeping blobs in memory, started for the bench, so the emulator's own disk work stays off "
                + "the pipeline's cores (in Azure it is the storage service's); mesh: the local mesh's storage, as run and up use it "
                + "(DATAMESH_STORAGE, or its Azurite persisting to disk).",
            DefaultValueFactory = _ => "memory",
        };
        storage.AcceptOnlyFromAmong("memory", "mesh");
        var trace = new Option<bool>("--trace") { Description = "Also measure the overhead of tracing: the same run with and without an in-process exporter of the pipeline's spans and metrics." };
        var command = new Command("bench", "Benchmark the pipeline against bare DuckDB on the same work, in the same run.") { rows, rounds, storage, json, verbose, trace };
        rounds.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() < 1)
            {
                result.AddError("--rounds must be at least 1.");
            }
        });
        command.SetAction(async (parse, cancellationToken) =>
        {
            var rowCount = parse.GetValue(rows);
            var roundCount = parse.GetValue(rounds);
            var asJson = parse.GetValue(json);
            var root = Path.Combine(Path.GetTempPath(), "datamesh-bench-" + Guid.NewGuid().ToString("N")[..8]);
            Directory.CreateDirectory(root);
            try
            {
                var product = WriteProduct(root);
                var csv = Path.Combine(root, "gl_entries.csv");
                var generate = Stopwatch.StartNew();
                GenerateCsv(csv, rowCount);
                generate.Stop();
                Report(asJson, $"generated {rowCount:N0} rows ({new FileInfo(csv).Length / 1e6:N0} MB) in {generate.Elapsed.TotalSeconds:N1} s");

                // Warm-up, untimed: bare DuckDB first, before the mesh starts, for the memory DuckDB alone needs.
                var warmBare = RunBareDuckDb(root, csv, product);
                var bareRss = Process.GetCurrentProcess().PeakWorkingSet64;
                Report(asJson, $"warm-up, bare DuckDB: {warmBare.Seconds:N2} s, {warmBare.Rows:N0} rows out (not timed)");

                // With --trace the runs "without" must have no exporter at all, whatever OTEL_* says.
                using var loggerFactory = CliLogging.Create(parse.GetValue(verbose), telemetry: !parse.GetValue(trace));
                var inMemory = parse.GetValue(storage) == "memory";
                // In memory or not, the mesh's own accounts (hub and one per domain), keyed in the bench's state folder.
                var state = Path.Combine(root, ".datamesh");
                await using var azurite = inMemory
                    ? await AzuriteServer.StartAsync(new AzuriteOptions { AccountKeys = new AzuriteAccountKeys(Path.Combine(state, AzuriteAccountKeys.FolderName)) }, cancellationToken).ConfigureAwait(false)
                    : null;
                var options = new LocalMeshOptions { LoadPipelinesFolder = false, StateDirectory = state, Azurite = azurite, LoggerFactory = loggerFactory, Interrupt = cancellationToken, InterruptedBy = "Ctrl+C in datamesh bench" };
                options.ExtraProductDirectories.Add(product);
                await using var mesh = await LocalMesh.StartAsync(options, cancellationToken).ConfigureAwait(false);
                // The pipeline starts from a landing blob already in storage (as a real arrival would): upload first, untimed.
                var upload = Stopwatch.StartNew();
                var blob = await mesh.UploadToLandingAsync(mesh.Products.Get("bench.ledger"), csv, cancellationToken).ConfigureAwait(false);
                upload.Stop();
                Report(asJson, $"uploaded to the landing container in {upload.Elapsed.TotalSeconds:N2} s (not timed)");

                // A host runs many runs: the first one in a fresh process also pays for loading and compiling its code.
                var warm = await TimePipelineAsync(mesh, blob, asJson, "warm-up, pipeline", cancellationToken).ConfigureAwait(false);
                Report(asJson, $"warm-up, pipeline (fresh process): {warm.Seconds:N2} s (not timed)");

                // Rounds alternate, so a slower or faster spell of the machine falls on both sides.
                var bareRuns = new List<BareRun>();
                var pipelineRuns = new List<PipelineRun>();
                var managedBefore = GC.GetTotalAllocatedBytes();
                for (var round = 1; round <= roundCount; round++)
                {
                    bareRuns.Add(RunBareDuckDb(root, csv, product));
                    pipelineRuns.Add(await TimePipelineAsync(mesh, blob, asJson, $"round {round}/{roundCount}, pipeline", cancellationToken).ConfigureAwait(false));
                    Report(asJson, $"round {round}/{roundCount}: bare DuckDB {bareRuns[^1].Seconds:N2} s, pipeline {pipelineRuns[^1].Seconds:N2} s");
                }

                var allocated = (GC.GetTotalAllocatedBytes() - managedBefore) / roundCount;
                if (bareRuns.Concat([warmBare]).Any(r => r.Rows != pipelineRuns[0].Rows))
                {
                    await Console.Error.WriteLineAsync($"error: bare DuckDB and the pipeline did not do the same work: {warmBare.Rows:N0} rows checked against {pipelineRuns[0].Rows:N0} published.").ConfigureAwait(false);
                    return ExitCodes.CheckFailed;
                }

                var peakRss = Process.GetCurrentProcess().PeakWorkingSet64;
                var bare = BenchStatistics.Median(bareRuns.Select(r => r.Seconds));
                var pipeline = BenchStatistics.Median(pipelineRuns.Select(r => r.Seconds));
                var stages = pipelineRuns[0].Stages.Select(s => s.Name)
                    .Select(name => (Name: name, Seconds: BenchStatistics.Median(pipelineRuns.Select(r => r.Stages.First(s => s.Name == name).Seconds))))
                    .ToList();
                var tracing = parse.GetValue(trace) ? await MeasureTracingAsync(mesh, blob, cancellationToken).ConfigureAwait(false) : null;
                var figures = new
                {
                    rows = rowCount,
                    csvBytes = new FileInfo(csv).Length,
                    rowsOut = pipelineRuns[0].Rows,
                    bareRowsOut = warmBare.Rows,
                    rounds = roundCount,
                    storage = inMemory ? "memory" : "mesh",
                    bareDuckDbSeconds = Math.Round(bare, 3),
                    bareWriteSeconds = Math.Round(BenchStatistics.Median(bareRuns.Select(r => r.WriteSeconds)), 3),
                    bareMeasureSeconds = Math.Round(BenchStatistics.Median(bareRuns.Select(r => r.MeasureSeconds)), 3),
                    pipelineSeconds = Math.Round(pipeline, 3),
                    ratio = Math.Round(pipeline / bare, 2),
                    bareDuckDbSamples = bareRuns.Select(r => Math.Round(r.Seconds, 3)).ToList(),
                    pipelineSamples = pipelineRuns.Select(r => Math.Round(r.Seconds, 3)).ToList(),
                    warmUpPipelineSeconds = Math.Round(warm.Seconds, 3),
                    peakRssBytesAfterBare = bareRss,
                    peakRssBytes = peakRss,
                    managedBytesAllocatedByRun = allocated,
                    stages = stages.ToDictionary(st => st.Name, st => Math.Round(st.Seconds, 3)),
                    tracing,
                };
                if (asJson)
                {
                    CliJson.Write(figures);
                }
                else
                {
                    var table = new Table().Border(TableBorder.Rounded)
                        .AddColumns("measure (median of rounds)", "bare DuckDB", $"pipeline (durable, {(inMemory ? "Azurite in memory" : "mesh storage")})", "ratio");
                    table.AddRow(
                        $"wall time ({roundCount} rounds)",
                        $"{figures.bareDuckDbSeconds:N2} s [grey]({Range(bareRuns.Select(r => r.Seconds))})[/]",
                        $"{figures.pipelineSeconds:N2} s [grey]({Range(pipelineRuns.Select(r => r.Seconds))})[/]",
                        $"{figures.ratio:N2}×");
                    foreach (var stage in stages)
                    {
                        // The transform does all bare DuckDB does (it takes the gate's measures in its session too).
                        var baseline = stage.Name == "transform" ? figures.bareDuckDbSeconds : (double?)null;
                        table.AddRow(
                            $"[grey]  {Markup.Escape(StageLabel(stage.Name))}[/]",
                            baseline is { } b ? $"[grey]{b:N2} s[/]" : "",
                            $"[grey]{stage.Seconds:N2} s[/]",
                            baseline is { } c && c > 0 ? $"[grey]{stage.Seconds / c:N2}×[/]" : "");
                    }

                    table.AddRow("first run in a fresh process (not in the ratio)", "", $"{figures.warmUpPipelineSeconds:N2} s", "");
                    table.AddRow("peak RSS (process)", $"{bareRss / 1e6:N0} MB", $"{peakRss / 1e6:N0} MB", "");
                    table.AddRow(".NET bytes allocated per run", "", $"{allocated / 1e6:N1} MB", "");
                    if (tracing is not null)
                    {
                        table.AddRow(
                            $"tracing: median of {tracing.Rounds} traced / {tracing.Rounds} untraced",
                            "",
                            $"{tracing.TracedSeconds:N2} s / {tracing.UntracedSeconds:N2} s, {tracing.Spans} spans",
                            $"{tracing.OverheadPercent:+0.0;-0.0}%");
                    }

                    AnsiConsole.Write(table);
                }

                return ExitCodes.Success;
            }
            finally
            {
                Directory.Delete(root, recursive: true);
            }
        });
        foreach (var suite in BenchSuiteCommand.Create())
        {
            command.Subcommands.Add(suite);
        }

        command.Subcommands.Add(BenchColdStartCommand.Create());
        return command;
    }

    /// <summary>
    /// The overhead of tracing, measured in this run after the timed rounds: <see cref="TracingRounds"/> rounds of one
    /// run with a tracer and meter provider on the pipeline's source (spans exported synchronously to memory, metrics
    /// read at the end) and one run with nothing listening, alternated so warm-up favours neither.
    /// </summary>
    private static async Task<TracingFigures> MeasureTracingAsync(LocalMesh mesh, string blob, CancellationToken cancellationToken)
    {
        var traced = new List<double>();
        var untraced = new List<double>();
        var spans = new List<Activity>();
        for (var round = 0; round < TracingRounds; round++)
        {
            var metrics = new List<Metric>();
            using (var tracer = Sdk.CreateTracerProviderBuilder().AddSource(PipelineTelemetry.Name).AddInMemoryExporter(spans).Build())
            using (var meter = Sdk.CreateMeterProviderBuilder().AddMeter(PipelineTelemetry.Name).AddInMemoryExporter(metrics).Build())
            {
                traced.Add((await TimePipelineAsync(mesh, blob, quiet: true, "traced", cancellationToken).ConfigureAwait(false)).Seconds);
                meter.ForceFlush();
                if (metrics.Count == 0)
                {
                    throw new InvalidOperationException("The traced benchmark run recorded no pipeline metric: the meter is not listened to.");
                }
            }

            untraced.Add((await TimePipelineAsync(mesh, blob, quiet: true, "traced", cancellationToken).ConfigureAwait(false)).Seconds);
        }

        if (spans.Count == 0)
        {
            throw new InvalidOperationException("The traced benchmark runs exported no span: the pipeline's activity source is not listened to.");
        }

        var (tracedMedian, untracedMedian) = (BenchStatistics.Median(traced), BenchStatistics.Median(untraced));
        return new TracingFigures(
            TracingRounds,
            Math.Round(tracedMedian, 3),
            Math.Round(untracedMedian, 3),
            Math.Round(((tracedMedian / untracedMedian) - 1) * 100, 1),
            spans.Count / TracingRounds);
    }

    /// <summary>
    /// Where the run's wall time went, from the orchestrator's stage timeline: each stage from its first scheduling to
    /// its last completion (parallel ingests and the announce ‖ cleanup pair count once), and the rest — starting the
    /// orchestration, replaying it between stages, reporting its end — as <c>orchestration</c>.
    /// </summary>
    internal static List<(string Name, double Seconds)> StageBreakdown(IReadOnlyList<StageTiming> timeline, double totalSeconds)
    {
        var breakdown = new List<(string Name, double Seconds)>();
        var groups = timeline.GroupBy(t => t.Stage is "announce" or "cleanup" ? "announce ‖ cleanup" : t.Stage);
        var covered = 0.0;
        foreach (var group in groups)
        {
            var seconds = (group.Max(t => t.EndedAt) - group.Min(t => t.StartedAt)).TotalSeconds;
            covered += seconds;
            breakdown.Add((group.Key, seconds));
        }

        breakdown.Add(("orchestration", Math.Max(0, totalSeconds - covered)));
        return breakdown;
    }

    private static string StageLabel(string stage) => stage switch
    {
        "resolve" => "resolve inputs",
        "ingest" => "ingest (download, SHA-256, inspect)",
        "transform" => "transform (read → SQL → Parquet → gate measures, stage)",
        "quality" => "quality gate (judge the measures)",
        "publish" => "publish (manifest, release)",
        "orchestration" => "orchestration (start, between stages, end)",
        _ => stage,
    };

    private static async Task<PipelineRun> TimePipelineAsync(LocalMesh mesh, string blob, bool quiet, string label, CancellationToken cancellationToken)
    {
        await RestageAsync(mesh, "bench", blob, cancellationToken).ConfigureAwait(false);
        var request = new PipelineRequest { RunId = "bench-" + Guid.NewGuid().ToString("N")[..8], ProductId = "bench.ledger", LandingBlobs = [blob], Trigger = "bench" };
        var watch = Stopwatch.StartNew();
        var result = await CliProgress.RunAsync(quiet, label, progress => mesh.RunAsync(request, cancellationToken: cancellationToken, progress: progress)).ConfigureAwait(false);
        watch.Stop();
        return result.Status == PipelineStatus.Published
            ? new PipelineRun(watch.Elapsed.TotalSeconds, result.Rows ?? 0, StageBreakdown(result.Stages, watch.Elapsed.TotalSeconds))
            : throw new InvalidOperationException($"The benchmark run ended {result.Status}: {result.Error}");
    }

    /// <summary>
    /// Puts a landing file that an earlier round published back into landing (untimed): a published input moves to the
    /// archive, and each round must start, like a real arrival, from a file waiting in landing.
    /// </summary>
    internal static async Task RestageAsync(LocalMesh mesh, string domain, string blob, CancellationToken cancellationToken)
    {
        var landing = mesh.Storage.Landing(domain).GetBlobClient(blob);
        if (await landing.ExistsAsync(cancellationToken).ConfigureAwait(false))
        {
            return;
        }

        var archived = await mesh.Storage.Archive(domain).GetBlobClient(blob).DownloadStreamingAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        await using var content = archived.Value.Content;
        await landing.UploadAsync(content, overwrite: true, cancellationToken).ConfigureAwait(false);
    }

    private static string Range(IEnumerable<double> values)
    {
        var list = values.ToList();
        return list.Count == 1 ? "1 round" : $"{list.Min():N2}–{list.Max():N2}";
    }

    internal static void Report(bool quiet, string line)
    {
        if (!quiet)
        {
            AnsiConsole.MarkupLine($"[grey]{Markup.Escape(line)}[/]");
        }
    }

    /// <summary>
    /// The same work the pipeline does, with DuckDB alone on the local file: read the CSV with the declared types,
    /// run the product's SQL into Parquet with the pipeline's settings, then run the quality gate's own query
    /// (<see cref="QualityGate.MeasureSql"/>) over the Parquet written.
    /// </summary>
    internal static BareRun RunBareDuckDb(string root, string csv, string productDirectory)
    {
        var spec = ProductSpecLoader.Load(productDirectory);
        var output = Path.Combine(root, "bare.parquet");
        var watch = Stopwatch.StartNew();
        var pipeline = new PipelineOptions();
        // The run's own limits (a transform's session), in a session like the transform's.
        using var session = DuckDbSession.Open(new DuckDbSessionOptions { AllowedDirectories = [root, Path.GetDirectoryName(Path.GetFullPath(csv))!], TempDirectory = Path.Combine(root, "bare-tmp"), Limits = pipeline.EngineLimits().Run });
        session.Execute($"""
            CREATE VIEW gl_entries AS SELECT * FROM read_csv({Engine.Sql.Literal(csv)}, header = true, columns = {Columns});
            COPY ({spec.TransformSql.Trim().TrimEnd(';')}) TO {Engine.Sql.Literal(output)} (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE {pipeline.RowGroupSize});
            """);
        var transform = watch.Elapsed;
        session.Execute($"CREATE VIEW {QualityGate.OutputView} AS SELECT * FROM read_parquet({Engine.Sql.Literal(output)})");
        var schema = session.Query($"SELECT column_name, column_type FROM (DESCRIBE {QualityGate.OutputView})", r => new OutputColumn(r.GetString(0), r.GetString(1)));
        var rows = session.Query(QualityGate.MeasureSql(spec.Contract, schema), r => r.GetInt64(0))[0];

        watch.Stop();
        return new BareRun(watch.Elapsed.TotalSeconds, transform.TotalSeconds, (watch.Elapsed - transform).TotalSeconds, rows);
    }

    internal static void GenerateCsv(string path, int rows) =>
        BenchProducts.Execute(Path.GetDirectoryName(Path.GetFullPath(path))!, $"""
            COPY (
              SELECT 'GL-' || lpad(i::VARCHAR, 9, '0') AS entry_id,
                     ['DE01', 'FR01', 'NL01', 'UK01'][1 + i % 4] AS entity,
                     (4000 + i % 9)::VARCHAR AS account,
                     DATE '2026-10-01' + (i % 28)::INTEGER AS posted_on,
                     ((i % 100000) / 100.0)::DECIMAL(18,2) AS amount,
                     CASE WHEN i % 10 = 0 THEN 'GBP' ELSE 'EUR' END AS currency,
                     CASE WHEN i % 7 = 0 THEN 'draft' ELSE 'posted' END AS status
              FROM range({rows}) t(i)
            ) TO {Engine.Sql.Literal(path)} (HEADER, DELIMITER ',')
            """);

    internal static string WriteProduct(string root, string name = "ledger")
    {
        var dir = Path.Combine(root, name);
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "product.yaml"), $$"""
            apiVersion: datamesh/v1
            kind: DataProduct
            domain: bench
            name: {{name}}
            version: 1.0.0
            description: Benchmark ledger.
            owner: { team: Bench, email: bench@example.com }
            inputs:
              - name: gl_entries
                landing: { path: ledger/, format: csv }
                columns:
                  - { name: entry_id, type: varchar, required: true }
                  - { name: entity, type: varchar }
                  - { name: account, type: varchar }
                  - { name: posted_on, type: date }
                  - { name: amount, type: "decimal(18,2)" }
                  - { name: currency, type: varchar }
                  - { name: status, type: varchar }
            transform: { sql: transform.sql }
            output: { contract: contract.odcs.yaml }
            """);
        File.WriteAllText(Path.Combine(dir, "transform.sql"), Sql);
        File.WriteAllText(Path.Combine(dir, "contract.odcs.yaml"), """
            apiVersion: v3.1.0
            kind: DataContract
            id: urn:bench:ledger
            version: 1.0.0
            schema:
              - name: ledger
                properties:
                  - { name: entry_id, physicalType: varchar, required: true, unique: true }
                  - name: entity
                    physicalType: varchar
                    quality:
                      - { metric: invalidValues, arguments: { validValues: [DE01, FR01, NL01, UK01] }, mustBe: 0 }
                  - name: account
                    physicalType: varchar
                    quality:
                      - { metric: invalidValues, arguments: { pattern: '^[0-9]{4}$' }, mustBe: 0 }
                  - { name: posted_on, physicalType: date }
                  - { name: period, physicalType: varchar }
                  - { name: amount, physicalType: "decimal(18,2)" }
                  - { name: currency, physicalType: varchar }
            """);
        return dir;
    }

    /// <summary>The bare DuckDB baseline: total, its read → SQL → Parquet part and its quality measures query, in seconds.</summary>
    internal sealed record BareRun(double Seconds, double WriteSeconds, double MeasureSeconds, long Rows);

    /// <summary>One timed pipeline run: wall time, rows published, and where the time went.</summary>
    private sealed record PipelineRun(double Seconds, long Rows, List<(string Name, double Seconds)> Stages);

    /// <summary>Tracing overhead figures: median wall time of the traced and untraced runs, and spans per run.</summary>
    private sealed record TracingFigures(int Rounds, double TracedSeconds, double UntracedSeconds, double OverheadPercent, int Spans);
}
