namespace DataMesh.Pipeline;

/// <summary>Input of <see cref="ResolveInputsActivity"/>.</summary>
public sealed record ResolveInputsInput(string RunId, string ProductId, IReadOnlyList<string> LandingBlobs)
{
    /// <summary>When the orchestration started (its replay-safe clock): the OpenLineage START event's time.</summary>
    public DateTimeOffset? StartedAt { get; init; }

    /// <summary>Blob names in the domain's <c>archive</c> container to replay (a backfill), as <see cref="LandingBlobs"/> names landing blobs.</summary>
    public IReadOnlyList<string> ArchivedBlobs { get; init; } = [];

    /// <summary>Attempt of the activity, from 1 (set by the orchestrator, which retries it): telemetry only.</summary>
    public int Attempt { get; init; } = 1;
}

/// <summary>The files a run ingests, each assigned to its input port, and the product version the run builds.</summary>
public sealed record IngestPlan(string Version, IReadOnlyList<PlannedFile> Files)
{
    /// <summary>The exact upstream release each upstream input port reads.</summary>
    public IReadOnlyList<PlannedUpstream> Upstream { get; init; } = [];
}

/// <summary>
/// An upstream input port pinned to one release: where it lives and the data files the run reads from it,
/// <see cref="Sources"/> (plans recorded before snapshots list <see cref="Files"/> relative to <see cref="Folder"/> instead).
/// </summary>
public sealed record PlannedUpstream(string InputName, string Domain, string Folder, UpstreamRelease Release, IReadOnlyList<string> Files)
{
    /// <summary>
    /// The blobs the input reads and their local names: the release's whole snapshot, or for <c>read: changes</c> the
    /// files holding the rows changed since the release the consumer last built from (empty when nothing changed).
    /// </summary>
    public IReadOnlyList<Publishing.SnapshotFile> Sources { get; init; } = [];

    /// <summary>A file of the release that gives the input its columns when <see cref="Sources"/> is empty (no changes to read).</summary>
    public Publishing.SnapshotFile? SchemaSource { get; init; }

    /// <summary>How the input was read, for the run's input report (e.g. the releases whose changes it holds, or why it fell back to the snapshot).</summary>
    public string? Read { get; init; }
}

/// <summary>A landing blob to ingest for an input port; <see cref="Index"/> orders the run's files.</summary>
public sealed record PlannedFile(string InputName, string BlobName, int Index)
{
    /// <summary>The blob's ETag when the run planned it: ingest reads this version only, and a failure quarantines only it.</summary>
    public string? ETag { get; init; }

    /// <summary>True when the blob is read from the domain's <c>archive</c> container (a published input, replayed), not <c>landing</c>.</summary>
    public bool Archived { get; init; }
}

/// <summary>Input of <see cref="IngestActivity"/>: one file.</summary>
public sealed record IngestInput(string RunId, string ProductId, PlannedFile File)
{
    /// <summary>
    /// Refuse the file when the product already published the same bytes (<see cref="Publishing.PublishedInputIndex"/>):
    /// set for arrivals (blob triggers), not for runs asked for on purpose (a rebuild, an upstream release).
    /// </summary>
    public bool RefuseDuplicates { get; init; }

    /// <summary>Attempt of the activity, from 1 (set by the orchestrator, which retries it): telemetry only.</summary>
    public int Attempt { get; init; } = 1;
}

/// <summary>One landing blob copied to the run's local folder.</summary>
public sealed record IngestedFile(string InputName, LandingBlob Blob, string LocalName);

/// <summary>Input of <see cref="TransformActivity"/>.</summary>
public sealed record TransformInput(string RunId, string ProductId, IReadOnlyList<IngestedFile> Files)
{
    /// <summary>Attempt of the activity, from 1 (set by the orchestrator, which retries it): telemetry only.</summary>
    public int Attempt { get; init; } = 1;

    /// <summary>Upstream releases read as views (their Parquet files, downloaded by the transform).</summary>
    public IReadOnlyList<PlannedUpstream> Upstream { get; init; } = [];

    /// <summary>A backfill's partition selection (<see cref="BackfillPartitions"/>): the output keeps only those partitions' rows.</summary>
    public IReadOnlyList<string> Partitions { get; init; } = [];

    /// <summary>
    /// Set for one part of a backfill's fan-out (its index): the transform works in its own scratch folder
    /// (<see cref="RunWorkspace.Part"/>), keeps only the rows of <see cref="Folders"/> and stages them under the run's prefix.
    /// </summary>
    public int? Part { get; init; }

    /// <summary>The Hive partition folders of <see cref="Part"/> (<see cref="BackfillPart.Folders"/>): the output keeps only their rows.</summary>
    public IReadOnlyList<string> Folders { get; init; } = [];
}

/// <summary>The transform's output, staged as Parquet for the next stages.</summary>
public sealed record TransformResult(string StagedBlob, long Rows, IReadOnlyList<OutputColumn> Schema, string SchemaHash)
{
    /// <summary>How each input port was read (declared or auto-detected schema, drift found).</summary>
    public IReadOnlyList<InputReport> Inputs { get; init; } = [];

    /// <summary>The output's Parquet files, relative to <see cref="StagedBlob"/> (the staging prefix): Hive folders when partitioned.</summary>
    public IReadOnlyList<string> Files { get; init; } = [];

