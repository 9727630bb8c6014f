namespace DataMesh.Pipeline;

/// <summary>Engine settings of the pipeline stages.</summary>
public sealed class PipelineOptions
{
    /// <summary>Local scratch folder; each run works in <c>&lt;WorkDirectory&gt;/&lt;runId&gt;/</c>.</summary>
    public string WorkDirectory { get; set; } = Path.Combine(Path.GetTempPath(), "datamesh-runs");

    /// <summary>
    /// Memory of the Functions instance the app runs on, in MB (<c>DataMesh__Pipeline__InstanceMemoryMB</c>, set by the
    /// Bicep from <c>instanceMemoryMB</c>); 0 (the default) takes the machine's memory. The DuckDB limits derive from it
    /// (<see cref="EngineLimits"/>).
    /// </summary>
    public int InstanceMemoryMB { get; set; }

    /// <summary>DuckDB <c>memory_limit</c> (e.g. <c>1GB</c>); unset (the default), derived from the instance (<see cref="EngineLimits"/>).</summary>
    public string? MemoryLimit { get; set; }

    /// <summary>
    /// Most a stage's DuckDB session may spill to the run's <c>tmp/</c> folder (<c>max_temp_directory_size</c>); past it
    /// the stage fails. Unset (the default): half the free disk under <see cref="WorkDirectory"/>, at most 10 GB, where
    /// DuckDB's own default is 90 % of the free disk.
    /// </summary>
    public string? MaxSpillSize { get; set; }

    /// <summary>DuckDB <c>threads</c>; unset (the default), derived from the cores and the memory limit (<see cref="EngineLimits"/>).</summary>
    public int? Threads { get; set; }

    /// <summary>The DuckDB limits of this host: the ones set here, the others derived from <see cref="InstanceResources.Of"/>.</summary>
    public EngineLimits EngineLimits() => Pipeline.EngineLimits.Derive(this, InstanceResources.Of(this));

    /// <summary>Rows per Parquet row group.</summary>
    public int RowGroupSize { get; set; } = 122_880;

    /// <summary>
    /// When above 0, rows per file an unpartitioned <c>merge</c> writes from its output, sorted by key, so a later merge
    /// of clustered keys reads only the files whose key ranges hold them (<see cref="Publishing.SnapshotBuilder.MergeFileRows"/>);
    /// 0 (the default) writes the output's files unsorted: merges give large files deletion files instead of rewriting them.
    /// </summary>
    public int MergeFileRows { get; set; } = Publishing.SnapshotBuilder.DefaultMergeFileRows;

    /// <summary>Largest landing file a run accepts; bigger files are quarantined with that reason.</summary>
    public long MaxInputBytes { get; set; } = 20L * 1024 * 1024 * 1024;

    /// <summary>
    /// The domain's secret from which <c>hash</c> masking derives a key per hash scope (<see cref="Engine.KeyedHash"/>),
    /// so no team outside the domain can hash guesses to the same values. In Azure, one domain per app: a Key Vault
    /// reference to the domain vault's secret. <see cref="MaskingKeys"/> overrides it per domain.
    /// </summary>
    public string MaskingKey { get; set; } = "";

    /// <summary>
    /// Masking secrets by domain, for a host that runs several domains (the local mesh keeps one per domain under its
    /// state folder): a domain never hashes with another domain's secret. Concurrent: <c>datamesh up</c> adds a new
    /// domain's key when it reloads its specs while other domains' runs read theirs.
    /// </summary>
    public IDictionary<string, string> MaskingKeys { get; } = new System.Collections.Concurrent.ConcurrentDictionary<string, string>(StringComparer.Ordinal);

    /// <summary>The masking secret of <paramref name="domain"/>: its own entry in <see cref="MaskingKeys"/>, else <see cref="MaskingKey"/>.</summary>
    public string MaskingKeyOf(string domain) =>
        MaskingKeys.TryGetValue(domain, out var key) && !string.IsNullOrEmpty(key) ? key : MaskingKey ?? "";

    /// <summary>
    /// How long a run may stay pending or running before the Functions app's stuck-run timer terminates it and
    /// announces its failure (<c>DataMesh__Pipeline__StuckRunAfter</c>, e.g. <c>01:00:00</c>); keep it past the
    /// longest stage time limit of the app's products.
    /// </summary>
    public TimeSpan StuckRunAfter { get; set; } = StuckRunSweep.DefaultBound;

    /// <summary>Delete a run's local folder once it has ended.</summary>
    public bool CleanUpWorkDirectory { get; set; } = true;

    /// <summary>Test seam invoked by the stage activities after their side effects; <see cref="PipelineFaults.None"/> outside fault tests.</summary>
    public PipelineFaults Faults { get; set; } = PipelineFaults.None;
}
