using System.Globalization;
using DataMesh.Engine;

namespace DataMesh.Pipeline;

/// <summary>
/// The DuckDB limits of a run's sessions (memory, threads, spill cap), derived from the instance the run works on so a
/// run's peak memory is bounded by the instance, not by its input. Settings given explicitly in
/// <see cref="PipelineOptions"/> win over the derived ones.
/// </summary>
/// <remarks>
/// An instance's memory is shared by the Functions host process, the .NET worker outside DuckDB, and DuckDB. DuckDB's
/// <c>memory_limit</c> bounds its buffer pool (hash tables, sorts, the CSV and Parquet buffers it manages) and it spills
/// past it, but per-thread state and allocator slack come on top: it gets <see cref="DuckDbShare"/> of what the hosts
/// leave. One stage runs per instance at a time (host.json <c>maxConcurrentActivityFunctions: 1</c>); raise that and
/// the limit must be divided by it.
/// <para>
/// Every DuckDB session of the process takes its limits from here, by kind (<see cref="Run"/>, <see cref="Quality"/>,
/// <see cref="Side"/>): DuckDB's share of the instance is split between a run's stage and <see cref="SideSessions"/>
/// sessions outside runs that may be open beside it (a reader's page or query, a compaction, applying a deletion file,
/// a spec's bind check), each with <see cref="SideMemoryLimit"/> and one thread. Sessions opened where no run's options
/// are at hand (readers, maintenance, checks) take the process's own, <see cref="Process"/>.
/// </para>
/// </remarks>
/// <param name="MemoryLimit">DuckDB <c>memory_limit</c> (e.g. <c>1011MiB</c>).</param>
/// <param name="Threads">DuckDB <c>threads</c>.</param>
/// <param name="MaxSpillSize">DuckDB <c>max_temp_directory_size</c>: the most a session spills under the run's <c>tmp/</c>.</param>
/// <param name="Source">Where the figures come from, for logs and <c>datamesh bench memory</c>.</param>
/// <param name="QualityMemoryLimit">
/// DuckDB <c>memory_limit</c> of the quality gate's sessions: a fixed budget per thread, never above
/// <paramref name="MemoryLimit"/>. The gate's aggregates (uniqueness above all: one hash-table entry per key) spill past it
/// instead of growing with the output up to the instance's limit.
/// </param>
/// <param name="SideMemoryLimit">
/// DuckDB <c>memory_limit</c> of one session outside a run (<see cref="Side"/>): DuckDB's share of the instance over 8,
/// 64 to 128 MiB; <see cref="SideSessions"/> of them are taken off the run's limit.
/// </param>
/// <param name="SideMaxSpillSize">The spill cap of one session outside a run: a quarter of the run's derived cap.</param>
public sealed record EngineLimits(string MemoryLimit, int Threads, string MaxSpillSize, string Source, string QualityMemoryLimit, string SideMemoryLimit, string SideMaxSpillSize)
{
    public const long Megabyte = 1024L * 1024;

    /// <summary>The Functions host process beside the worker on an Azure instance (the host runtime, its triggers' polling).</summary>
    public const int FunctionsHostMB = 300;

    /// <summary>
    /// The .NET worker outside DuckDB: runtime, JIT, managed heap, Azure SDK and Durable clients, blob transfer buffers
    /// (163-275 MB measured in the local mesh process around a run, <c>datamesh bench memory</c>), with margin.
    /// </summary>
    public const int WorkerMB = 400;

    /// <summary>DuckDB's share of what the hosts leave: the rest covers its memory outside the buffer pool.</summary>
    public const double DuckDbShare = 0.75;

    /// <summary>
    /// The instance a local mesh acts as (Flex Consumption's default size), unless the machine has less than twice that:
    /// a run sized locally then fits the Azure instance, and a laptop keeps half its memory for Azurite and the rest.
    /// </summary>
    public const int LocalInstanceMB = 2048;

    /// <summary>Least <c>memory_limit</c> derived: below it DuckDB cannot hold a CSV reader's and a Parquet writer's buffers.</summary>
    public const int MinimumMemoryLimitMB = 128;

    /// <summary>Memory per DuckDB thread (its own advice is at least 125 MB; aggregations want more).</summary>
    public const int MemoryPerThreadMB = 256;

