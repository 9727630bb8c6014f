using System.CommandLine;
using System.Diagnostics;
using DataMesh.Local;
using DataMesh.Local.Azurite;
using DataMesh.Pipeline;

namespace DataMesh.Cli.Commands;

/// <summary>
/// <c>datamesh bench backfill</c>: a backfill of a product with many daily partitions, fanned out (one transform activity
/// per partition, then one gate and one publish) against the same backfill as one transform over every archived input,
/// in the same run on the same mesh. Both must give the same rows. Not a test: no thresholds, figures only.
/// </summary>
internal static class BenchBackfillCommand
{
    private const string Domain = BenchProducts.Domain;
    private const string Name = "daily-backfill";

    public static Command Create()
    {
        var days = new Option<int>("--days") { Description = "Daily partitions published (one run each, untimed) and then backfilled.", DefaultValueFactory = _ => 100 };
        var dayRows = new Option<int>("--day-rows") { Description = "Rows of each day's file.", DefaultValueFactory = _ => 20_000 };
        var rounds = new Option<int>("--rounds") { Description = "Timed backfills of each kind, alternated (medians are reported).", DefaultValueFactory = _ => 1 };
        var json = CommonOptions.Json();
        var command = new Command("backfill", "A backfill over many daily partitions: the Durable fan-out (one transform per partition) against one transform over every archived input.")
        {
            days, dayRows, rounds, json,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var root = Path.Combine(Path.GetTempPath(), "datamesh-bench-" + Guid.NewGuid().ToString("N")[..8]);
            Directory.CreateDirectory(root);
            try
            {
                return await RunAsync(root, Math.Max(2, parse.GetValue(days)), Math.Max(1, parse.GetValue(dayRows)), Math.Max(1, parse.GetValue(rounds)), parse.GetValue(json), cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                Directory.Delete(root, recursive: true);
            }
        });
        return command;
    }

    private static async Task<int> RunAsync(string root, int days, int dayRows, int rounds, bool asJson, CancellationToken cancellationToken)
    {
        var options = new LocalMeshOptions { LoadPipelinesFolder = false, StateDirectory = Path.Combine(root, ".datamesh"), Interrupt = cancellationToken, InterruptedBy = "Ctrl+C in datamesh bench" };
        options.ExtraProductDirectories.Add(BenchProducts.WriteDaily(root, Name, "Backfill benchmark product."));
        var files = Path.Combine(root, "files");
        Directory.CreateDirectory(files);
        await using var azurite = await AzuriteServer.StartAsync(
            new AzuriteOptions { AccountKeys = new AzuriteAccountKeys(Path.Combine(options.StateDirectory!, AzuriteAccountKeys.FolderName)) }, cancellationToken).ConfigureAwait(false);
        options.Azurite = azurite;
        await using var mesh = await LocalMesh.StartAsync(options, cancellationToken).ConfigureAwait(false);

        // The history: one file per day, each published by its own run (so archived, each release naming its day).
        var setup = Stopwatch.StartNew();
        for (var d = 1; d <= days; d++)
        {
            var file = Path.Combine(files, $"day-{d:D3}.parquet");
            BenchProducts.Execute(files, $"""
                COPY (
                  SELECT 'E' || lpad({d}::VARCHAR, 4, '0') || '-' || lpad(i::VARCHAR, 8, '0') AS event_id,
                         DATE '2026-01-01' + {d - 1} AS day, (i * 7919) % 1000000 AS customer_id, ((i % 100000) / 100.0)::DECIMAL(18,2) AS amount
                  FROM range({dayRows}) t(i)
                ) TO {Engine.Sql.Literal(file)} (FORMAT parquet, COMPRESSION zstd)
                """);
            var result = await mesh.RunAsync($"{Domain}.{Name}", [file], TimeSpan.FromMinutes(30), cancellationToken).ConfigureAwait(false);
            if (result.Status != PipelineStatus.Published)
            {
                throw new InvalidOperationException($"day {d} did not publish: {result.Status} at {result.Stage}: {result.Error}");
            }
        }

        BenchCommand.Report(asJson, $"published {days} days of {dayRows:N0} rows, one run each, in {setup.Elapsed.TotalSeconds:N1} s");

        var fanOut = new List<double>();
        var single = new List<double>();
        var releases = new List<(string Kind, int Release, long Rows)>();
        for (var round = 1; round <= rounds; round++)
        {
            foreach (var fanned in new[] { false, true })
            {
                var plan = await BackfillPlanner.PlanAsync(mesh.Storage, mesh.Products.Get($"{Domain}.{Name}"), new BackfillRange(), cancellationToken: cancellationToken).ConfigureAwait(false);
                var request = plan.Request ?? throw new InvalidOperationException(plan.Problem);
                if (request.Parts.Count != days)
                {
                    throw new InvalidOperationException($"the backfill planned {request.Parts.Count} parts, not one per day ({days}).");
                }

                // The single-transform path is the same request without its fan-out.
                request = fanned ? request : request with { Parts = [] };
                var clock = Stopwatch.StartNew();
                var result = await mesh.RunAsync(request, TimeSpan.FromMinutes(60), cancellationToken).ConfigureAwait(false);
                var seconds = clock.Elapsed.TotalSeconds;
                if (result.Status != PipelineStatus.Published)
                {
                    throw new InvalidOperationException($"the {(fanned ? "fanned-out" : "single-transform")} backfill did not publish: {result.Status} at {result.Stage}: {result.Error}");
                }

                (fanned ? fanOut : single).Add(seconds);
                releases.Add((fanned ? "fan-out" : "single", result.Release ?? 0, result.Rows ?? 0));
                BenchCommand.Report(asJson, $"round {round}/{rounds}: {(fanned ? $"fan-out ({days} transform activities)" : "one transform")} backfilled {result.Rows:N0} rows into release {result.Release} in {seconds:N2} s "
                    + $"(transform stages {result.Stages.Where(s => s.Stage == "transform").Sum(s => (s.EndedAt - s.StartedAt).TotalSeconds):N1} s summed)");
            }
        }

        var expected = (long)days * dayRows;
        if (releases.Any(r => r.Rows != expected))
        {
            await Console.Error.WriteLineAsync($"error: a backfill published other than {expected:N0} rows: {string.Join(", ", releases.Select(r => $"{r.Kind} release {r.Release}: {r.Rows:N0}"))}.").ConfigureAwait(false);
            return ExitCodes.CheckFailed;
        }

        var (fanMedian, singleMedian) = (BenchStatistics.Median(fanOut), BenchStatistics.Median(single));
        if (asJson)
        {
            CliJson.Write(new { days, dayRows, rounds, singleSeconds = singleMedian, fanOutSeconds = fanMedian, ratio = fanMedian / singleMedian, processorCount = Environment.ProcessorCount });
        }
        else
        {
            Console.WriteLine($"backfill of {days} partitions x {dayRows:N0} rows ({Environment.ProcessorCount} cores): one transform {singleMedian:N2} s, fan-out {fanMedian:N2} s, ratio {fanMedian / singleMedian:N2}x (wall clock, medians of {rounds})");
        }

        return ExitCodes.Success;
    }
}
