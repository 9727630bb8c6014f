using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using DataMesh.Local;
using DataMesh.Local.Azurite;
using DataMesh.Pipeline;
using Spectre.Console;

namespace DataMesh.Cli.Commands;

/// <summary>
/// <c>datamesh bench coldstart</c>: how much a fresh process pays before its first run ends, against the same run done
/// warm (a second run in the same process), for a sample-sized input and a large one. Each fresh process is a child
/// started by the bench; the storage (an Azurite in memory) is started once by the bench, as in Azure the storage
/// service is already there when an instance starts. Not a test: no thresholds, figures only.
/// </summary>
internal static class BenchColdStartCommand
{
    /// <summary>Rows of the sample-sized input: a run whose time is all overhead (start-up, orchestration, JIT).</summary>
    private const int SampleRows = 1_000;

    public static Command Create()
    {
        var rows = new Option<int>("--rows") { Description = "Rows of the large input (the sample input has 1,000).", DefaultValueFactory = _ => 5_000_000 };
        var rounds = new Option<int>("--rounds") { Description = "Fresh processes per input size; medians are reported.", DefaultValueFactory = _ => 1 };
        var env = new Option<string[]>("--env")
        {
            Description = "NAME=VALUE set in the fresh processes' environment (repeatable), to compare runtime settings, e.g. DOTNET_TieredPGO=0.",
            AllowMultipleArgumentsPerToken = false,
        };
        var json = CommonOptions.Json();
        // The child's side: the bench's folder, the input file and the namespace it runs in. Not for people.
        var probe = new Option<string[]>("--probe") { Hidden = true, Arity = new ArgumentArity(3, 3), AllowMultipleArgumentsPerToken = true };
        var command = new Command("coldstart", "Time from process start to the first completed run (a sample input and a --rows one) in fresh processes, against the same runs done warm.")
        {
            rows, rounds, env, json, probe,
        };
        rounds.Validators.Add(result =>
        {
            if (result.GetValueOrDefault<int>() < 1)
            {
                result.AddError("--rounds must be at least 1.");
            }
        });
        env.Validators.Add(result =>
        {
            foreach (var pair in result.GetValueOrDefault<string[]>() ?? [])
            {
                if (pair.IndexOf('=', StringComparison.Ordinal) <= 0)
                {
                    result.AddError($"--env {pair}: expected NAME=VALUE, e.g. --env DOTNET_TieredPGO=0.");
                }
            }
        });
        command.SetAction(async (parse, cancellationToken) => parse.GetValue(probe) is { Length: 3 } child
            ? await ProbeAsync(child[0], child[1], child[2], cancellationToken).ConfigureAwait(false)
            : await BenchAsync(parse.GetValue(rows), parse.GetValue(rounds), parse.GetValue(env) ?? [], parse.GetValue(json), cancellationToken).ConfigureAwait(false));
        return command;
    }

