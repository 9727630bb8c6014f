using System.CommandLine;
using System.Diagnostics;
using DataMesh.Local;
using DataMesh.Local.Azurite;
using DataMesh.Pipeline;
using Spectre.Console;

namespace DataMesh.Cli.Commands;

/// <summary>
/// <c>datamesh bench memory</c>: one pipeline run of the bench ledger in a process that does nothing else (no bare
/// DuckDB run beside it, Azurite in its own process), with the process's peak RSS overall and during each stage, and
/// the engine limits the run derived from the machine. Not a test: no thresholds.
/// </summary>
internal static class BenchMemoryCommand
{
    /// <summary>How often the resident set is sampled during the run.</summary>
    private static readonly TimeSpan SampleEvery = TimeSpan.FromMilliseconds(20);

    public static Command Create()
    {
        var rows = new Option<int>("--rows") { Description = "Rows of the generated ledger CSV.", DefaultValueFactory = _ => 5_000_000 };
        var memoryLimit = new Option<string?>("--memory-limit") { Description = "DuckDB memory_limit of the run's sessions (e.g. '512MB'); default: derived from the machine (EngineLimits)." };
        var json = CommonOptions.Json();
        var verbose = CommonOptions.Verbose();
        var command = new Command("memory", "Peak RSS of one pipeline run, overall and by stage, in a process doing nothing else.") { rows, memoryLimit, json, verbose };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var rowCount = parse.GetValue(rows);
            var asJson = parse.GetValue(json);
            var root = Directory.CreateTempSubdirectory("datamesh-bench-memory-").FullName;
            try
            {
                var product = BenchCommand.WriteProduct(root);
                var csv = Path.Combine(root, "gl_entries.csv");
                var atStart = ResidentSet.Current();
                BenchCommand.GenerateCsv(csv, rowCount);
                var csvBytes = new FileInfo(csv).Length;
                var afterGenerate = ResidentSet.Current();
                BenchCommand.Report(asJson, $"generated {rowCount:N0} rows ({csvBytes / 1e6:N0} MB)");

                using var loggerFactory = CliLogging.Create(parse.GetValue(verbose), telemetry: false);
                var state = Path.Combine(root, ".datamesh");
                await using var azurite = await AzuriteServer.StartAsync(new AzuriteOptions { AccountKeys = new AzuriteAccountKeys(Path.Combine(state, AzuriteAccountKeys.FolderName)) }, cancellationToken).ConfigureAwait(false);
                var pipeline = new PipelineOptions();
                if (parse.GetValue(memoryLimit) is { Length: > 0 } limit)
                {
                    pipeline.MemoryLimit = limit;
                }

                var options = new LocalMeshOptions { LoadPipelinesFolder = false, StateDirectory = state, Azurite = azurite, LoggerFactory = loggerFactory, Pipeline = pipeline, Interrupt = cancellationToken, InterruptedBy = "Ctrl+C in datamesh bench memory" };
                options.ExtraProductDirectories.Add(product);
                await using var mesh = await LocalMesh.StartAsync(options, cancellationToken).ConfigureAwait(false);
                var afterStart = ResidentSet.Current();
                string blob;
                IReadOnlyList<(DateTimeOffset At, long Bytes)> uploadSamples;
                using (var uploading = new ResidentSet.Sampler(SampleEvery))
                {
                    blob = await mesh.UploadToLandingAsync(mesh.Products.Get("bench.ledger"), csv, cancellationToken).ConfigureAwait(false);
                    uploadSamples = uploading.Stop();
                }

                File.Delete(csv);

                var limits = pipeline.EngineLimits();
                var before = ResidentSet.Current();
                using var sampler = new ResidentSet.Sampler(SampleEvery);
                var request = new PipelineRequest { RunId = "bench-" + Guid.NewGuid().ToString("N")[..8], ProductId = "bench.ledger", LandingBlobs = [blob], Trigger = "bench" };
                var watch = Stopwatch.StartNew();
                // Large inputs on a loaded machine outlast the mesh's default wait: the bench waits for the run, however long.
                var result = await CliProgress.RunAsync(asJson, "pipeline", progress => mesh.RunAsync(request, timeout: TimeSpan.FromHours(3), cancellationToken: cancellationToken, progress: progress)).ConfigureAwait(false);
                watch.Stop();
                var samples = sampler.Stop();
                if (result.Status != PipelineStatus.Published)
                {
                    await Console.Error.WriteLineAsync($"error: the benchmark run ended {result.Status}: {result.Error}").ConfigureAwait(false);
                    return ExitCodes.CheckFailed;
                }

                var stages = result.Stages.GroupBy(s => s.Stage)
                    .Select(g => (Stage: g.Key, Peak: Peak(samples, g.Min(s => s.StartedAt), g.Max(s => s.EndedAt))))
                    .ToList();
                var figures = new
                {
                    rows = rowCount,
                    csvBytes,
                    rowsOut = result.Rows ?? 0,
                    seconds = Math.Round(watch.Elapsed.TotalSeconds, 2),
                    memoryLimit = limits.MemoryLimit,
                    qualityMemoryLimit = limits.QualityMemoryLimit,
                    threads = limits.Threads,
                    maxSpillSize = limits.MaxSpillSize,
                    limitsFrom = limits.Source,
                    // Where the process's memory before the run comes from: the CLI at start, after generating the CSV,
                    // after starting Azurite and the mesh, during and after uploading the CSV to landing.
                    rssAtStartBytes = atStart,
                    rssAfterGenerateBytes = afterGenerate,
                    rssAfterMeshStartBytes = afterStart,
                    peakRssDuringUploadBytes = uploadSamples.Count == 0 ? 0 : uploadSamples.Max(s => s.Bytes),
                    rssBeforeRunBytes = before,
                    peakRssBytes = ResidentSet.Peak(),
                    peakRssDuringRunBytes = samples.Count == 0 ? 0 : samples.Max(s => s.Bytes),
                    stages = stages.ToDictionary(s => s.Stage, s => s.Peak),
                };
                if (asJson)
                {
                    CliJson.Write(figures);
                    return ExitCodes.Success;
                }

                var table = new Table().Border(TableBorder.Rounded).AddColumns("measure", "value");
                table.AddRow("rows in / out", $"{rowCount:N0} ({csvBytes / 1e6:N0} MB CSV) / {figures.rowsOut:N0}");
                table.AddRow("run wall time", $"{figures.seconds:N1} s");
                table.AddRow("DuckDB memory_limit (quality gate's) / threads / spill cap", $"{limits.MemoryLimit} ({limits.QualityMemoryLimit}) / {limits.Threads} / {limits.MaxSpillSize} [grey]({Markup.Escape(limits.Source)})[/]");
                table.AddRow("RSS at start / after generating the CSV / after starting the mesh", $"{atStart / 1e6:N0} / {afterGenerate / 1e6:N0} / {afterStart / 1e6:N0} MB");
                table.AddRow("peak RSS uploading the CSV", $"{figures.peakRssDuringUploadBytes / 1e6:N0} MB");
                table.AddRow("RSS before the run", $"{before / 1e6:N0} MB");
                table.AddRow("peak RSS during the run (sampled)", $"{figures.peakRssDuringRunBytes / 1e6:N0} MB");
                foreach (var (stage, peak) in stages)
                {
                    table.AddRow($"[grey]  {Markup.Escape(stage)}[/]", $"[grey]{peak / 1e6:N0} MB[/]");
                }

                table.AddRow("peak RSS of the process (VmHWM)", $"{figures.peakRssBytes / 1e6:N0} MB");
                AnsiConsole.Write(table);
                return ExitCodes.Success;
            }
            finally
            {
                Directory.Delete(root, recursive: true);
            }
        });
        return command;
    }

    private static long Peak(IReadOnlyList<(DateTimeOffset At, long Bytes)> samples, DateTimeOffset from, DateTimeOffset to) =>
        samples.Where(s => s.At >= from && s.At <= to).Select(s => s.Bytes).DefaultIfEmpty(0).Max();
}
