namespace DataMesh.Pipeline;

/// <summary>Engine settings of the pipeline stages.</summary>
public sealed class PipelineOptions
{
    /// <summary>Local scratch folder; each run works in <c>&lt;WorkDirectory&gt;/&lt;runId&gt;/</c>.</summary>
    public string WorkDirectory { get; set; } = Path.Combine(Path.GetTempPath(), "datamesh-runs");

    /// <summary>DuckDB <c>memory_limit</c>; the default leaves room in a 2 GB Flex Consumption instance.</summary>
    public string MemoryLimit { get; set; } = "1GB";

    /// <summary>
    /// Most a stage's DuckDB session may spill to the run's <c>tmp/</c> folder (<c>max_temp_directory_size</c>); past it
    /// the stage fails. DuckDB's own default is 90 % of the free disk.
    /// </summary>
    public string MaxSpillSize { get; set; } = Engine.DuckDbSessionOptions.DefaultMaxTempDirectorySize;

    /// <summary>DuckDB <c>threads</c>.</summary>
    public int Threads { get; set; } = Math.Max(1, Math.Min(Environment.ProcessorCount, 4));

    /// <summary>Rows per Parquet row group.</summary>
    public int RowGroupSize { get; set; } = 122_880;

    /// <summary>Largest landing file a run accepts; bigger files are quarantined with that reason.</summary>
    public long MaxInputBytes { get; set; } = 20L * 1024 * 1024 * 1024;

    /// <summary>
    /// Per-mesh secret mixed into <c>hash</c> masking, so hashes cannot be reversed by hashing guesses. The local
    /// mesh keeps one under its state folder; in Azure it comes from a Key Vault reference in the app settings.
    /// </summary>
    public string MaskingSalt { get; set; } = "";

    /// <summary>Delete a run's local folder once it has ended.</summary>
    public bool CleanUpWorkDirectory { get; set; } = true;

    /// <summary>Test seam invoked by the stage activities after their side effects; <see cref="PipelineFaults.None"/> outside fault tests.</summary>
    public PipelineFaults Faults { get; set; } = PipelineFaults.None;
}
