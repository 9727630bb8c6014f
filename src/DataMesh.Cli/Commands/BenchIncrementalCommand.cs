using System.CommandLine;
using System.Diagnostics;
using DataMesh.Local;
using DataMesh.Local.Azurite;
using DataMesh.Pipeline;
using Spectre.Console;

namespace DataMesh.Cli.Commands;

/// <summary>
/// <c>datamesh bench incremental</c>: what a release costs once a product is a dataset (issue 16's figures), each against
/// a baseline measured in the same run: appending a day to a 100-day partitioned product against publishing its first
/// day; merging 1% changed keys into a large table, spread over the key range and clustered in one range, each against processing that slice alone (the full load beside it); and a
/// <c>read: changes</c> consumer rebuilding the one partition that changed against building over that slice alone (its
/// first, full build beside it). Run times are the runs' own stage timelines (first stage start to last stage end), so
/// the triggers a release sets off are never counted in another run. Not a test: no thresholds, figures only.
/// </summary>
internal static class BenchIncrementalCommand
{
    private const string Domain = BenchProducts.Domain;

    public static Command Create()
    {
        var days = new Option<int>("--days") { Description = "Daily partitions the product holds before the timed appends.", DefaultValueFactory = _ => 100 };
        var dayRows = new Option<int>("--day-rows") { Description = "Rows of each day's file.", DefaultValueFactory = _ => 100_000 };
        var tableRows = new Option<int>("--table-rows") { Description = "Rows of the merged table.", DefaultValueFactory = _ => 10_000_000 };
        var changed = new Option<double>("--changed") { Description = "Share of the table's keys a merge changes.", DefaultValueFactory = _ => 0.01 };
        var rounds = new Option<int>("--rounds") { Description = "Timed first days and appended days (medians are reported).", DefaultValueFactory = _ => 3 };
        var json = CommonOptions.Json();
        var command = new Command("incremental", "Incremental releases: appending a day to a 100-day partitioned product, merging 1% of 10M keys and a read: changes consumer rebuilding one partition, each against that slice alone, with the full rebuild beside it.")
        {
            days, dayRows, tableRows, changed, rounds, json,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var settings = new Settings(
                Math.Max(2, parse.GetValue(days)), Math.Max(1, parse.GetValue(dayRows)), Math.Max(100, parse.GetValue(tableRows)),
                Math.Clamp(parse.GetValue(changed), 0.0001, 1), Math.Max(1, parse.GetValue(rounds)));
            var asJson = parse.GetValue(json);
            var root = Path.Combine(Path.GetTempPath(), "datamesh-bench-" + Guid.NewGuid().ToString("N")[..8]);
            Directory.CreateDirectory(root);
            try
            {
                return await RunAsync(root, settings, asJson, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                Directory.Delete(root, recursive: true);
            }
        });
        return command;
    }