    /// <summary>
    /// The quality gate's memory per thread: DuckDB's advised least (125 MB). The gate's own queries are aggregates over
    /// one Parquet output, which DuckDB spills past its limit; measured on the bench ledger (10M rows, 2 threads), 256 MiB
    /// measures uniqueness in the time the full 1236 MiB took, at a fifth of the memory.
    /// </summary>
    public const int QualityMemoryPerThreadMB = 128;

    /// <summary>
    /// Sessions outside runs the instance's budget holds beside a run's stage: a reader's (the rows route, <c>datamesh
    /// query</c>, the release cache applying a deletion file) and a maintenance one (compaction, retention's
    /// deletion-file application) at once. No more open: <see cref="SideSessionGate.Process"/> has this many slots, and a
    /// third session that reads files waits for one (<see cref="DuckDbSession.Open"/>).
    /// </summary>
    public const int SideSessions = 2;

    /// <summary>Least and most <c>memory_limit</c> of a session outside a run (one thread: DuckDB's advised 125 MB at most).</summary>
    public const int MinimumSideMemoryMB = 64;

    /// <inheritdoc cref="MinimumSideMemoryMB"/>
    public const int MaximumSideMemoryMB = 128;

    /// <summary>The limits of a run's transform and publish sessions (the product's SQL, masking, the snapshot).</summary>
    public SessionLimits Run => new(MemoryLimit, Threads, MaxSpillSize);

    /// <summary>The limits of the quality gate's sessions (<see cref="QualitySession"/>).</summary>
    public SessionLimits Quality => new(QualityMemoryLimit, Threads, MaxSpillSize);

    /// <summary>
    /// The limits of a session outside a run: release readers (rows and files routes, <c>datamesh query</c>, the release
    /// cache's deletion files), <see cref="Publishing.ReleaseCompactor"/>, a spec's bind check, the bench's generators.
    /// </summary>
    /// <remarks>
    /// At most <see cref="SideSessions"/> of them that read files are open at once in the process: each takes a slot of
    /// <see cref="SideSessionGate.Process"/> as it opens (<see cref="DuckDbSession.Open"/>).
    /// </remarks>
    public SessionLimits Side => new(SideMemoryLimit, 1, SideMaxSpillSize) { Gate = SideSessionGate.Process };

    /// <summary>
    /// The limits of this process, derived once from the settings a Functions app binds to <see cref="PipelineOptions"/>
    /// (<c>DataMesh__Pipeline__InstanceMemoryMB</c>, set by the Bicep from <c>instanceMemoryMB</c>, and the others of
    /// <see cref="FromSettings"/>), else from the machine: what sessions outside a run take (<see cref="Side"/>).
    /// </summary>
    public static EngineLimits Process => ProcessLimits.Value;

    private static readonly Lazy<EngineLimits> ProcessLimits = new(() => FromSettings(Environment.GetEnvironmentVariable));

    /// <summary>
    /// The limits the pipeline settings <paramref name="setting"/> gives (<c>DataMesh__Pipeline__InstanceMemoryMB</c>,
    /// <c>__WorkDirectory</c>, <c>__MemoryLimit</c>, <c>__Threads</c>, <c>__MaxSpillSize</c>, as a Functions app binds
    /// them), derived on this host.
    /// </summary>
    public static EngineLimits FromSettings(Func<string, string?> setting)
    {
        ArgumentNullException.ThrowIfNull(setting);
        const string prefix = "DataMesh__Pipeline__";
        var options = new PipelineOptions
        {
            InstanceMemoryMB = int.TryParse(setting(prefix + nameof(PipelineOptions.InstanceMemoryMB)), NumberStyles.None, CultureInfo.InvariantCulture, out var mb) ? mb : 0,
            MemoryLimit = setting(prefix + nameof(PipelineOptions.MemoryLimit)),
            Threads = int.TryParse(setting(prefix + nameof(PipelineOptions.Threads)), NumberStyles.None, CultureInfo.InvariantCulture, out var threads) && threads > 0 ? threads : null,
            MaxSpillSize = setting(prefix + nameof(PipelineOptions.MaxSpillSize)),
        };
        if (setting(prefix + nameof(PipelineOptions.WorkDirectory)) is { Length: > 0 } work)
        {
            options.WorkDirectory = work;
        }

        return options.EngineLimits();
    }