    /// <summary>
    /// The quality gate's measures, taken by the transform in the DuckDB session that wrote the output (while its data
    /// and memory are warm); null when it could not take them, and the quality stage measures then.
    /// </summary>
    public QualityMeasurement? Quality { get; init; }

    /// <summary>
    /// Why the input was refused when a drift blocks the run (<c>onDrift: block</c>, a missing required column): the run
    /// then fails at ingest with its input quarantined, and <see cref="Inputs"/> says what was found. Null otherwise.
    /// </summary>
    public string? Rejected { get; init; }
}

/// <summary>
/// The values of the quality gate's one aggregate query over an output: its row count and one value per measure, in
/// the order the contract compiles to.
/// </summary>
/// <param name="QueryHash">SHA-256 of the query that measured them: a measurement is used only by the same query.</param>
/// <param name="Rows">Rows of the output.</param>
/// <param name="Values">One value per measure (null counts as 0).</param>
public sealed record QualityMeasurement(string QueryHash, long Rows, IReadOnlyList<decimal> Values);

/// <summary>A column of the output as DuckDB typed it.</summary>
public sealed record OutputColumn(string Name, string Type);

/// <summary>Input of <see cref="QualityCheckActivity"/>.</summary>
public sealed record QualityCheckInput(string RunId, string ProductId, TransformResult Output)
{
    /// <summary>Attempt of the activity, from 1 (set by the orchestrator, which retries it): telemetry only.</summary>
    public int Attempt { get; init; } = 1;
}

/// <summary>Input of <see cref="PublishActivity"/>.</summary>
public sealed record PublishInput(string RunId, string ProductId, TransformResult Output, QualitySummary Quality, IReadOnlyList<IngestedFile> Landing)
{
    /// <summary>Attempt of the activity, from 1 (set by the orchestrator, which retries it): telemetry only.</summary>
    public int Attempt { get; init; } = 1;

    /// <summary>The exact upstream releases the output was built from (lineage).</summary>
    public IReadOnlyList<UpstreamRelease> Upstream { get; init; } = [];
}

/// <summary>A release written: its number and folder.</summary>
public sealed record PublishResult(int Release, string Location, long Rows, string SchemaHash)
{
    /// <summary>Bytes of the release's data files.</summary>
    public long Bytes { get; init; }

    /// <summary>The gate's outcome as the release's manifest records it (table-level rules judged on the snapshot); null from older hosts.</summary>
    public QualitySummary? Quality { get; init; }

    /// <summary>
    /// Set when the whole snapshot failed a table-level rule of the gate (no release was written, <see cref="Release"/> is
    /// 0): the run ends as a quality failure with this summary.
    /// </summary>
    public QualitySummary? Refused { get; init; }

    /// <summary>What the release changed: its manifest's <see cref="Publishing.ReleaseManifest.Changes"/> (null when the manifest records none); announced with the release.</summary>
    public Publishing.ReleaseChanges? Changes { get; init; }
}

/// <summary>Input of <see cref="QuarantineActivity"/>.</summary>
public sealed record QuarantineInput(string RunId, string ProductId, IReadOnlyList<string> LandingBlobs, string Stage, string Reason, QualitySummary? Quality)
{
    /// <summary>
    /// The ETag the run pinned for each landing blob (by name): only that version is quarantined. A blob without one
    /// (the run failed before pinning it) is moved in whatever version it has.
    /// </summary>
    public IReadOnlyDictionary<string, string> ETags { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Attempt of the activity, from 1 (set by the orchestrator, which retries it): telemetry only.</summary>
    public int Attempt { get; init; } = 1;
}

/// <summary>Input of <see cref="AnnounceActivity"/>: the run's outcome, to be announced as a CloudEvent.</summary>
public sealed record AnnounceInput(PipelineResult Result, PublishResult? Published, PublishInput? Publish, QualitySummary? Quality)
{
    /// <summary>When the orchestration started: the START of the run's OpenLineage events.</summary>
    public DateTimeOffset? StartedAt { get; init; }

    /// <summary>The landing blobs the run was triggered with (the inputs a START or FAIL event names).</summary>
    public IReadOnlyList<string> LandingBlobs { get; init; } = [];

    /// <summary>For a failed run, the word announced as <see cref="Events.PipelineRunFailedData.Reason"/> (e.g. <c>cancelled</c>); null otherwise.</summary>
    public string? FailureReason { get; init; }

    /// <summary>Attempt of the activity, from 1 (set by the orchestrator, which retries it): telemetry only.</summary>
    public int Attempt { get; init; } = 1;
}

/// <summary>Input of <see cref="CleanUpActivity"/>.</summary>
public sealed record CleanUpInput(string RunId, string ProductId)
{
    /// <summary>
    /// The run's orchestration was terminated (cancelled or stuck): stages it had scheduled may still run after this
    /// clean-up, so it first decides the run terminated (<see cref="RunDecision"/>, unless its publish decided first) for them to stage nothing.
    /// </summary>
    public bool Terminated { get; init; }

    /// <summary>Attempt of the activity, from 1 (set by the orchestrator, which retries it): telemetry only.</summary>
    public int Attempt { get; init; } = 1;
}
