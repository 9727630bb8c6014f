using System.Data.Common;
using System.Diagnostics;
using DuckDB.NET.Data;
using DuckDB.NET.Data.DataChunk.Reader;
using DuckDB.NET.Data.DataChunk.Writer;

namespace DataMesh.Engine;

/// <summary>
/// An in-memory DuckDB connection locked down for user SQL (DESIGN §2): file access only under the allowed
/// folders, no external access, no extension install or load, then the configuration locked.
/// </summary>
public sealed class DuckDbSession : IDisposable
{
    private readonly DuckDBConnection _connection;
    private readonly CancellationToken _cancellation;
    private readonly IDisposable? _slot;
    private bool _locked;

    private DuckDbSession(DuckDBConnection connection, CancellationToken cancellation, IDisposable? slot)
    {
        _connection = connection;
        _cancellation = cancellation;
        _slot = slot;
    }

    /// <summary>
    /// Opens a session whose file access is limited to the options' allowed directories. A session outside a run that
    /// may read files (<see cref="SessionLimits.Gate"/> set, an allowed directory given) first takes a slot of its gate,
    /// waiting while the instance's budget of such sessions is in use, and gives it back when disposed.
    /// </summary>
    /// <exception cref="EngineBusyException">No slot freed within the gate's wait: nothing was opened; retry later.</exception>
    /// <exception cref="OperationCanceledException"><see cref="DuckDbSessionOptions.Cancellation"/> was cancelled while waiting.</exception>
    /// <remarks>Blocks the calling thread while it waits for a slot: an asynchronous caller awaits <see cref="OpenAsync"/> instead.</remarks>
    public static DuckDbSession Open(DuckDbSessionOptions options) => OpenHolding(options, GateOf(options)?.Enter(options.Cancellation));

    /// <summary>
    /// Opens a session as <see cref="Open"/> does, awaiting its gate's slot (<see cref="SideSessionGate.EnterAsync"/>)
    /// instead of holding a thread while the instance's budget of sessions outside runs is in use.
    /// </summary>
    /// <exception cref="EngineBusyException">No slot freed within the gate's wait: nothing was opened; retry later.</exception>
    /// <exception cref="OperationCanceledException"><see cref="DuckDbSessionOptions.Cancellation"/> was cancelled while waiting.</exception>
    public static async Task<DuckDbSession> OpenAsync(DuckDbSessionOptions options) =>
        OpenHolding(options, GateOf(options) is { } gate ? await gate.EnterAsync(options.Cancellation).ConfigureAwait(false) : null);

    // The gate whose slot the session takes: only a session that may read files holds data worth a slot.
    private static SideSessionGate? GateOf(DuckDbSessionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(options.Limits);
        return options.Limits.Gate is { } gate && options.AllowedDirectories.Count > 0 ? gate : null;
    }