    /// <summary>Most threads derived: past 4 a single run's scan and write gain little on the instance sizes Flex has.</summary>
    public const int MaxThreads = 4;

    /// <summary>Largest spill cap derived, and the cap when the free disk is unknown.</summary>
    public const long MaxSpillMB = 10L * 1024;

    /// <summary>The limits for <paramref name="options"/> on <paramref name="host"/>: explicit settings, else derived.</summary>
    public static EngineLimits Derive(PipelineOptions options, InstanceResources host)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(host);
        var hostMB = host.MemoryBytes / Megabyte;
        var (instanceMB, reserved, source) = host.IsInstance
            ? (hostMB, FunctionsHostMB + WorkerMB, $"instance of {hostMB} MB")
            : (Math.Min(hostMB / 2, LocalInstanceMB), WorkerMB, $"machine of {hostMB} MB, as an instance of {Math.Min(hostMB / 2, LocalInstanceMB)} MB");
        // DuckDB's share of the instance, split between a run's stage and the sessions outside runs beside it.
        var duckDbMB = (long)((instanceMB - reserved) * DuckDbShare);
        var sideMB = Math.Clamp(duckDbMB / 8, MinimumSideMemoryMB, MaximumSideMemoryMB);
        var memoryMB = Math.Max(MinimumMemoryLimitMB, duckDbMB - (SideSessions * sideMB));
        var memoryLimit = string.IsNullOrWhiteSpace(options.MemoryLimit) ? Size(memoryMB) : options.MemoryLimit.Trim();
        var threads = options.Threads ?? (int)Math.Clamp(Math.Min(host.ProcessorCount, memoryMB / MemoryPerThreadMB), 1, MaxThreads);

        // Half the free disk at most, so a spilling run leaves room for the run's own files and other runs.
        var spillMB = host.FreeDiskBytes is { } free ? Math.Clamp(free / Megabyte / 2, 1, MaxSpillMB) : MaxSpillMB;
        var maxSpill = string.IsNullOrWhiteSpace(options.MaxSpillSize) ? Size(spillMB) : options.MaxSpillSize.Trim();
        var given = new[] { (options.MemoryLimit, "memory_limit"), (options.Threads?.ToString(CultureInfo.InvariantCulture), "threads"), (options.MaxSpillSize, "spill cap") }
            .Where(s => !string.IsNullOrWhiteSpace(s.Item1)).Select(s => s.Item2).ToList();
        var qualityMB = (long)threads * QualityMemoryPerThreadMB;
        var quality = Megabytes(memoryLimit) is { } limitMB && limitMB <= qualityMB ? memoryLimit : Size(qualityMB);
        return new EngineLimits(memoryLimit, threads, maxSpill, given.Count == 0 ? source : $"{source}; set: {string.Join(", ", given)}", quality, Size(sideMB), Size(Math.Max(1, spillMB / 4)));
    }

    /// <summary>
    /// A DuckDB size (<c>1011MiB</c>, <c>1GB</c>, <c>512 MB</c>, bytes) in binary megabytes, rounded down; null when it is not
    /// one DuckDB spells that way (a percentage): the gate then keeps the session limit, which is never above it.
    /// </summary>
    internal static long? Megabytes(string size)
    {
        var match = System.Text.RegularExpressions.Regex.Match(size, @"^\s*([0-9]+(?:\.[0-9]+)?)\s*([A-Za-z]*)\s*$");
        if (!match.Success)
        {
            return null;
        }

        var value = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        double? bytes = match.Groups[2].Value.ToUpperInvariant() switch
        {
            "" or "B" or "BYTE" or "BYTES" => value,
            "KB" or "K" => value * 1e3,
            "MB" or "M" => value * 1e6,
            "GB" or "G" => value * 1e9,
            "TB" or "T" => value * 1e12,
            "KIB" => value * 1024,
            "MIB" => value * Megabyte,
            "GIB" => value * Megabyte * 1024,
            "TIB" => value * Megabyte * 1024 * 1024,
            _ => null,
        };
        return bytes is { } b ? (long)(b / Megabyte) : null;
    }

    /// <summary>DuckDB's binary megabytes (<c>MiB</c>), so the limit is the figure computed, not 1000-based.</summary>
    private static string Size(long megabytes) => megabytes.ToString(CultureInfo.InvariantCulture) + "MiB";
}
