using DataMesh.Pipeline;
using DataMesh.Specs;

namespace DataMesh.Engine;

/// <summary>
/// Makes an input port a DuckDB view the transform reads. Declared columns are applied by name (types from the
/// spec, never guessed); the file's header is compared with them first. A strict view fails on the first value that
/// does not cast; a view that captures rejects records every such value (line numbers included) instead, so a run
/// reports every drift at once — the transform reads strictly, and again capturing rejects only when that fails
/// (recording rejects costs ~10 % of a large read).
/// </summary>
public static partial class InputBinder
{
    private const int SampleLines = 5;

    /// <summary>
    /// Creates (or replaces) the view named after the port and returns what is known before reading the data. With
    /// <paramref name="captureRejects"/>, a CSV port with declared columns records rows that do not parse or cast
    /// (<see cref="CollectRejects"/>) instead of failing on the first.
    /// </summary>
    public static InputReport Bind(DuckDbSession session, InputSpec port, IReadOnlyList<string> files, bool captureRejects = false)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(port);
        var landing = port.Landing ?? throw new ArgumentException($"Input '{port.Name}' is not a landing input.", nameof(port));
        var format = landing.Format.ToLowerInvariant();
        if (port.Columns.Count == 0 || format != "csv")
        {
            session.Execute(InputViewSql.CreateView(port, files));
            return new InputReport(port.Name, files.Count, AutoDetected: port.Columns.Count == 0, []);
        }

        // One sniff of the first file gives the header and the dialect; the read below is told the dialect, so DuckDB
        // does not search for it a second time (the search, not the data, is most of a sniff's cost).
        var (header, dialect) = Sniff(session, port, files[0]);
        // DuckDB reads several files by the first one's columns and fails on a file that lacks one of them ("Schema
        // mismatch"), or blames the product's SQL for what follows: every file's header is read, and files whose headers
        // differ are read by column name, each value under its own column whatever its position.
        var headers = new List<(string File, List<string> Header)> { (files[0], header) };
        headers.AddRange(files.Skip(1).Select(f => (f, Sniff(session, port, f).Header)));
        var byName = headers.Any(h => !h.Header.SequenceEqual(header, StringComparer.OrdinalIgnoreCase));
        var present = new HashSet<string>(headers.SelectMany(h => h.Header), StringComparer.OrdinalIgnoreCase);
        var declared = new HashSet<string>(port.Columns.Select(c => c.Name), StringComparer.OrdinalIgnoreCase);
        var drift = new List<DriftFinding>();
        foreach (var column in port.Columns)
        {
            var lacking = headers.Where(h => !h.Header.Contains(column.Name, StringComparer.OrdinalIgnoreCase)).ToList();
            if (lacking.Count == 0)
            {
                continue;
            }

            var (file, fileHeader) = lacking[0];
            var where = headers.Count == 1 ? "" : lacking.Count == headers.Count ? " of any file" : $" of {string.Join(", ", lacking.Select(l => Path.GetFileName(l.File)))}";
            drift.Add(new DriftFinding(
                column.Name, "missing-column", 0, [],
                fileHeader.Count == 1
                    ? $"the header of {Path.GetFileName(file)} has a single column '{Shorten(fileHeader[0], 80)}': is the delimiter right?"
                    : $"not in the header{where} ({string.Join(", ", fileHeader.Select(h => Shorten(h, 40)))})",
                Blocking: column.Required));
        }

        foreach (var name in headers.SelectMany(h => h.Header).Distinct(StringComparer.OrdinalIgnoreCase).Where(h => !declared.Contains(h)))
        {
            drift.Add(new DriftFinding(name, "unexpected-column", 0, [], "in the file but not declared: read with an auto-detected type", Blocking: false));
        }

        if (port.OnDrift == DriftPolicy.Block)
        {
            // The input asked for files that match its columns exactly: what would warn stops the run instead.
            drift = [.. drift.Select(d => d.Blocking ? d : d with { Blocking = true, BlockedByPolicy = true })];
        }

        if (drift.Any(d => d.Blocking))
        {
            return new InputReport(port.Name, files.Count, AutoDetected: false, drift);
        }