    private static async Task<int> RunAsync(string root, Settings settings, bool asJson, CancellationToken cancellationToken)
    {
        var firsts = Enumerable.Range(1, settings.Rounds).Select(r => $"first-{r}").ToList();
        var options = new LocalMeshOptions { LoadPipelinesFolder = false, StateDirectory = Path.Combine(root, ".datamesh"), Interrupt = cancellationToken, InterruptedBy = "Ctrl+C in datamesh bench" };
        foreach (var name in firsts.Prepend("warm").Append("daily"))
        {
            options.ExtraProductDirectories.Add(WriteDaily(root, name));
        }

        options.ExtraProductDirectories.Add(WriteTotals(root, "totals", "daily"));
        options.ExtraProductDirectories.Add(WriteTotals(root, "totals-slice", firsts[0]));
        options.ExtraProductDirectories.Add(WriteCustomers(root, "customers"));
        options.ExtraProductDirectories.Add(WriteCustomers(root, "customers-slice"));
        options.ExtraProductDirectories.Add(WriteCustomers(root, "customers-clustered-slice"));

        var files = Path.Combine(root, "files");
        Directory.CreateDirectory(files);
        var generate = Stopwatch.StartNew();
        var day = Enumerable.Range(1, settings.Days + settings.Rounds).ToDictionary(d => d, d => Path.Combine(files, $"day-{d:D3}.parquet"));
        WriteDay(day[1], 1, 1, settings.DayRows);
        WriteDay(Path.Combine(files, $"days-002-{settings.Days:D3}.parquet"), 2, settings.Days, settings.DayRows);
        for (var d = settings.Days + 1; d <= settings.Days + settings.Rounds; d++)
        {
            WriteDay(day[d], d, d, settings.DayRows);
        }

        var table = Path.Combine(files, "customers-full.parquet");
        var changes = Path.Combine(files, "customers-changes.parquet");
        var clustered = Path.Combine(files, "customers-clustered.parquet");
        var changedRows = Math.Max(1, (int)(settings.TableRows * settings.Changed));
        WriteCustomers(table, changes, clustered, settings.TableRows, changedRows);
        Report(asJson, $"generated {settings.Days} days of {settings.DayRows:N0} rows and a table of {settings.TableRows:N0} rows with {changedRows:N0} changed keys in {generate.Elapsed.TotalSeconds:N1} s");

        // The mesh's own accounts (hub and one per domain), keyed in the bench's state folder.
        await using var azurite = await AzuriteServer.StartAsync(
            new AzuriteOptions { AccountKeys = new AzuriteAccountKeys(Path.Combine(options.StateDirectory!, AzuriteAccountKeys.FolderName)) }, cancellationToken).ConfigureAwait(false);
        options.Azurite = azurite;
        await using var mesh = await LocalMesh.StartAsync(options, cancellationToken).ConfigureAwait(false);

        // Warm-up: the first run of a process also pays for loading and compiling the code.
        await PublishAsync(mesh, "warm", day[1], cancellationToken).ConfigureAwait(false);

        // Day 1 of fresh products: what a day costs with nothing before it (the first also feeds the slice consumer).
        var firstDay = new List<double>();
        foreach (var name in firsts)
        {
            firstDay.Add(await PublishAsync(mesh, name, day[1], cancellationToken).ConfigureAwait(false));
            Report(asJson, $"{name}: day 1 published in {firstDay[^1]:N2} s");
        }

        var sliceConsumer = await SettledRunAsync(mesh, "totals-slice", cancellationToken).ConfigureAwait(false);
        Report(asJson, $"totals-slice: built over one day in {sliceConsumer:N2} s");

        // The product's history: day 1, then days 2..N in one file (untimed); its consumer's first build reads all of it.
        await PublishAsync(mesh, "daily", day[1], cancellationToken).ConfigureAwait(false);
        await SettledRunAsync(mesh, "totals", cancellationToken).ConfigureAwait(false);
        await PublishAsync(mesh, "daily", Path.Combine(files, $"days-002-{settings.Days:D3}.parquet"), cancellationToken).ConfigureAwait(false);
        var fullConsumer = await SettledRunAsync(mesh, "totals", cancellationToken).ConfigureAwait(false);
        Report(asJson, $"daily: {settings.Days} days published; totals rebuilt over days 2-{settings.Days} in {fullConsumer:N2} s");

        var appended = new List<double>();
        var incrementalConsumer = new List<double>();
        for (var d = settings.Days + 1; d <= settings.Days + settings.Rounds; d++)
        {
            appended.Add(await PublishAsync(mesh, "daily", day[d], cancellationToken).ConfigureAwait(false));
            incrementalConsumer.Add(await SettledRunAsync(mesh, "totals", cancellationToken).ConfigureAwait(false));
            Report(asJson, $"daily: day {d} published in {appended[^1]:N2} s; totals rebuilt that partition in {incrementalConsumer[^1]:N2} s");
        }

        // Merge: the full table, then the changed keys into it; the same changes into an empty product is the slice alone.
        var fullLoad = await PublishAsync(mesh, "customers", table, cancellationToken).ConfigureAwait(false);
        Report(asJson, $"customers: {settings.TableRows:N0} rows loaded in {fullLoad:N2} s");
        var merge = await PublishAsync(mesh, "customers", changes, cancellationToken).ConfigureAwait(false);
        var slice = await PublishAsync(mesh, "customers-slice", changes, cancellationToken).ConfigureAwait(false);
        Report(asJson, $"customers: {changedRows:N0} changed keys merged in {merge:N2} s; the same rows alone in {slice:N2} s");

        // Clustered: as many changed keys in one narrow range (recent customers), merged into the same table after the spread ones.
        var clusteredMerge = await PublishAsync(mesh, "customers", clustered, cancellationToken).ConfigureAwait(false);
        var clusteredSlice = await PublishAsync(mesh, "customers-clustered-slice", clustered, cancellationToken).ConfigureAwait(false);
        Report(asJson, $"customers: {changedRows:N0} changed keys of one range merged in {clusteredMerge:N2} s; the same rows alone in {clusteredSlice:N2} s");

        var snapshot = await new Consumption.ReleaseReader(mesh.Storage, Path.Combine(root, "cache")).SelectAsync($"{Domain}.daily", null, cancellationToken).ConfigureAwait(false);
        var expectedRows = (long)(settings.Days + settings.Rounds) * settings.DayRows;
        if (snapshot?.Manifest.Rows != expectedRows)
        {
            await Console.Error.WriteLineAsync($"error: {Domain}.daily holds {snapshot?.Manifest.Rows:N0} rows, not the {expectedRows:N0} of its {settings.Days + settings.Rounds} days: the appends did not build on each other.").ConfigureAwait(false);
            return ExitCodes.CheckFailed;
        }

        var customers = await new Consumption.ReleaseReader(mesh.Storage, Path.Combine(root, "cache")).SelectAsync($"{Domain}.customers", null, cancellationToken).ConfigureAwait(false);
        var expectedCustomers = (long)settings.TableRows + (changedRows / 10);
        if (customers?.Manifest.Rows != expectedCustomers)
        {
            await Console.Error.WriteLineAsync($"error: {Domain}.customers holds {customers?.Manifest.Rows:N0} rows, not the {expectedCustomers:N0} of its load and merges.").ConfigureAwait(false);
            return ExitCodes.CheckFailed;
        }

        var rows = new List<Row>
        {
            new($"append day {settings.Days + 1} of {settings.Days}", $"day 1 of an empty product", BenchStatistics.Median(firstDay), BenchStatistics.Median(appended), null),
            new($"merge {changedRows:N0} changed keys (spread) into {settings.TableRows:N0} rows", "the same rows alone", slice, merge, fullLoad),
            new($"merge {changedRows:N0} changed keys (clustered) into {settings.TableRows:N0} rows", "the same rows alone", clusteredSlice, clusteredMerge, fullLoad),
            new($"read: changes consumer, 1 changed partition of {settings.Days + 1}", "built over that day alone", sliceConsumer, BenchStatistics.Median(incrementalConsumer), fullConsumer),
        };
        Print(asJson, settings, rows);
        return ExitCodes.Success;
    }

