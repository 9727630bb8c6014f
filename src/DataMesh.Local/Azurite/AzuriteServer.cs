using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace DataMesh.Local.Azurite;

/// <summary>
/// An Azurite (blob, queue, table) on free loopback ports: either a process this object started and owns,
/// or one another datamesh process started and recorded under a shared state directory (DESIGN §8).
/// </summary>
public sealed class AzuriteServer : IAsyncDisposable
{
    /// <summary>Environment variable whose storage connection string replaces the embedded Azurite.</summary>
    public const string StorageVariable = "DATAMESH_STORAGE";

    /// <summary>File under the state directory that records the shared instance: pid, ports, start time.</summary>
    public const string StateFileName = "azurite.json";

    private const string LockFileName = "azurite.lock";
    private const string DataFolderName = "azurite";
    private const string Loopback = "127.0.0.1";
    private const string AccountName = "devstoreaccount1";

    // Azurite's built-in development account key: a published constant of the emulator, not a secret.
    private const string AccountKey = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    private const int MaxStartAttempts = 5;

    // util-linux's setsid: runs a program in a new session (and so a new process group).
    private const string SetSid = "/usr/bin/setsid";

    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(2);
    // Silence (not a refusal) from a recorded instance whose process lives is a busy Azurite, still the mesh's: replacing
    // it would start a second one on the same data. On a loaded machine (a test run's shared Azurite) 5 s was too short.
    private static readonly TimeSpan AttachProbeWindow = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan GracefulStopTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan ProbeInterval = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// Preloaded into Azurite's node: when the process that started it dies without stopping it (SIGKILL,
    /// or SIGTERM, which .NET 10 no longer turns into ProcessExit) node is re-parented, and Azurite shuts
    /// itself down gracefully instead of lingering as an orphan.
    /// </summary>
    private static readonly string OrphanWatch = "data:text/javascript;base64," + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(
        "const parent = process.ppid;" +
        "setInterval(() => { if (process.ppid !== parent) { process.kill(process.pid, 'SIGTERM'); } }, 1000).unref();"));

    /// <summary>
    /// Preloaded when the mesh gives Azurite its own accounts: Azurite reads <c>AZURITE_ACCOUNTS</c> only at start and
    /// every 60 s, so an account added while it runs (a domain that appears) is loaded from the key folder the first
    /// time a request names it. An account not in the folder stays unknown: its requests fail authentication.
    /// </summary>
    private static readonly string AccountsWatch = "data:text/javascript;base64," + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(
        "import { createRequire } from 'node:module'; import fs from 'node:fs'; import path from 'node:path';" +
        "const dir = process.env.DATAMESH_ACCOUNT_KEYS;" +
        "const load = () => { try { process.env.AZURITE_ACCOUNTS = fs.readdirSync(dir).filter(n => /^[a-z0-9]{3,24}$/.test(n))" +
        ".map(n => n + ':' + fs.readFileSync(path.join(dir, n), 'utf8').trim()).join(';'); } catch { } };" +
        "if (dir) { load();" +
        " const store = createRequire(process.argv[1])('./common/AccountDataStore.js').default;" +
        " const get = store.prototype.getAccount;" +
        " store.prototype.getAccount = function (name) { let account = get.call(this, name);" +
        "  if (account === undefined) { load(); this.refresh(); account = get.call(this, name); } return account; }; }"));

    private static readonly HttpClient Probe = new(new SocketsHttpHandler { UseProxy = false, PooledConnectionLifetime = TimeSpan.FromSeconds(1) })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };

    private readonly Process? _process;
    private readonly string? _stateDirectory;
    private readonly AzuriteOptions _options;
    private readonly EventHandler? _onProcessExit;
    private int _stopped;

    private AzuriteServer(Process? process, int processId, AzuritePortsRecord ports, string? stateDirectory, AzuriteOptions options)
    {
        AccountKeys = options.AccountKeys;
        _process = process;
        _stateDirectory = stateDirectory;
        _options = options;
        ProcessId = processId;
        BlobPort = ports.Blob;
        QueuePort = ports.Queue;
        TablePort = ports.Table;
        ConnectionString = AccountKeys is null
            ? CreateConnectionString(ports, AccountName, AccountKey)
            : CreateConnectionString(ports, DataMesh.Storage.StorageAccountName.Hub, AccountKeys.KeyOf(DataMesh.Storage.StorageAccountName.Hub));
        if (process is not null)
        {
            // A test host or CLI that exits without disposing must not leave its Azurite running.
            _onProcessExit = (_, _) => StopOnProcessExit();
            AppDomain.CurrentDomain.ProcessExit += _onProcessExit;
        }
    }

    /// <summary>
    /// Connection string for the blob, queue and table endpoints of this instance: the hub account's when it serves the
    /// mesh's accounts (<see cref="AccountKeys"/>), else the development account's.
    /// </summary>
    public string ConnectionString { get; }

    /// <summary>The accounts this instance serves and their keys; null when it serves only the development account.</summary>
    public AzuriteAccountKeys? AccountKeys { get; }

    /// <summary>The blob endpoint of an account of this instance (path-style: the account is the first segment).</summary>
    public Uri BlobEndpoint(string account) => new($"http://{Loopback}:{BlobPort}/{account}");

    /// <summary>The queue endpoint of an account of this instance.</summary>
    public Uri QueueEndpoint(string account) => new($"http://{Loopback}:{QueuePort}/{account}");

    /// <summary>The table endpoint of an account of this instance.</summary>
    public Uri TableEndpoint(string account) => new($"http://{Loopback}:{TablePort}/{account}");

    /// <summary>The connection string of one of the mesh's accounts, with its key (made on first use, which adds the account).</summary>
    /// <exception cref="InvalidOperationException">This instance serves only the development account.</exception>
    public string ConnectionStringFor(string account) =>
        CreateConnectionString(
            Ports,
            account,
            (AccountKeys ?? throw new InvalidOperationException("This Azurite serves only the development account.")).KeyOf(account));

    public int BlobPort { get; }

    private AzuritePortsRecord Ports => new(BlobPort, QueuePort, TablePort);

    public int QueuePort { get; }

    public int TablePort { get; }

    /// <summary>Id of the node process that runs Azurite.</summary>
    public int ProcessId { get; }

    /// <summary>True when this object started the process and stops it on dispose; false when attached to another's.</summary>
    public bool Owned => _process is not null;

    /// <summary>The connection string in <c>DATAMESH_STORAGE</c>, or null when unset: callers then skip Azurite.</summary>
    public static string? ConnectionStringFromEnvironment()
    {
        var value = Environment.GetEnvironmentVariable(StorageVariable);
        return string.IsNullOrWhiteSpace(value) ? null : value.Trim();
    }

    /// <summary>Starts a private Azurite on free ports; it stops when this object is disposed.</summary>
    /// <exception cref="InvalidOperationException">Node.js is missing, npm failed, or Azurite exited during start.</exception>
    /// <exception cref="TimeoutException">Azurite did not answer within <see cref="AzuriteOptions.StartTimeout"/>.</exception>
    public static async Task<AzuriteServer> StartAsync(AzuriteOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new AzuriteOptions();
        var installation = await AzuriteInstallation.FindOrInstallAsync(options, cancellationToken).ConfigureAwait(false);
        return await LaunchAsync(installation, options, options.DataDirectory, stateDirectory: null, _ => ReserveFreePorts(), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Returns the Azurite recorded in <c>stateDirectory/azurite.json</c> when its process is alive and its
    /// ports answer (not owned: disposing leaves it running); otherwise starts one that persists under
    /// <c>stateDirectory/azurite</c>, records it, and owns it. An exclusive lock file makes the check and
    /// the start one step across processes.
    /// </summary>
    public static async Task<AzuriteServer> AttachOrStartAsync(string stateDirectory, AzuriteOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(stateDirectory);
        options ??= new AzuriteOptions();
        stateDirectory = Path.GetFullPath(stateDirectory);
        Directory.CreateDirectory(stateDirectory);
        // A mesh's Azurite serves the mesh's own accounts, keyed in its state folder: never the published development key.
        options = new AzuriteOptions
        {
            DataDirectory = options.DataDirectory,
            DebugLogPath = options.DebugLogPath,
            StartTimeout = options.StartTimeout,
            ToolsDirectory = options.ToolsDirectory,
            Logger = options.Logger,
            AccountKeys = options.AccountKeys ?? new AzuriteAccountKeys(Path.Combine(stateDirectory, AzuriteAccountKeys.FolderName)),
        };
        var stateFile = Path.Combine(stateDirectory, StateFileName);

        // Fast path without the lock: the record is replaced atomically, so reading it is safe.
        var attached = await TryAttachAsync(stateFile, options, logStale: false, cancellationToken).ConfigureAwait(false);
        if (attached is not null)
        {
            return attached;
        }

        // Install before locking so a first-time npm install does not hold up other processes' checks.
        var installation = await AzuriteInstallation.FindOrInstallAsync(options, cancellationToken).ConfigureAwait(false);
        var lockTimeout = (options.StartTimeout * MaxStartAttempts) + TimeSpan.FromSeconds(30);
        using var stateLock = await ExclusiveLockFile.AcquireAsync(Path.Combine(stateDirectory, LockFileName), lockTimeout, cancellationToken).ConfigureAwait(false);
        attached = await TryAttachAsync(stateFile, options, logStale: true, cancellationToken).ConfigureAwait(false);
        if (attached is not null)
        {
            return attached;
        }

        var dataDirectory = Path.Combine(stateDirectory, DataFolderName);
        Directory.CreateDirectory(dataDirectory);
        var server = await LaunchOnMeshPortsAsync(installation, options, dataDirectory, stateDirectory, cancellationToken).ConfigureAwait(false);
        try
        {
            new AzuriteInstanceRecord(
                server.ProcessId, new AzuritePortsRecord(server.BlobPort, server.QueuePort, server.TablePort), DateTimeOffset.UtcNow, options.AccountKeys?.Directory)
                .WriteAtomically(stateFile);
        }
        catch
        {
            // This call still holds the state lock, which StopAsync would wait for: stop without it.
            await server.StopCoreAsync(stateLock: null, CancellationToken.None).ConfigureAwait(false);
            throw;
        }

        return server;
    }

    /// <summary>
    /// Records this running instance in a mesh's state folder (its <c>azurite.json</c>: process, ports and key folder), so
    /// that every datamesh process on that folder (<c>DATAMESH_HOME</c>) attaches to it and puts the mesh in its accounts,
    /// the hub's and one per domain with their own keys, instead of starting an Azurite of its own. The way to share one
    /// Azurite between meshes (a test run's): nothing is passed but a path. The record stays when this instance stops
    /// (a record naming a dead process is replaced at the next start).
    /// </summary>
    /// <param name="stateDirectory">The mesh's state folder.</param>
    /// <param name="blobPort">Another port in front of this instance's blob service (a proxy) to record instead of its own.</param>
    /// <exception cref="InvalidOperationException">This instance serves only the development account, not the mesh's own.</exception>
    public void RecordIn(string stateDirectory, int? blobPort = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(stateDirectory);
        var keys = AccountKeys ?? throw new InvalidOperationException(
            "This Azurite serves only the development account: a mesh attached to it would hold every domain in one account. Start it with AzuriteOptions.AccountKeys.");
        stateDirectory = Path.GetFullPath(stateDirectory);
        Directory.CreateDirectory(stateDirectory);
        new AzuriteInstanceRecord(ProcessId, new AzuritePortsRecord(blobPort ?? BlobPort, QueuePort, TablePort), DateTimeOffset.UtcNow, keys.Directory)
            .WriteAtomically(Path.Combine(stateDirectory, StateFileName));
    }

    /// <summary>Stops an owned instance (its whole process tree) and waits for it to exit; does nothing when attached.</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (_process is null || Volatile.Read(ref _stopped) == 1)
        {
            return;
        }

        // Under the lock, so no other process attaches to an instance that is going away. Stop all the
        // same when the lock cannot be had: an owned Azurite must never outlive its owner.
        ExclusiveLockFile? stateLock = null;
        if (_stateDirectory is not null)
        {
            try
            {
                stateLock = await ExclusiveLockFile.AcquireAsync(
                    Path.Combine(_stateDirectory, LockFileName), _options.StartTimeout * MaxStartAttempts, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                stateLock = null;
            }
        }

        await StopCoreAsync(stateLock, cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None).ConfigureAwait(false);
        _process?.Dispose();
    }

    /// <summary>Terminates the owned process and drops its record; on cancellation it kills instead of waiting.</summary>
    private async Task StopCoreAsync(ExclusiveLockFile? stateLock, CancellationToken cancellationToken)
    {
        if (_process is null || Interlocked.Exchange(ref _stopped, 1) == 1)
        {
            stateLock?.Dispose();
            return;
        }

        try
        {
            await TerminateAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            // Reached with the process still running only on cancellation or failure: never leave it behind.
            KillTree(_process);
            _process.WaitForExit();
            AppDomain.CurrentDomain.ProcessExit -= _onProcessExit;
            DeleteOwnRecord();
            stateLock?.Dispose();
        }
    }

    private static string CreateConnectionString(AzuritePortsRecord ports, string account, string key) =>
        $"DefaultEndpointsProtocol=http;AccountName={account};AccountKey={key};" +
        $"BlobEndpoint=http://{Loopback}:{ports.Blob}/{account};" +
        $"QueueEndpoint=http://{Loopback}:{ports.Queue}/{account};" +
        $"TableEndpoint=http://{Loopback}:{ports.Table}/{account};";

    private static async Task<AzuriteServer?> TryAttachAsync(string stateFile, AzuriteOptions options, bool logStale, CancellationToken cancellationToken)
    {
        if (!File.Exists(stateFile))
        {
            return null;
        }

        var record = AzuriteInstanceRecord.TryRead(stateFile);
        if (record?.Ports is { } ports
            && IsRunning(record.ProcessId)
            && await AnswersAsync(ports, AttachProbeWindow, cancellationToken).ConfigureAwait(false))
        {
            AzuriteLog.Attached(options.Logger, record.ProcessId, stateFile);
            // The keys of the accounts that instance serves: the folder it reads them from, which the record names.
            var served = record.AccountKeysDirectory is { Length: > 0 } folder
                ? new AzuriteOptions
                {
                    DataDirectory = options.DataDirectory,
                    DebugLogPath = options.DebugLogPath,
                    StartTimeout = options.StartTimeout,
                    ToolsDirectory = options.ToolsDirectory,
                    Logger = options.Logger,
                    AccountKeys = new AzuriteAccountKeys(folder),
                }
                : options;
            return new AzuriteServer(process: null, record.ProcessId, ports, stateDirectory: null, served);
        }

        if (logStale)
        {
            AzuriteLog.ReplacingStale(options.Logger, stateFile, record?.ProcessId ?? 0);
        }

        return null;
    }

    /// <summary>
    /// Starts a mesh's Azurite on the ports stored in <see cref="MeshStoragePorts.FileName"/>, so its storage URIs stay
    /// the same across restarts; the first start chooses them and stores them. Stored ports another program holds are
    /// not taken from it: this start runs on free ports and says so (they are not stored: the next start tries again).
    /// </summary>
    private static async Task<AzuriteServer> LaunchOnMeshPortsAsync(
        AzuriteInstallation installation, AzuriteOptions options, string dataDirectory, string stateDirectory, CancellationToken cancellationToken)
    {
        var file = MeshStoragePorts.PathIn(stateDirectory);
        if (MeshStoragePorts.Read(stateDirectory) is not { } stored)
        {
            var chosen = await LaunchAsync(
                installation, options, dataDirectory, stateDirectory, attempt => MeshStoragePorts.Choose(stateDirectory, attempt) ?? ReserveFreePorts(), cancellationToken)
                .ConfigureAwait(false);
            MeshStoragePorts.Write(stateDirectory, chosen.Ports);
            AzuriteLog.PortsChosen(options.Logger, chosen.BlobPort, chosen.QueuePort, chosen.TablePort, file);
            return chosen;
        }

        var free = MeshStoragePorts.AreFree(stored);
        var server = await LaunchAsync(
            installation, options, dataDirectory, stateDirectory, attempt => attempt == 1 && free ? stored : ReserveFreePorts(), cancellationToken)
            .ConfigureAwait(false);
        if (server.Ports != stored)
        {
            AzuriteLog.PortsTaken(options.Logger, stored.Blob, stored.Queue, stored.Table, file, server.BlobPort, server.QueuePort, server.TablePort);
        }

        return server;
    }

    private static async Task<AzuriteServer> LaunchAsync(
        AzuriteInstallation installation, AzuriteOptions options, string? dataDirectory, string? stateDirectory, Func<int, AzuritePortsRecord> portsFor,
        CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var ports = portsFor(attempt);
            var output = new ProcessOutputTail();
            var stopwatch = Stopwatch.StartNew();
            var process = Launch(installation, options, ports, dataDirectory, output);
            bool ready;
            try
            {
                ready = await WaitUntilAnsweringAsync(process, ports, options.StartTimeout, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                await KillAsync(process).ConfigureAwait(false);
                process.Dispose();
                throw;
            }

            if (ready)
            {
                AzuriteLog.Started(options.Logger, process.Id, ports.Blob, ports.Queue, ports.Table, stopwatch.ElapsedMilliseconds);
                return new AzuriteServer(process, process.Id, ports, stateDirectory, options);
            }

            var exited = process.HasExited;
            await KillAsync(process).ConfigureAwait(false);
            var exitCode = process.ExitCode;
            process.Dispose();

            // Another process may take a port between our probe bind and Azurite's: pick others.
            if (exited && output.Contains("EADDRINUSE") && attempt < MaxStartAttempts)
            {
                AzuriteLog.PortRace(options.Logger, attempt);
                continue;
            }

            var where = $"{installation.NodePath} {installation.ScriptPath} on ports {ports.Blob}/{ports.Queue}/{ports.Table}";
            if (exited)
            {
                throw new InvalidOperationException(
                    $"Azurite exited with code {exitCode} during start ({where}). Its output:{Environment.NewLine}{output}");
            }

            throw new TimeoutException(
                $"Azurite did not answer within {options.StartTimeout.TotalSeconds:0} s ({where}); it was stopped. " +
                $"Raise AzuriteOptions.StartTimeout on a slow machine. Its output:{Environment.NewLine}{output}");
        }
    }

    private static Process Launch(AzuriteInstallation installation, AzuriteOptions options, AzuritePortsRecord ports, string? dataDirectory, ProcessOutputTail output)
    {
        // In a session of its own (setsid execs node in place: the pid is node's), so the SIGINT a terminal sends to the
        // CLI's process group on Ctrl+C does not reach Azurite: the CLI cancels its runs against storage that is still
        // there, then stops Azurite itself, last (its ProcessExit handler too, and the orphan watch if it is killed).
        var ownSession = !OperatingSystem.IsWindows() && File.Exists(SetSid);
        var startInfo = new ProcessStartInfo(ownSession ? SetSid : installation.NodePath)
        {
            WorkingDirectory = dataDirectory ?? Path.GetTempPath(),
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };

        // Exactly the accounts of options.AccountKeys (which disables the development account), or only the development account.
        startInfo.Environment.Remove("AZURITE_ACCOUNTS");
        startInfo.Environment.Remove("DATAMESH_ACCOUNT_KEYS");
        if (options.AccountKeys is { } keys)
        {
            keys.KeyOf(DataMesh.Storage.StorageAccountName.Hub);
            startInfo.Environment["AZURITE_ACCOUNTS"] = keys.AzuriteAccountsValue();
            startInfo.Environment["DATAMESH_ACCOUNT_KEYS"] = keys.Directory;
        }

        // Node 22+ caches compiled modules there, which cuts Azurite's start (mostly module loading) sharply.
        if (!startInfo.Environment.ContainsKey("NODE_COMPILE_CACHE"))
        {
            startInfo.Environment["NODE_COMPILE_CACHE"] = Path.Combine(options.ToolsDirectory ?? AzuriteInstallation.DefaultToolsDirectory(), "node-compile-cache");
        }

        if (ownSession)
        {
            startInfo.ArgumentList.Add(installation.NodePath);
        }

        if (options.AccountKeys is not null)
        {
            startInfo.ArgumentList.Add("--import");
            startInfo.ArgumentList.Add(AccountsWatch);
        }

        string[] arguments =
        [
            "--import", OrphanWatch,
            installation.ScriptPath,
            "--blobHost", Loopback, "--blobPort", Port(ports.Blob),
            "--queueHost", Loopback, "--queuePort", Port(ports.Queue),
            "--tableHost", Loopback, "--tablePort", Port(ports.Table),
            "--skipApiVersionCheck",
            "--disableTelemetry",
            "--loose",
        ];
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        if (dataDirectory is null)
        {
            startInfo.ArgumentList.Add("--inMemoryPersistence");
        }
        else
        {
            startInfo.ArgumentList.Add("--location");
            startInfo.ArgumentList.Add(dataDirectory);
        }

        if (options.DebugLogPath is null)
        {
            startInfo.ArgumentList.Add("--silent");
        }
        else
        {
            startInfo.ArgumentList.Add("--debug");
            startInfo.ArgumentList.Add(Path.GetFullPath(options.DebugLogPath));
        }

        var process = Process.Start(startInfo)
            ?? throw new InvalidOperationException($"Could not start {installation.NodePath}.");
        process.StandardInput.Close();
        output.Attach(process);
        return process;
    }

    private static string Port(int port) => port.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Three distinct free loopback ports, found by binding port 0 and releasing it.</summary>
    private static AzuritePortsRecord ReserveFreePorts()
    {
        var listeners = new List<TcpListener>(3);
        try
        {
            for (var i = 0; i < 3; i++)
            {
                var listener = new TcpListener(IPAddress.Loopback, 0);
                listener.Start();
                listeners.Add(listener);
            }

            var ports = listeners.Select(listener => ((IPEndPoint)listener.LocalEndpoint).Port).ToArray();
            return new AzuritePortsRecord(ports[0], ports[1], ports[2]);
        }
        finally
        {
            foreach (var listener in listeners)
            {
                listener.Stop();
            }
        }
    }

    /// <summary>True once every service answers HTTP; false when the process exits or the timeout passes first.</summary>
    private static async Task<bool> WaitUntilAnsweringAsync(Process process, AzuritePortsRecord ports, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        var pending = new List<int> { ports.Blob, ports.Queue, ports.Table };
        while (deadline.Elapsed < timeout)
        {
            if (process.HasExited)
            {
                return false;
            }

            for (var i = pending.Count - 1; i >= 0; i--)
            {
                if (await ProbeAsync(pending[i], cancellationToken).ConfigureAwait(false) == ProbeResult.Answered)
                {
                    pending.RemoveAt(i);
                }
            }

            if (pending.Count == 0)
            {
                // A port answered by someone else while our Azurite died binding it must not count as ready.
                return !process.HasExited;
            }

            await Task.Delay(ProbeInterval, cancellationToken).ConfigureAwait(false);
        }

        return false;
    }

    /// <summary>
    /// True when all three services answer. A refused connection is final (nothing listens there any more);
    /// only silence is retried within the window, since a busy Azurite may be slow but is still the mesh's.
    /// </summary>
    private static async Task<bool> AnswersAsync(AzuritePortsRecord ports, TimeSpan window, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        var pending = new List<int> { ports.Blob, ports.Queue, ports.Table };
        while (true)
        {
            for (var i = pending.Count - 1; i >= 0; i--)
            {
                switch (await ProbeAsync(pending[i], cancellationToken).ConfigureAwait(false))
                {
                    case ProbeResult.Answered:
                        pending.RemoveAt(i);
                        break;
                    case ProbeResult.Refused:
                        return false;
                }
            }

            if (pending.Count == 0)
            {
                return true;
            }

            if (deadline.Elapsed >= window)
            {
                return false;
            }

            await Task.Delay(ProbeInterval, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Any HTTP response counts as an answer: Azurite answers a bare GET with 400, which proves it is serving.</summary>
    private static async Task<ProbeResult> ProbeAsync(int port, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ProbeTimeout);
        try
        {
            using var response = await Probe.GetAsync(new Uri($"http://{Loopback}:{port}/"), HttpCompletionOption.ResponseHeadersRead, timeout.Token)
                .ConfigureAwait(false);
            return ProbeResult.Answered;
        }
        catch (HttpRequestException)
        {
            return ProbeResult.Refused;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return ProbeResult.Silent;
        }
    }

    private static bool IsRunning(int processId)
    {
        try
        {
            using var process = Process.GetProcessById(processId);
            return !process.HasExited;
        }
        catch (Exception exception) when (exception is ArgumentException or InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>SIGTERM first so a persistent Azurite flushes its metadata, then the whole tree by force.</summary>
    private async Task TerminateAsync(CancellationToken cancellationToken)
    {
        var process = _process!;
        if (!process.HasExited && UnixSignal.TryTerminate(process.Id))
        {
            using var grace = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            grace.CancelAfter(GracefulStopTimeout);
            try
            {
                await process.WaitForExitAsync(grace.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // It ignored SIGTERM: fall through to the forced kill.
            }
        }

        await KillAsync(process).ConfigureAwait(false);
        AzuriteLog.Stopped(_options.Logger, ProcessId);
    }

    private static async Task KillAsync(Process process)
    {
        KillTree(process);
        await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>Kills the process this object started, and its children, by its own id.</summary>
    private static void KillTree(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // It exited between the check and the kill.
        }
    }

    private void StopOnProcessExit()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1 || _process is null)
        {
            return;
        }

        if (!_process.HasExited && UnixSignal.TryTerminate(_process.Id))
        {
            _process.WaitForExit(GracefulStopTimeout);
        }

        KillTree(_process);
        _process.WaitForExit();
        DeleteOwnRecord();
    }

    /// <summary>Deletes azurite.json when it still names this instance; a record of someone else's stays.</summary>
    private void DeleteOwnRecord()
    {
        if (_stateDirectory is null)
        {
            return;
        }

        var stateFile = Path.Combine(_stateDirectory, StateFileName);
        if (AzuriteInstanceRecord.TryRead(stateFile)?.ProcessId == ProcessId)
        {
            File.Delete(stateFile);
        }
    }

    private enum ProbeResult
    {
        Answered,
        Refused,
        Silent,
    }
}