        var types = port.Columns.Where(c => present.Contains(c.Name)).ToList();
        var missingOptional = port.Columns.Where(c => !present.Contains(c.Name)).ToList();
        var fill = string.Concat(missingOptional.Select(c => $", CAST(NULL AS {c.Type.ToUpperInvariant()}) AS {Sql.Identifier(c.Name)}"));
        // DuckDB records no rejects when it reads by name: such a read stays strict, and its first bad value stops the run.
        var reader = captureRejects && !byName
            ? InputViewSql.CsvReader(port, files, types, RejectsTable(port), RejectsScan(port), dialect)
            : InputViewSql.CsvReader(port, files, types, sniffed: dialect, unionByName: byName);
        session.Execute($"CREATE OR REPLACE VIEW {Sql.Identifier(port.Name)} AS SELECT *{fill} FROM {reader}");
        return new InputReport(port.Name, files.Count, AutoDetected: false, WithDetectedTypes(session, port, drift));
    }

    /// <summary>
    /// An undeclared column is read with the type DuckDB detects from the data: the drift report says which, so the
    /// owner sees what declaring it would take (the view's columns, described without reading the data again).
    /// </summary>
    private static List<DriftFinding> WithDetectedTypes(DuckDbSession session, InputSpec port, List<DriftFinding> drift)
    {
        if (!drift.Any(d => d.Kind == "unexpected-column"))
        {
            return drift;
        }

        var types = session.Query($"SELECT column_name, column_type FROM (DESCRIBE {Sql.Identifier(port.Name)})", r => (Name: r.GetString(0), Type: r.GetString(1)))
            .DistinctBy(c => c.Name, StringComparer.OrdinalIgnoreCase)
            .ToDictionary(c => c.Name, c => c.Type, StringComparer.OrdinalIgnoreCase);
        return [.. drift.Select(d => d.Kind == "unexpected-column" && types.TryGetValue(d.Column, out var type)
            ? d with { DetectedType = type, Detail = $"in the file but not declared: read as {type} (auto-detected)" }
            : d)];
    }

    /// <summary>
    /// The header of a file (names only: every column read as text) and its dialect, for the options the port
    /// does not declare itself: the delimiter and line ending DuckDB detected, and the quote and escape characters it
    /// detected — or, when the sample quotes nothing, the CSV standard's <c>"</c> (a file may quote a field only later).
    /// Given every dialect option, the read skips DuckDB's dialect search (~70 ms of a small file's ~100).
    /// </summary>
    private static (List<string> Header, Dictionary<string, string> Dialect) Sniff(DuckDbSession session, InputSpec port, string file)
    {
        return session.Query($"SELECT Delimiter, NewLineDelimiter, Quote, Escape, Columns FROM {InputViewSql.CsvSniff(port, file)}", r =>
        {
            var names = ((System.Collections.IEnumerable)r.GetValue(4)).Cast<IDictionary<string, object>>().Select(c => (string)c["name"]).ToList();
            var dialect = new Dictionary<string, string>(StringComparer.Ordinal) { ["delim"] = r.GetString(0) };
            if (r.GetString(1) is "\\n" or "\\r\\n" or "\\r")
            {
                dialect["new_line"] = r.GetString(1);
            }

            var quote = Character(r.GetValue(2)) ?? "\"";
            dialect["quote"] = quote;
            dialect["escape"] = Character(r.GetValue(3)) ?? quote;
            return (names, dialect);
        }).Single();

        static string? Character(object value) => value is string { Length: 1 } c && c[0] != '\0' ? c : null;
    }

    /// <summary>True when <see cref="Bind"/> can capture rejects for <paramref name="port"/>: a CSV landing input with declared columns.</summary>
    public static bool CapturesRejects(InputSpec port)
    {
        ArgumentNullException.ThrowIfNull(port);
        return port.Columns.Count > 0 && port.Landing?.Format.ToLowerInvariant() == "csv";
    }

    /// <summary>
    /// After the data was read through a view bound with <c>captureRejects</c>: every value that did not cast to its
    /// declared type (or row that did not parse), by column.
    /// </summary>
    public static IReadOnlyList<DriftFinding> CollectRejects(DuckDbSession session, InputSpec port)
    {
        ArgumentNullException.ThrowIfNull(session);
        // A read by column name (files with different headers) records no rejects: it failed on its first bad value instead.
        if (!CapturesRejects(port)
            || Convert.ToInt64(session.Scalar($"SELECT count(*) FROM duckdb_tables() WHERE table_name = {Sql.Literal(RejectsTable(port).Trim('"'))}"), System.Globalization.CultureInfo.InvariantCulture) == 0)
        {
            return [];
        }

        return session.Query(
            $"""
            SELECT coalesce(e.column_name, '(row)') AS column_name, e.error_type, count(*) AS n,
                   list(e.line ORDER BY s.file_path, e.line)[1:{SampleLines}] AS lines,
                   any_value(s.file_path) AS file, any_value(e.error_message) AS message
            FROM {RejectsTable(port)} e JOIN {RejectsScan(port)} s USING (scan_id, file_id)
            GROUP BY ALL ORDER BY n DESC
            """,
            r =>
            {
                var lines = ((System.Collections.IEnumerable)r.GetValue(3)).Cast<object>().Select(Convert.ToInt64).ToList();
                var kind = r.GetString(1) == "CAST" ? "uncastable" : r.GetString(1).ToLowerInvariant().Replace(' ', '-');
                var file = Path.GetFileName(r.GetString(4));
                var detail = $"{Shorten(r.GetString(5), 200)} (e.g. {file} line {string.Join(", ", lines)})";
                return new DriftFinding(r.GetString(0), kind, r.GetInt64(2), lines, detail, Blocking: true);
            });
    }

    /// <summary>One line per finding, for run errors and quarantine reasons.</summary>
    public static string Describe(string input, IEnumerable<DriftFinding> findings) =>
        $"input '{input}' does not match its declared columns: " + string.Join("; ", findings.Select(f =>
            f.Kind switch
            {
                "missing-column" when f.BlockedByPolicy => $"optional column '{f.Column}' is missing ({f.Detail}) and the input says onDrift: block",
                "unexpected-column" when f.BlockedByPolicy => $"column '{f.Column}' is in the file but not declared, and the input says onDrift: block",
                "missing-column" => $"required column '{f.Column}' is missing ({f.Detail})",
                "uncastable" => $"{f.Count} value(s) of '{f.Column}' do not cast to the declared type — {f.Detail}",
                _ => $"{f.Kind} ({f.Count} row(s)) in '{f.Column}' — {f.Detail}",
            }));

    /// <summary>
    /// Cuts a message for a report: runs of over 120 non-blank characters (DuckDB echoes the offending line, which
    /// can be megabytes) keep their first 60, then the whole is cut at <paramref name="max"/>.
    /// </summary>
    public static string Shorten(string text, int max)
    {
        var compact = LongRun().Replace(text, m => $"{m.Value[..60]}…({m.Length:N0} chars)");
        return compact.Length <= max ? compact : compact[..max] + "…";
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"\S{121,}")]
    private static partial System.Text.RegularExpressions.Regex LongRun();

    private static string RejectsTable(InputSpec port) => Sql.Identifier("rejects_" + port.Name);

    private static string RejectsScan(InputSpec port) => Sql.Identifier("rejects_scan_" + port.Name);
}