    /// <summary>Publishes one file into a product and returns the run's time from its own stage timeline.</summary>
    private static async Task<double> PublishAsync(LocalMesh mesh, string name, string file, CancellationToken cancellationToken)
    {
        var spec = mesh.Products.Get($"{Domain}.{name}");
        var copy = Path.Combine(Path.GetDirectoryName(file)!, $"{name}-{Guid.NewGuid():N}"[..20] + Path.GetExtension(file));
        File.Copy(file, copy);
        try
        {
            var blob = await mesh.UploadToLandingAsync(spec, copy, cancellationToken).ConfigureAwait(false);
            var result = await mesh.RunAsync(
                new PipelineRequest { RunId = $"bench-{name}-{Guid.NewGuid():N}"[..40], ProductId = spec.Id, LandingBlobs = [blob], Trigger = "bench" },
                TimeSpan.FromMinutes(30), cancellationToken).ConfigureAwait(false);
            return result.Status == PipelineStatus.Published
                ? Seconds(result)
                : throw new InvalidOperationException($"{spec.Id} did not publish {Path.GetFileName(file)}: {result.Status} at {result.Stage}: {result.Error}");
        }
        finally
        {
            File.Delete(copy);
        }
    }

    /// <summary>Runs what the last release triggered and returns the time of <paramref name="name"/>'s run among them.</summary>
    private static async Task<double> SettledRunAsync(LocalMesh mesh, string name, CancellationToken cancellationToken)
    {
        var results = await mesh.SettleAsync(TimeSpan.FromMinutes(30), cancellationToken).ConfigureAwait(false);
        var run = results.LastOrDefault(r => r.Product == $"{Domain}.{name}")
            ?? throw new InvalidOperationException($"{Domain}.{name} was not rebuilt by its upstream's release (runs seen: {string.Join(", ", results.Select(r => r.Product))}).");
        return run.Status == PipelineStatus.Published
            ? Seconds(run)
            : throw new InvalidOperationException($"{run.Product} did not publish: {run.Status} at {run.Stage}: {run.Error}");
    }

    private static double Seconds(PipelineResult result) =>
        result.Stages.Count == 0 ? 0 : (result.Stages.Max(s => s.EndedAt) - result.Stages.Min(s => s.StartedAt)).TotalSeconds;

    private static void WriteDay(string path, int from, int to, int rowsPerDay) => BenchProducts.Execute(Path.GetDirectoryName(path)!, $"""
        COPY (
          SELECT 'E' || lpad(d::VARCHAR, 4, '0') || '-' || lpad(i::VARCHAR, 8, '0') AS event_id,
                 DATE '2026-01-01' + (d - 1)::INTEGER AS day,
                 (i * 7919) % 1000000 AS customer_id,
                 ((i % 100000) / 100.0)::DECIMAL(18,2) AS amount
          FROM range({from}, {to + 1}) r(d), range({rowsPerDay}) t(i)
        ) TO {Engine.Sql.Literal(path)} (FORMAT parquet, COMPRESSION zstd)
        """);

