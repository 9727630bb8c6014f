using System.CommandLine;
using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using DataMesh.Catalog;
using DataMesh.Consumption;
using DataMesh.Engine;
using DataMesh.Local;
using DataMesh.Publishing;
using DataMesh.Specs;
using Spectre.Console;

namespace DataMesh.Cli.Commands;

/// <summary>
/// <c>datamesh query ID[@RANGE|@VERSION#RELEASE] "SQL"</c>: DuckDB SQL over a product's newest release in the range (or
/// one exact release: time travel) of the local mesh; the release's whole snapshot is a view named after the product in snake_case.
/// </summary>
internal static class QueryCommand
{
    /// <summary>Releases at least this large show live progress while they download.</summary>
    private const long LargeReleaseBytes = 16L * 1024 * 1024;

    /// <summary>Rows the table format shows; csv and json write every row.</summary>
    private const int MaxTableRows = 10_000;

    /// <summary>How long a query may run unless <c>--timeout</c> says otherwise.</summary>
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(15);

    public static Command Create()
    {
        var target = new Argument<string>("ID") { Description = "Product id, optionally @RANGE (npm semver, e.g. @^1) or @VERSION#RELEASE (e.g. @1.0.0#2)." };
        var sql = new Argument<string>("SQL") { Description = "One SELECT; the product is the view named like it in snake_case (finance.ledger-emea → ledger_emea)." };
        var format = new Option<string>("--format") { Description = "table, csv, json or parquet.", DefaultValueFactory = _ => "table" };
        format.AcceptOnlyFromAmong("table", "csv", "json", "parquet");
        var output = new Option<FileInfo?>("--out") { Description = "Write the result to this file instead of stdout (required for parquet)." };
        var reader = new Option<string?>("--as")
        {
            Description = "Read as this domain, under the product's access rules (public, domain, restricted + readers); without it you read as the mesh operator.",
        };
        var timeoutOption = new Option<string?>("--timeout")
        {
            Description = "Stop the query after this long: an ISO 8601 duration (PT30S, PT10M, PT1H) or hh:mm:ss; default PT15M.",
        };
        var command = new Command("query", "Run DuckDB SQL over a product's newest release in a version range, or over one exact release.") { target, sql, format, output, reader, timeoutOption };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var (productId, selector) = ReleaseReader.ParseTarget(parse.GetValue(target)!);
            if (!ProductIds.TrySplit(productId, out var domain, out _))
            {
                await Console.Error.WriteLineAsync($"error: '{productId}' is not a product id (<domain>.<name>).").ConfigureAwait(false);
                return ExitCodes.UsageOrEnvironment;
            }

            var asFormat = parse.GetValue(format)!;
            var outFile = parse.GetValue(output);
            if (asFormat == "parquet" && outFile is null)
            {
                await Console.Error.WriteLineAsync("error: --format parquet needs --out FILE.").ConfigureAwait(false);
                return ExitCodes.UsageOrEnvironment;
            }

            // Checked before anything runs: a result with nowhere to go is the environment's problem (exit 2), not the query's.
            if (outFile?.Directory is { Exists: false } folder)
            {
                await Console.Error.WriteLineAsync($"error: --out {outFile}: the folder {folder.FullName} does not exist; create it or write elsewhere.").ConfigureAwait(false);
                return ExitCodes.UsageOrEnvironment;
            }

            if (MeshFolder.Missing(new LocalMeshOptions()) is { } missing)
            {
                await Console.Error.WriteLineAsync(missing).ConfigureAwait(false);
                return ExitCodes.UsageOrEnvironment;
            }

            if (!TryReadTimeout(parse.GetValue(timeoutOption), out var timeout))
            {
                await Console.Error.WriteLineAsync($"error: --timeout '{parse.GetValue(timeoutOption)}' is not a positive duration; write e.g. PT30S, PT10M or 00:10:00.").ConfigureAwait(false);
                return ExitCodes.UsageOrEnvironment;
            }

            await using var storage = await LocalStorage.OpenAsync(new LocalMeshOptions(), cancellationToken).ConfigureAwait(false);
            if (parse.GetValue(reader) is { } readerDomain)
            {
                // The catalog holds each product's access as registered from its spec; unknown → treated as domain-only.
                var product = await new CatalogReader(storage.Storage).GetProductAsync(productId, cancellationToken).ConfigureAwait(false);
                var caller = DataReader.ForDomain(readerDomain);
                if (!caller.CanRead(domain, product?.Visibility ?? "domain", product?.Readers ?? []))
                {
                    var readers = product is { Readers.Count: > 0 } ? $" (readers: {string.Join(", ", product.Readers)})" : "";
                    await Console.Error.WriteLineAsync(
                        $"error: {productId} is {product?.Visibility ?? "not in the catalog, so read as domain-only"}{readers}; {caller} may not read it. Ask its owners ({product?.OwnerEmail ?? domain}) for access.").ConfigureAwait(false);
                    return ExitCodes.CheckFailed;
                }
            }

            var releases = new ReleaseReader(storage.Storage, new ReleaseCache(ReleaseCacheOptions.FromEnvironment(Environment.GetEnvironmentVariable)));
            ReleaseSelection? found;
            try
            {
                found = await releases.SelectAsync(productId, selector, cancellationToken).ConfigureAwait(false);
            }
            catch (FormatException ex)
            {
                await Console.Error.WriteLineAsync($"error: {ex.Message}").ConfigureAwait(false);
                return ExitCodes.UsageOrEnvironment;
            }
            catch (ReleaseExpiredException ex)
            {
                await Console.Error.WriteLineAsync($"error: {ex.Message}").ConfigureAwait(false);
                return ExitCodes.CheckFailed;
            }

            if (found is null)
            {
                // Time travel reaches retained releases only: an exact one may never have been published, or retention removed it.
                var exact = selector is not null && selector.Contains('#', StringComparison.Ordinal) ? " (never published, or no longer retained)" : "";
                await Console.Error.WriteLineAsync($"error: {productId} has no published release matching '{selector ?? "*"}' in this mesh{exact} (see `datamesh catalog show {productId}`).").ConfigureAwait(false);
                return ExitCodes.CheckFailed;
            }

            if (found.NewerOutsideRange is { } newer)
            {
                await Console.Error.WriteLineAsync($"warning: {productId} has a newer release {newer} outside your range {selector}; reading {found.Version}#{found.Release}.").ConfigureAwait(false);
            }

            // Each query spills into a folder of its own, deleted when it ends; folders of killed queries are swept here.
            QueryScratch.SweepStale(Path.GetTempPath());
            var scratch = QueryScratch.Create(Path.GetTempPath());
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            limit.CancelAfter(timeout);
            try
            {
                // A large release shows its download and the query as they go (on stderr or a transient spinner: stdout
                // holds only the result).
                var bytes = found.Manifest.Files.Sum(f => f.Size);
                var quiet = bytes < LargeReleaseBytes;
                // The lease keeps the release in the cache (no eviction) until the query is done.
                using var local = await CliProgress.StepsAsync(quiet, $"{productId} {found.Version}#{found.Release}", async step =>
                {
                    step($"downloading {found.Manifest.Files.Count} file(s), {bytes / 1e6:N1} MB (kept in the local cache)");
                    var lease = await releases.EnsureLocalAsync(found, cancellationToken).ConfigureAwait(false);
                    step($"querying {found.Manifest.Rows:N0} rows");
                    return lease;
                }).ConfigureAwait(false);
                // The query may read the release and nothing else: --out's folder is never opened to it (a folder the
                // query may write is a folder it may read). A Parquet result is written into the query's own empty
                // folder, then moved to --out; CSV and JSON are written by this process as the rows stream.
                var parquetDirectory = Path.Combine(scratch, "out");
                Directory.CreateDirectory(parquetDirectory);
                using var session = await releases.OpenSessionAsync(found, local.Files, scratch, asFormat == "parquet" ? parquetDirectory : null).ConfigureAwait(false);
                try
                {
                    var select = session.RequireSingleSelect(parse.GetValue(sql)!, "the query");
                    return Write(session, select, asFormat, outFile, parquetDirectory, limit.Token);
                }
                catch (Exception ex) when (ex is InvalidOperationException or DuckDB.NET.Data.DuckDBException)
                {
                    await Console.Error.WriteLineAsync($"error: {InputBinder.Shorten(ex.Message, 600)}").ConfigureAwait(false);
                    return ExitCodes.CheckFailed;
                }
                catch (OperationCanceledException) when (limit.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
                {
                    await Console.Error.WriteLineAsync(
                        $"error: the query ran past its time limit of {timeout} and was stopped; narrow it, or give it more time with --timeout (e.g. --timeout PT1H).").ConfigureAwait(false);
                    return ExitCodes.CheckFailed;
                }
            }
            finally
            {
                QueryScratch.Delete(scratch);
            }
        });
        return command;
    }

    private static int Write(DuckDbSession session, string select, string format, FileInfo? outFile, string parquetDirectory, CancellationToken cancellationToken)
    {
        if (format == "parquet")
        {
            var written = Path.Combine(parquetDirectory, "result.parquet");
            session.Execute($"COPY (\n{select}\n) TO {Sql.Literal(written)} (FORMAT parquet, COMPRESSION zstd)", cancellationToken);
            File.Move(written, outFile!.FullName, overwrite: true);
            return ExitCodes.Success;
        }

        switch (format)
        {
            case "json":
                using (var stream = outFile is null ? Console.OpenStandardOutput() : File.Create(outFile.FullName))
                {
                    session.Stream(select, reader => QueryResultWriter.WriteJson(reader, stream, CliJson.Options, cancellationToken), cancellationToken);
                    stream.Write("\n"u8);
                }

                break;
            case "csv":
                using (var writer = outFile is null ? null : new StreamWriter(outFile.FullName))
                {
                    var target = writer ?? Console.Out;
                    session.Stream(select, reader => QueryResultWriter.WriteCsv(reader, target, cancellationToken), cancellationToken);
                    target.Flush();
                }

                break;
            default:
                session.Stream(select, reader => WriteTable(reader, outFile, cancellationToken), cancellationToken);
                break;
        }

        return ExitCodes.Success;
    }

    /// <summary>
    /// A table for the eye: the first <see cref="MaxTableRows"/> rows (a table is laid out once all its rows are known,
    /// so it holds them), then the count of the rest, read and dropped as they stream.
    /// </summary>
    private static void WriteTable(System.Data.Common.DbDataReader reader, FileInfo? outFile, CancellationToken cancellationToken)
    {
        var table = new Table().Border(TableBorder.Rounded).AddColumns(Enumerable.Range(0, reader.FieldCount).Select(i => Markup.Escape(reader.GetName(i))).ToArray());
        var values = new object?[reader.FieldCount];
        long rows = 0;
        while (reader.Read())
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (rows++ < MaxTableRows)
            {
                QueryResultWriter.ReadRow(reader, values);
                table.AddRow(values.Select(v => Markup.Escape(QueryResultWriter.Text(v) ?? "NULL")).ToArray());
            }
        }

        var console = outFile is null ? AnsiConsole.Console : AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(new StreamWriter(outFile.FullName) { AutoFlush = true }) });
        console.Write(table);
        console.MarkupLine(rows > MaxTableRows
            ? $"[grey]{rows:N0} row(s), the first {MaxTableRows:N0} shown; use --format csv or json for all of them[/]"
            : $"[grey]{rows:N0} row(s)[/]");
    }

    private static bool TryReadTimeout(string? text, out TimeSpan timeout)
    {
        timeout = DefaultTimeout;
        if (text is null)
        {
            return true;
        }

        try
        {
            timeout = System.Xml.XmlConvert.ToTimeSpan(text);
        }
        catch (FormatException)
        {
            if (!TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out timeout))
            {
                return false;
            }
        }

        return timeout > TimeSpan.Zero;
    }
}
