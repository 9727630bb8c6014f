using System.CommandLine;
using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using DataMesh.Catalog;
using DataMesh.Consumption;
using DataMesh.Engine;
using DataMesh.Local;
using DataMesh.Specs;
using Spectre.Console;

namespace DataMesh.Cli.Commands;

/// <summary>
/// <c>datamesh query ID[@RANGE|@VERSION#RELEASE] "SQL"</c>: DuckDB SQL over a product's newest release in the range (or
/// one exact release) of the local mesh; the release is a view named after the product in snake_case.
/// </summary>
internal static class QueryCommand
{
    /// <summary>Releases at least this large show live progress while they download.</summary>
    private const long LargeReleaseBytes = 16L * 1024 * 1024;

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
        var command = new Command("query", "Run DuckDB SQL over a product's newest release in a version range, or over one exact release.") { target, sql, format, output, reader };
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

            if (found is null)
            {
                await Console.Error.WriteLineAsync($"error: {productId} has no published release matching '{selector ?? "*"}' in this mesh (see `datamesh catalog show {productId}`).").ConfigureAwait(false);
                return ExitCodes.CheckFailed;
            }

            if (found.NewerOutsideRange is { } newer)
            {
                await Console.Error.WriteLineAsync($"warning: {productId} has a newer release {newer} outside your range {selector}; reading {found.Version}#{found.Release}.").ConfigureAwait(false);
            }

            var scratch = Path.Combine(Path.GetTempPath(), "datamesh-query-" + Guid.NewGuid().ToString("N")[..8]);
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
                var outDirectory = outFile is null ? Path.Combine(scratch, "out") : outFile.Directory!.FullName;
                using var session = releases.OpenSession(found, local.Files, scratch, outDirectory);
                try
                {
                    var select = session.RequireSingleSelect(parse.GetValue(sql)!, "the query");
                    return Write(session, select, asFormat, outFile);
                }
                catch (Exception ex) when (ex is InvalidOperationException or DuckDB.NET.Data.DuckDBException)
                {
                    await Console.Error.WriteLineAsync($"error: {InputBinder.Shorten(ex.Message, 600)}").ConfigureAwait(false);
                    return ExitCodes.CheckFailed;
                }
            }
            finally
            {
                if (Directory.Exists(scratch))
                {
                    Directory.Delete(scratch, recursive: true);
                }
            }
        });
        return command;
    }

    private static int Write(DuckDbSession session, string select, string format, FileInfo? outFile)
    {
        if (format == "parquet")
        {
            session.Execute($"COPY (\n{select}\n) TO {Sql.Literal(outFile!.FullName)} (FORMAT parquet, COMPRESSION zstd)");
            return ExitCodes.Success;
        }

        using var writer = outFile is null ? null : new StreamWriter(outFile.FullName);
        var target = writer ?? Console.Out;
        var rows = session.Query(select, Row);
        var columns = session.Query($"SELECT column_name FROM (DESCRIBE {select})", r => r.GetString(0));
        switch (format)
        {
            case "json":
                target.WriteLine(JsonSerializer.Serialize(rows.Select(r => columns.Zip(r).ToDictionary(p => p.First, p => p.Second)), CliJson.Options));
                break;
            case "csv":
                target.WriteLine(string.Join(',', columns.Select(Csv)));
                foreach (var row in rows)
                {
                    target.WriteLine(string.Join(',', row.Select(v => Csv(Text(v)))));
                }

                break;
            default:
                var table = new Table().Border(TableBorder.Rounded).AddColumns(columns.Select(Markup.Escape).ToArray());
                foreach (var row in rows)
                {
                    table.AddRow(row.Select(v => Markup.Escape(Text(v) ?? "NULL")).ToArray());
                }

                AnsiConsole.Write(table);
                AnsiConsole.MarkupLine($"[grey]{rows.Count:N0} row(s)[/]");
                break;
        }

        return ExitCodes.Success;
    }

    private static object?[] Row(DbDataReader reader)
    {
        var values = new object?[reader.FieldCount];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = reader.IsDBNull(i) ? null : reader.GetValue(i) switch
            {
                DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                DateTime t => t.ToString("yyyy-MM-dd HH:mm:ss.FFFFFF", CultureInfo.InvariantCulture),
                System.Numerics.BigInteger b => b.ToString(CultureInfo.InvariantCulture),
                var other => other,
            };
        }

        return values;
    }

    private static string? Text(object? value) => value switch
    {
        null => null,
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };

    private static string Csv(string? value) =>
        value is null ? "" : value.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
}