    private static async Task<int> BenchAsync(int rowCount, int roundCount, string[] environment, bool asJson, CancellationToken cancellationToken)
    {
        var root = Directory.CreateTempSubdirectory("datamesh-bench-coldstart-").FullName;
        try
        {
            BenchCommand.WriteProduct(root);
            var sample = Path.Combine(root, "sample.csv");
            var large = Path.Combine(root, "large.csv");
            BenchCommand.GenerateCsv(sample, SampleRows);
            BenchCommand.GenerateCsv(large, rowCount);
            BenchCommand.Report(asJson, $"generated {SampleRows:N0} and {rowCount:N0} rows ({new FileInfo(large).Length / 1e6:N0} MB)");

            // One Azurite for every child, recorded in the bench's state folder: each child attaches to it.
            var state = Path.Combine(root, ".datamesh");
            await using var azurite = await AzuriteServer.StartAsync(
                new AzuriteOptions { AccountKeys = new AzuriteAccountKeys(Path.Combine(state, AzuriteAccountKeys.FolderName)) }, cancellationToken).ConfigureAwait(false);
            azurite.RecordIn(state);

            var sizes = new List<SizeFigures>();
            var child = 0;
            foreach (var (label, csv, inputRows) in new[] { ("sample", sample, SampleRows), ("large", large, rowCount) })
            {
                var probes = new List<ProbeFigures>();
                for (var round = 1; round <= roundCount; round++)
                {
                    var figures = await RunChildAsync(root, csv, $"cs{++child}", environment, cancellationToken).ConfigureAwait(false);
                    probes.Add(figures);
                    BenchCommand.Report(asJson, $"{label} ({inputRows:N0} rows), fresh process {round}/{roundCount}: first run done {figures.FreshSeconds:N2} s after process start, warm run {figures.WarmSeconds:N2} s");
                }

                sizes.Add(SizeFigures.Of(label, inputRows, probes));
            }

            var report = new ColdStartReport(roundCount, environment, sizes);
            if (asJson)
            {
                CliJson.Write(report);
            }
            else
            {
                Write(report);
            }

            return ExitCodes.Success;
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static void Write(ColdStartReport report)
    {
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumns($"input (median of {report.Rounds} fresh process{(report.Rounds == 1 ? "" : "es")})", "fresh: process start → first run done", "warm: same run, second in the process", "ratio fresh / warm");
        foreach (var size in report.Sizes)
        {
            table.AddRow($"{size.Input} ({size.Rows:N0} rows)", $"{size.FreshSeconds:N2} s", $"{size.WarmSeconds:N2} s", $"{size.Ratio:N2}×");
            table.AddRow("[grey]  runtime start → main[/]", $"[grey]{size.MainSeconds:N2} s[/]", "", "");
            table.AddRow("[grey]  main → mesh ready (storage, durable engine, topics)[/]", $"[grey]{size.StartSeconds - size.MainSeconds:N2} s[/]", "", "");
            table.AddRow("[grey]  first run[/]", $"[grey]{size.FirstRunSeconds:N2} s[/]", $"[grey]{size.WarmSeconds:N2} s[/]", $"[grey]{size.FirstRunRatio:N2}×[/]");
        }

        if (report.Environment.Count > 0)
        {
            table.Caption($"fresh processes ran with {string.Join(' ', report.Environment)}");
        }

        AnsiConsole.Write(table);
    }

    /// <summary>Starts a fresh <c>datamesh</c> process on one input and reads the figures it prints.</summary>
    private static async Task<ProbeFigures> RunChildAsync(string root, string csv, string ns, IReadOnlyList<string> environment, CancellationToken cancellationToken)
    {
        var start = SelfStart();
        foreach (var arg in new[] { "bench", "coldstart", "--probe", root, csv, ns })
        {
            start.ArgumentList.Add(arg);
        }

        (start.RedirectStandardOutput, start.RedirectStandardError, start.UseShellExecute) = (true, true, false);
        foreach (var pair in environment)
        {
            var at = pair.IndexOf('=', StringComparison.Ordinal);
            start.Environment[pair[..at]] = pair[(at + 1)..];
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {start.FileName} for a fresh-process run.");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        try
        {
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        var output = await stdout.ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"The fresh-process run exited {process.ExitCode}: {(await stderr.ConfigureAwait(false)).Trim()}");
        }

        // The child prints one JSON document on stdout and nothing else there.
        try
        {
            return JsonSerializer.Deserialize<ProbeFigures>(output, CliJson.Options) ?? throw new JsonException("null");
        }
        catch (JsonException ex)
        {
            throw new InvalidOperationException($"The fresh-process run did not print its figures ({ex.Message}): {output.Trim()}", ex);
        }
    }

    /// <summary>This CLI as a new process: the app host itself, or <c>dotnet datamesh.dll</c> when it was started that way.</summary>
    private static ProcessStartInfo SelfStart()
    {
        var host = Environment.ProcessPath ?? throw new InvalidOperationException("The path of this process is unknown: cannot start a fresh one.");
        if (Path.GetFileNameWithoutExtension(host).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
        {
            var start = new ProcessStartInfo(host);
            start.ArgumentList.Add(typeof(BenchColdStartCommand).Assembly.Location);
            return start;
        }

        return new ProcessStartInfo(host);
    }

    /// <summary>
    /// The fresh process's side: start the local mesh on the bench's Azurite, run the input once (the first run of this
    /// process) and once more (warm), print the figures as one JSON line. The upload to landing is not counted: in Azure
    /// the file is in storage before a run starts.
    /// </summary>
    private static async Task<int> ProbeAsync(string root, string csv, string ns, CancellationToken cancellationToken)
    {
        var main = SinceProcessStart();
        var state = Path.Combine(root, ".datamesh");
        await using var azurite = await AzuriteServer.AttachOrStartAsync(state, cancellationToken: cancellationToken).ConfigureAwait(false);
        var options = new LocalMeshOptions
        {
            LoadPipelinesFolder = false,
            StateDirectory = state,
            Azurite = azurite,
            Namespace = ns,
            Interrupt = cancellationToken,
            InterruptedBy = "Ctrl+C in datamesh bench coldstart",
        };
        options.ExtraProductDirectories.Add(Path.Combine(root, "ledger"));
        await using var mesh = await LocalMesh.StartAsync(options, cancellationToken).ConfigureAwait(false);
        var ready = SinceProcessStart();
        var upload = Stopwatch.StartNew();
        var blob = await mesh.UploadToLandingAsync(mesh.Products.Get("bench.ledger"), csv, cancellationToken).ConfigureAwait(false);
        upload.Stop();

        var first = await TimeRunAsync(mesh, blob, cancellationToken).ConfigureAwait(false);
        await BenchCommand.RestageAsync(mesh, "bench", blob, cancellationToken).ConfigureAwait(false);
        var warm = await TimeRunAsync(mesh, blob, cancellationToken).ConfigureAwait(false);
        CliJson.Write(new ProbeFigures(main, ready, first.Seconds, ready + first.Seconds, warm.Seconds, upload.Elapsed.TotalSeconds, first.Rows));
        return ExitCodes.Success;
    }

    private static async Task<(double Seconds, long Rows)> TimeRunAsync(LocalMesh mesh, string blob, CancellationToken cancellationToken)
    {
        var request = new PipelineRequest { RunId = "coldstart-" + Guid.NewGuid().ToString("N")[..8], ProductId = "bench.ledger", LandingBlobs = [blob], Trigger = "bench" };
        var watch = Stopwatch.StartNew();
        var result = await mesh.RunAsync(request, cancellationToken: cancellationToken).ConfigureAwait(false);
        watch.Stop();
        return result.Status == PipelineStatus.Published
            ? (watch.Elapsed.TotalSeconds, result.Rows ?? 0)
            : throw new InvalidOperationException($"The cold-start benchmark run ended {result.Status}: {result.Error}");
    }

    /// <summary>Seconds since the OS started this process (before the runtime loaded), by the process's own clock.</summary>
    private static double SinceProcessStart()
    {
        using var self = Process.GetCurrentProcess();
        return (DateTime.Now - self.StartTime).TotalSeconds;
    }

    /// <summary>What one fresh process measured, in seconds since its start or of a run.</summary>
    internal sealed record ProbeFigures(double MainSeconds, double StartSeconds, double FirstRunSeconds, double FreshSeconds, double WarmSeconds, double UploadSeconds, long RowsOut);

    /// <summary>One input size: medians over its fresh processes, and fresh against warm.</summary>
    internal sealed record SizeFigures(
        string Input, int Rows, long RowsOut, double MainSeconds, double StartSeconds, double FirstRunSeconds, double FreshSeconds, double WarmSeconds, double Ratio, double FirstRunRatio,
        IReadOnlyList<double> FreshSamples, IReadOnlyList<double> WarmSamples)
    {
        public static SizeFigures Of(string input, int rows, IReadOnlyList<ProbeFigures> probes)
        {
            var (fresh, warm, first) = (BenchStatistics.Median(probes.Select(p => p.FreshSeconds)), BenchStatistics.Median(probes.Select(p => p.WarmSeconds)), BenchStatistics.Median(probes.Select(p => p.FirstRunSeconds)));
            return new SizeFigures(
                input,
                rows,
                probes[0].RowsOut,
                Round(BenchStatistics.Median(probes.Select(p => p.MainSeconds))),
                Round(BenchStatistics.Median(probes.Select(p => p.StartSeconds))),
                Round(first),
                Round(fresh),
                Round(warm),
                Math.Round(fresh / warm, 2),
                Math.Round(first / warm, 2),
                probes.Select(p => Round(p.FreshSeconds)).ToList(),
                probes.Select(p => Round(p.WarmSeconds)).ToList());
        }

        private static double Round(double seconds) => Math.Round(seconds, 3);
    }

    /// <summary>The bench's figures: per input size, fresh against warm; the environment the fresh processes had.</summary>
    internal sealed record ColdStartReport(int Rounds, IReadOnlyList<string> Environment, IReadOnlyList<SizeFigures> Sizes);
}