    /// <summary>
    /// The full table; its changed keys spread over the whole key range (a multiplier prime to the size); and as many
    /// changed keys clustered in one range (consecutive keys at the top of the table, the last tenth of them new: recent customers).
    /// </summary>
    private static void WriteCustomers(string full, string changes, string clustered, int rows, int changed) => BenchProducts.Execute(Path.GetDirectoryName(full)!, $"""
        COPY (
          SELECT i AS customer_id, 'Customer ' || i AS name, ['retail', 'business', 'public'][1 + i % 3] AS segment, DATE '2026-01-01' AS updated_on
          FROM range({rows}) t(i)
        ) TO {Engine.Sql.Literal(full)} (FORMAT parquet, COMPRESSION zstd);
        COPY (
          SELECT (i * 99991) % {rows} AS customer_id, 'Customer ' || i || ' (moved)' AS name, 'business' AS segment, DATE '2026-02-01' AS updated_on
          FROM range({changed}) t(i)
        ) TO {Engine.Sql.Literal(changes)} (FORMAT parquet, COMPRESSION zstd);
        COPY (
          SELECT {rows} - {changed - (changed / 10)} + i AS customer_id, 'Customer ' || i || ' (renamed)' AS name, 'public' AS segment, DATE '2026-03-01' AS updated_on
          FROM range({changed}) t(i)
        ) TO {Engine.Sql.Literal(clustered)} (FORMAT parquet, COMPRESSION zstd);
        """);

    private static string WriteDaily(string root, string name) => BenchProducts.WriteDaily(root, name, "Incremental benchmark product.");

    private static string WriteTotals(string root, string name, string upstream) => WriteProduct(root, name, $$"""
        inputs:
          - name: events
            product: {{Domain}}.{{upstream}}
            read: changes
        transform: { sql: transform.sql }
        output: { contract: contract.odcs.yaml, mode: partitions, partitionBy: [day] }
        """,
        "SELECT day, count(*) AS events, sum(amount) AS amount FROM events GROUP BY day",
        """
              - { name: day, physicalType: date, required: true }
              - { name: events, physicalType: bigint }
              - { name: amount, physicalType: "decimal(38,2)" }
        """);

    private static string WriteCustomers(string root, string name) => WriteProduct(root, name, $$"""
        inputs:
          - name: customers
            landing: { path: {{name}}/, format: parquet }
        transform: { sql: transform.sql }
        output: { contract: contract.odcs.yaml, mode: merge, key: [customer_id] }
        """,
        "SELECT customer_id, name, segment, updated_on FROM customers",
        """
              - { name: customer_id, physicalType: bigint, required: true, unique: true }
              - { name: name, physicalType: varchar }
              - { name: segment, physicalType: varchar }
              - { name: updated_on, physicalType: date }
        """);

    private static string WriteProduct(string root, string name, string body, string sql, string properties) =>
        BenchProducts.Write(root, name, "Incremental benchmark product.", body, sql, properties);

    private static void Report(bool quiet, string line) => BenchCommand.Report(quiet, line);

    private static void Print(bool asJson, Settings settings, IReadOnlyList<Row> rows)
    {
        if (asJson)
        {
            CliJson.Write(new
            {
                benchmark = "incremental releases",
                setup = settings,
                rows = rows.Select(r => new
                {
                    measure = r.Measure,
                    baseline = r.BaselineName,
                    baselineSeconds = Math.Round(r.Baseline, 3),
                    seconds = Math.Round(r.Value, 3),
                    ratio = Math.Round(r.Value / r.Baseline, 2),
                    fullRebuildSeconds = r.FullRebuild is { } full ? Math.Round(full, 3) : (double?)null,
                }),
            });
            return;
        }

        AnsiConsole.MarkupLine($"[bold]incremental releases[/]: {settings.Days} daily partitions of {settings.DayRows:N0} rows, a table of {settings.TableRows:N0} rows, medians of {settings.Rounds}");
        var table = new Table().Border(TableBorder.Rounded).AddColumns("measure", "baseline", "baseline time", "time", "ratio", "full rebuild");
        foreach (var row in rows)
        {
            table.AddRow(
                Markup.Escape(row.Measure), Markup.Escape(row.BaselineName), Format(row.Baseline), Format(row.Value), $"{row.Value / row.Baseline:N2}×",
                row.FullRebuild is { } full ? Format(full) : "");
        }

        AnsiConsole.Write(table);
    }

    private static string Format(double seconds) => seconds < 1 ? $"{seconds * 1000:N0} ms" : $"{seconds:N2} s";

    private sealed record Settings(int Days, int DayRows, int TableRows, double Changed, int Rounds);

    private sealed record Row(string Measure, string BaselineName, double Baseline, double Value, double? FullRebuild);
}