    // Opens the session holding slot (null: none), which it gives back when disposed; the slot is given back at once when the open fails.
    private static DuckDbSession OpenHolding(DuckDbSessionOptions options, IDisposable? slot)
    {
        DuckDBConnection connection;
        try
        {
            connection = new DuckDBConnection("DataSource=:memory:");
            connection.Open();
        }
        catch
        {
            slot?.Dispose();
            throw;
        }

        var session = new DuckDbSession(connection, options.Cancellation, slot);
        try
        {
            // No temp folder (a probe that reads no data): DuckDB spills nowhere.
            if (options.TempDirectory.Length > 0)
            {
                Directory.CreateDirectory(options.TempDirectory);
            }

            var allowed = options.AllowedDirectories.Select(d => Path.TrimEndingDirectorySeparator(Path.GetFullPath(d)) + "/").ToList();
            session.Execute($"SET memory_limit = {Sql.Literal(options.Limits.MemoryLimit)}");
            session.Execute($"SET threads = {options.Limits.Threads}");
            session.Execute($"SET temp_directory = {Sql.Literal(options.TempDirectory)}");
            // DuckDB's own default lets a query spill until 90 % of the disk is used: one runaway query would starve
            // every other run and the host itself.
            session.Execute($"SET max_temp_directory_size = {Sql.Literal(options.Limits.MaxSpillSize)}");
            session.Execute($"SET preserve_insertion_order = {(options.PreserveInsertionOrder ? "true" : "false")}");
            session.Execute("SET autoinstall_known_extensions = false");
            session.Execute("SET autoload_known_extensions = false");
            session.Execute($"SET allowed_directories = {Sql.List(allowed)}");
            session.Execute("SET enable_external_access = false");
            session.RecordOpened();
            return session;
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Source of the <c>duckdb.session</c> span each session emits as it opens (when something listens), with the limits
    /// DuckDB reports it runs with: what shows, in a trace or a test, that no session runs on DuckDB's defaults.
    /// </summary>
    public static readonly ActivitySource Source = new(SourceName);

    /// <summary>Name of <see cref="Source"/>.</summary>
    public const string SourceName = "DataMesh.Engine";

    /// <summary>The span's tags: the session's settings as DuckDB reports them (<c>current_setting</c>).</summary>
    public static readonly IReadOnlyList<string> RecordedSettings = ["memory_limit", "threads", "max_temp_directory_size", "temp_directory"];

    private void RecordOpened()
    {
        if (!Source.HasListeners())
        {
            return;
        }

        using var span = Source.StartActivity("duckdb.session");
        if (span is null || !span.IsAllDataRequested)
        {
            return;
        }

        foreach (var setting in RecordedSettings)
        {
            span.SetTag("duckdb." + setting, Convert.ToString(Scalar($"SELECT current_setting({Sql.Literal(setting)})"), System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    /// <summary>
    /// Opens a session, runs <paramref name="setup"/> (the views the SQL to come reads) and locks it; the session is
    /// disposed if any of that fails.
    /// </summary>
    public static DuckDbSession OpenLocked(DuckDbSessionOptions options, params string[] setup)
    {
        ArgumentNullException.ThrowIfNull(setup);
        return Locked(Open(options), setup);
    }

    /// <summary>Opens a session and runs <paramref name="setup"/> as <see cref="OpenLocked"/> does, awaiting its gate's slot as <see cref="OpenAsync"/> does.</summary>
    public static async Task<DuckDbSession> OpenLockedAsync(DuckDbSessionOptions options, params string[] setup)
    {
        ArgumentNullException.ThrowIfNull(setup);
        return Locked(await OpenAsync(options).ConfigureAwait(false), setup);
    }

    private static DuckDbSession Locked(DuckDbSession session, string[] setup)
    {
        try
        {
            foreach (var statement in setup)
            {
                session.Execute(statement);
            }

            session.Lock();
            return session;
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>Locks the configuration: after this, user SQL cannot change any setting.</summary>
    public void Lock()
    {
        Execute("SET lock_configuration = true");
        _locked = true;
    }

    public bool IsLocked => _locked;

    public void Execute(string sql) => Execute(sql, CancellationToken.None);

    /// <summary>
    /// Runs a statement that DuckDB interrupts when <paramref name="cancellationToken"/> is cancelled (a time limit, a
    /// cancelled run): the statement then fails with <see cref="OperationCanceledException"/>, never runs on.
    /// </summary>
    /// <exception cref="OperationCanceledException">The token was cancelled before or while the statement ran.</exception>
    public void Execute(string sql, CancellationToken cancellationToken)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        using var stop = Stop(cancellationToken);
        using var interrupt = DuckDbInterrupt.Watch(command, stop.Token);
        interrupt.Run(() => command.ExecuteNonQuery());
    }

    /// <summary>
    /// Runs a query in DuckDB's streaming mode and hands its reader to <paramref name="consume"/>: rows are produced
    /// chunk by chunk as the reader advances, never gathered whole (memory stays bounded whatever the result's size).
    /// DuckDB is interrupted when <paramref name="cancellationToken"/> is cancelled.
    /// </summary>
    /// <exception cref="OperationCanceledException">The token was cancelled before or while the query ran.</exception>
    public void Stream(string sql, Action<DbDataReader> consume, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(consume);
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        command.UseStreamingMode = true;
        using var stop = Stop(cancellationToken);
        using var interrupt = DuckDbInterrupt.Watch(command, stop.Token);
        interrupt.Run(() =>
        {
            using var reader = command.ExecuteReader();
            consume(reader);
            return 0;
        });
    }

    public object? Scalar(string sql)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        using var interrupt = DuckDbInterrupt.Watch(command, _cancellation);
        var value = interrupt.Run(command.ExecuteScalar);
        return value is DBNull ? null : value;
    }

    /// <summary>Runs a query and hands each row to <paramref name="read"/>.</summary>
    public List<T> Query<T>(string sql, Func<DbDataReader, T> read)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        using var interrupt = DuckDbInterrupt.Watch(command, _cancellation);
        return interrupt.Run(() =>
        {
            using var reader = command.ExecuteReader();
            var rows = new List<T>();
            while (reader.Read())
            {
                rows.Add(read(reader));
            }

            return rows;
        });
    }

    /// <summary>The session's own cancellation joined with a statement's.</summary>
    private LinkedStop Stop(CancellationToken cancellationToken) =>
        !cancellationToken.CanBeCanceled ? new LinkedStop(_cancellation, null)
        : !_cancellation.CanBeCanceled ? new LinkedStop(cancellationToken, null)
        : LinkedStop.Of(CancellationTokenSource.CreateLinkedTokenSource(_cancellation, cancellationToken));

    private readonly record struct LinkedStop(CancellationToken Token, CancellationTokenSource? Source) : IDisposable
    {
        public static LinkedStop Of(CancellationTokenSource source) => new(source.Token, source);

        public void Dispose() => Source?.Dispose();
    }

    /// <summary>
    /// Checks that <paramref name="sql"/> is exactly one SELECT statement, with DuckDB's own parser, and returns it
    /// without a trailing semicolon. Anything else (COPY, ATTACH, SET, two statements...) is refused.
    /// </summary>
    public string RequireSingleSelect(string sql, string what)
    {
        var json = (string?)Scalar($"SELECT json_serialize_sql({Sql.Literal(sql)})") ?? "";
        using var document = System.Text.Json.JsonDocument.Parse(json);
        var root = document.RootElement;
        if (root.TryGetProperty("error", out var error) && error.GetBoolean())
        {
            var message = root.TryGetProperty("error_message", out var m) ? m.GetString() : "not a SELECT";
            // DuckDB parsed it but serialises only SELECTs: the SQL is another statement (DDL, DML, COPY, SET...), which
            // its own message ("Only SELECT statements can be serialized to json!") does not say.
            if (message?.StartsWith("Only SELECT statements", StringComparison.Ordinal) == true)
            {
                throw new InvalidOperationException(
                    $"{what} must be exactly one SELECT statement (a WITH ... SELECT included), which only reads; this is {StatementKind(sql)}, which is not run.");
            }

            throw new InvalidOperationException($"{what} must be exactly one SELECT statement: {message}");
        }

        var count = root.GetProperty("statements").GetArrayLength();
        if (count != 1)
        {
            throw new InvalidOperationException($"{what} must be exactly one SELECT statement, found {count}.");
        }

        return sql.Trim().TrimEnd(';').TrimEnd();
    }

    /// <summary>"a CREATE statement" from the first keyword of a statement that is not a SELECT (comments skipped).</summary>
    private static string StatementKind(string sql)
    {
        var text = System.Text.RegularExpressions.Regex.Replace(sql, @"--[^\n]*|/\*.*?\*/", " ", System.Text.RegularExpressions.RegexOptions.Singleline).TrimStart(' ', '\t', '\r', '\n', '(', ';');
        var keyword = new string(text.TakeWhile(char.IsAsciiLetter).ToArray()).ToUpperInvariant();
        return keyword is "SELECT" or "WITH" or "" ? "a statement other than a SELECT" : $"{(keyword[0] is 'A' or 'E' or 'I' or 'O' or 'U' ? "an" : "a")} {keyword} statement";
    }

    /// <summary>
    /// Registers a pure scalar function of one argument, for platform SQL only (state such as a key stays in the
    /// delegate, out of any SQL text); NULL handling is left to <paramref name="body"/>.
    /// </summary>
    public void RegisterScalarFunction<TIn, TOut>(string name, Action<IReadOnlyList<IDuckDBDataReader>, IDuckDBDataWriter, ulong> body) =>
        _connection.RegisterScalarFunction<TIn, TOut>(name, body, new ScalarFunctionOptions { IsPureFunction = true, HandlesNulls = true });

    public void Dispose()
    {
        try
        {
            _connection.Dispose();
        }
        finally
        {
            _slot?.Dispose();
        }
    }
}
