using DataMesh.Engine;
using DataMesh.Publishing;
using DataMesh.Specs;
using DataMesh.Telemetry;
using DuckDB.NET.Data;
using Microsoft.DurableTask;

namespace DataMesh.Pipeline;

/// <summary>
/// Stage 2: runs the product's SQL on DuckDB in a sandbox (DESIGN §2) over its inputs as views, streams the result
/// to Parquet (zstd), takes the quality gate's measures over it in the same session (the quality stage judges them)
/// and stages it for the next stages. Idempotent: a retry rewrites the same staged blob.
/// </summary>
public sealed class TransformActivity(PipelineRuntime runtime) : TaskActivity<TransformInput, TransformResult>
{
    /// <summary>Name of the data file of an unpartitioned output; partitioned outputs are Hive folders of <c>part-N.parquet</c>.</summary>
    public const string PartFileName = "part-00000.parquet";

    public override Task<TransformResult> RunAsync(TaskActivityContext context, TransformInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return StageTracing.RunAsync(runtime, "transform", input.RunId, input.ProductId, input.Attempt, () => StageTimeLimit.RunAsync(runtime.ProductsOf(input.RunId).Get(input.ProductId), "transform", token => TransformAsync(input, token), runtime.CancellationOf(input.RunId)),
            (span, output) => span.SetTag(TelemetryAttributes.Rows, output.Rows).SetTag(TelemetryAttributes.QualityMeasured, output.Quality is not null));
    }

    /// <summary>
    /// The transform, unless the run's orchestration was terminated meanwhile (<see cref="CleanUpInput.Terminated"/>): a
    /// part of a cancelled backfill that was scheduled but not yet started, or still running on an instance the
    /// cancellation did not reach, must not stage files nor leave a folder after the run's clean-up ran.
    /// </summary>
    private async Task<TransformResult> TransformAsync(TransformInput input, CancellationToken cancellationToken)
    {
        var spec = runtime.ProductsOf(input.RunId).Get(input.ProductId);
        await CleanUpActivity.ThrowIfTerminatedAsync(runtime, spec, input.RunId, "transform", cancellationToken).ConfigureAwait(false);

        TransformResult result;
        try
        {
            result = await RunTransformAsync(spec, input, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not PipelineStageException)
        {
            // Stopped (in-process cancellation) or failed: what it wrote after the run's clean-up goes too.
            if (await CleanUpActivity.TerminatedAsync(runtime, spec, input.RunId, CancellationToken.None).ConfigureAwait(false))
            {
                await CleanUpActivity.RemoveScratchAsync(runtime, spec, input.RunId, CancellationToken.None).ConfigureAwait(false);
            }

            throw;
        }

        // Staged before looking: if the clean-up's listing missed these files, the mark is there now (CleanUpActivity).
        await CleanUpActivity.ThrowIfTerminatedWhileRunningAsync(runtime, spec, input.RunId, "transform", "its output removed").ConfigureAwait(false);

        return result;
    }

    private async Task<TransformResult> RunTransformAsync(ProductSpec spec, TransformInput input, CancellationToken cancellationToken)
    {
        // A part of a backfill's fan-out has its own scratch folder: parts run at once, on this instance or others.
        var workspace = input.Part is int part ? runtime.Workspace(input.RunId).Part(part) : runtime.Workspace(input.RunId);
        var localFiles = new List<(IngestedFile File, string Path)>();
        foreach (var file in input.Files)
        {
            localFiles.Add((file, await LandingFiles.EnsureLocalAsync(runtime, spec, workspace, file, cancellationToken).ConfigureAwait(false)));
        }

        var upstream = new Dictionary<string, LocalUpstream>(StringComparer.Ordinal);
        foreach (var release in input.Upstream)
        {
            // The upstream release's Parquet files, in the run's input folder (kept when a retry finds them there).
            upstream[release.InputName] = await LocalUpstream.DownloadAsync(runtime.StorageFor(spec.Domain), release, workspace.InputDirectory(release.InputName), cancellationToken).ConfigureAwait(false);
        }

        // A retry starts from an empty output folder: files of an earlier attempt must not join this one.
        if (Directory.Exists(workspace.OutputDirectory))
        {
            Directory.Delete(workspace.OutputDirectory, recursive: true);
        }

        Directory.CreateDirectory(workspace.OutputDataDirectory);
        (long Rows, List<OutputColumn> Schema, List<InputReport> Inputs, List<string> Files) output;
        try
        {
            output = Run(spec, workspace, localFiles, upstream, input, cancellationToken);
        }
        catch (DriftBlockedException ex)
        {
            // Not thrown on: a failed activity carries only its message, and the run must keep what it found in its inputs.
            return new TransformResult("", 0, [], "") { Inputs = ex.Inputs, Rejected = ex.Message };
        }

        var (rows, schema, inputs, files) = output;

        // Measured once the transform's session is closed (its memory returned), in the gate's own session. A part's
        // measures would judge a slice: the one gate measures the parts together (QualityCheckActivity).
        var quality = input.Part is null ? MeasureQuality(spec, workspace, schema, files, cancellationToken) : null;

        var staging = runtime.StorageFor(spec.Domain).Staging(spec.Domain);
        var prefix = StagedOutput.Prefix(spec.Name, input.RunId);
        await Parallel.ForEachAsync(files, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = cancellationToken }, async (file, token) =>
        {
            await using var stream = File.OpenRead(Path.Combine(workspace.OutputDataDirectory, file));
            await staging.GetBlobClient(prefix + file).UploadAsync(stream, overwrite: true, token).ConfigureAwait(false);
        }).ConfigureAwait(false);

        var schemaHash = SchemaHash(schema);
        await runtime.Options.Faults.InjectAsync(PipelineFaults.AfterTransform, input.RunId).ConfigureAwait(false);
        return new TransformResult(prefix, rows, schema, schemaHash) { Inputs = inputs, Files = files, Quality = quality };
    }

    /// <summary>
    /// Drift leaves the domain (run result, events, catalog, API, logs). Its names come from the file's header, and a
    /// file without a header line puts its first row there: in a product with classified columns (the rule of
    /// <see cref="ErrorRedaction"/>, failing closed), undeclared column names and header listings are withheld.
    /// </summary>
    private static InputReport WithoutValues(ProductSpec spec, InputReport report)
    {
        if (!ErrorRedaction.Applies(spec) || report.Drift.Count == 0)
        {
            return report;
        }

        const string Withheld = "names withheld: the product has classified columns, and a file without a header line puts values where names go";
        return report with
        {
            Drift = [.. report.Drift.Select(d => d.Kind switch
            {
                "unexpected-column" => d with { Column = ErrorRedaction.Marker, Detail = $"in the file but not declared ({Withheld})" },
                "missing-column" => d with { Detail = $"not in the header ({Withheld})" },
                _ => d with { Detail = ErrorRedaction.Redact(spec, d.Detail) },
            })],
        };
    }

    /// <summary>SHA-256 of the column names and types in order: equal hashes, same shape.</summary>
    public static string SchemaHash(IEnumerable<OutputColumn> schema) =>
        FileHash.Sha256(string.Join('\n', schema.Select(c => $"{c.Name}:{c.Type}")));

    private (long Rows, List<OutputColumn> Schema, List<InputReport> Inputs, List<string> Files) Run(
        ProductSpec spec, RunWorkspace workspace, List<(IngestedFile File, string Path)> files, Dictionary<string, LocalUpstream> upstream, TransformInput input, CancellationToken cancellationToken)
    {
        // Spill left by an attempt that was killed is not this attempt's: DuckDB would not reuse it.
        if (Directory.Exists(workspace.TempDirectory))
        {
            Directory.Delete(workspace.TempDirectory, recursive: true);
        }

        var sqlFile = Path.GetRelativePath(spec.Directory, Path.Combine(spec.Directory, spec.TransformSqlPath));
        using var session = DuckDbSession.Open(new DuckDbSessionOptions
        {
            AllowedDirectories = [workspace.InputsDirectory, workspace.OutputDirectory],
            TempDirectory = workspace.TempDirectory,
            Limits = runtime.EngineLimits.Run,
            Cancellation = cancellationToken,
        });

        var reports = new List<InputReport>();
        var capturing = new List<InputSpec>();
        var landingFiles = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var port in spec.Inputs)
        {
            if (!port.IsLanding)
            {
                var release = upstream.TryGetValue(port.Name, out var found) ? found
                    : throw new PipelineStageException("transform", $"Input '{port.Name}' of {spec.Id} reads {port.Product}, but the run resolved no release for it.");
                session.Execute(release.CreateViewSql(port.Name));
                reports.Add(release.Report(port.Name));
                continue;
            }

            landingFiles[port.Name] = files.Where(f => f.File.InputName == port.Name).Select(f => f.Path).ToList();
            InputReport report;
            try
            {
                report = InputBinder.Bind(session, port, landingFiles[port.Name]);
            }
            catch (DuckDBException) when (InputBinder.CapturesRejects(port))
            {
                // A strict read cannot even be set up (DuckDB sniffs at bind time: ragged rows fail it): capture rejects.
                report = Bind(spec, session, port, landingFiles[port.Name], captureRejects: true);
                capturing.Add(port);
            }
            catch (Exception ex) when (ex is DuckDBException or InvalidOperationException)
            {
                throw Unreadable(spec, port, ex);
            }

            // The rejection leaves the domain too (run error, quarantine reason, events): described without values.
            var reported = WithoutValues(spec, report);
            if (reported.Drift.Any(d => d.Blocking))
            {
                throw new DriftBlockedException($"{spec.Id}: {InputBinder.Describe(port.Name, reported.Drift.Where(d => d.Blocking))}", [.. reports, reported]);
            }

            reports.Add(reported);
        }

        session.Lock();
        string select;
        try
        {
            select = session.RequireSingleSelect(spec.TransformSql, $"{spec.Id}: transform {sqlFile}");

            // A partition backfill writes only the partitions it names: the others keep their rows in the new snapshot.
            select = BackfillPartitions.Filter(input.Partitions, select);

            // A part of a backfill's fan-out computes its own partitions only: the parts' outputs never overlap.
            select = BackfillPartitions.FilterFolders(input.Folders, select);
        }
        catch (Exception ex) when (ex is DuckDBException or InvalidOperationException)
        {
            throw new PipelineStageException("transform", ex.Message, ex);
        }

        // The inputs are read strictly first: a value that does not cast stops the read. Only then are they read again,
        // recording every such value, so the quarantine reason lists every drift by column, with counts and lines.
        var strict = spec.Inputs.Where(p => p.IsLanding && InputBinder.CapturesRejects(p)).Except(capturing).ToList();
        try
        {
            session.Execute(CopyStatement(spec, select, workspace.OutputDataDirectory));
        }
        catch (DuckDBException) when (strict.Count > 0)
        {
            Directory.Delete(workspace.OutputDataDirectory, recursive: true);
            Directory.CreateDirectory(workspace.OutputDataDirectory);
            foreach (var port in strict)
            {
                Bind(spec, session, port, landingFiles[port.Name], captureRejects: true);
                capturing.Add(port);
            }

            Copy(spec, session, select, workspace.OutputDataDirectory, sqlFile);
        }
        catch (DuckDBException ex)
        {
            throw Classify(spec, sqlFile, ex);
        }

        foreach (var port in capturing)
        {
            var rejects = InputBinder.CollectRejects(session, port);
            if (rejects.Count > 0)
            {
                throw new InputRejectedException($"{spec.Id}: {InputBinder.Describe(port.Name, rejects)}");
            }
        }

        var written = StagedOutput.ListFiles(workspace.OutputDataDirectory);
        if (input.Part is not null && written.Count == 0)
        {
            // A part whose partitions hold no row now (the transform changed since): nothing to stage; the others decide.
            return (0, [], reports, written);
        }

        var outputFiles = Sql.List(written.Select(f => Path.Combine(workspace.OutputDataDirectory, f)));
        var schema = session.Query(
            $"SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet({outputFiles}))",
            r => new OutputColumn(r.GetString(0), r.GetString(1)));
        // The Parquet footers hold the row counts: no scan of the data.
        var rows = Convert.ToInt64(session.Scalar($"SELECT CAST(coalesce(sum(num_rows), 0) AS BIGINT) FROM parquet_file_metadata({outputFiles})"), System.Globalization.CultureInfo.InvariantCulture);
        return (rows, schema, reports, written);
    }

    /// <summary>
    /// Takes the quality gate's measures over the output just written, where it was written (the quality stage then
    /// judges without reading the data), in a session of the gate's own (<see cref="QualitySession"/>): the output as its
    /// one view, so the names in the contract's rules resolve as in the quality stage, and the gate's memory budget, so
    /// its aggregates spill instead of growing with the output. Null when a rule cannot be measured: the quality stage
    /// measures again and reports the failure as its own.
    /// </summary>
    private QualityMeasurement? MeasureQuality(ProductSpec spec, RunWorkspace workspace, List<OutputColumn> schema, List<string> files, CancellationToken cancellationToken)
    {
        try
        {
            using var session = QualitySession.Open(runtime.EngineLimits, workspace, [.. files.Select(f => Path.Combine(workspace.OutputDataDirectory, f))], cancellationToken);
            return QualityGate.Measure(session, spec.Contract, schema);
        }
        catch (Exception ex) when (ex is DuckDBException or InvalidOperationException)
        {
            return null;
        }
    }

    private static InputReport Bind(ProductSpec spec, DuckDbSession session, InputSpec port, List<string> paths, bool captureRejects)
    {
        try
        {
            return InputBinder.Bind(session, port, paths, captureRejects);
        }
        catch (Exception ex) when (ex is DuckDBException or InvalidOperationException)
        {
            throw Unreadable(spec, port, ex);
        }
    }

    private static InputRejectedException Unreadable(ProductSpec spec, InputSpec port, Exception ex) =>
        new($"Input '{port.Name}' of {spec.Id} could not be read as {port.Landing!.Format}: {InputBinder.Shorten(ex.Message, 600)}", ex);

    private void Copy(ProductSpec spec, DuckDbSession session, string select, string outputDirectory, string sqlFile)
    {
        try
        {
            session.Execute(CopyStatement(spec, select, outputDirectory));
        }
        catch (DuckDBException ex)
        {
            throw Classify(spec, sqlFile, ex);
        }
    }

    /// <summary>A failed transform: an input that does not parse is the data's fault (quarantined), anything else the SQL's.</summary>
    private static Exception Classify(ProductSpec spec, string sqlFile, DuckDBException ex) =>
        ex.Message.Contains("CSV Error", StringComparison.Ordinal) || ex.Message.Contains("Malformed JSON", StringComparison.Ordinal)
            ? new InputRejectedException($"{spec.Id}: an input file could not be read: {InputBinder.Shorten(ex.Message, 600)}", ex)
            : new PipelineStageException("transform", $"{spec.Id}: transform {sqlFile} failed: {InputBinder.Shorten(ex.Message, 600)}", ex);

    /// <summary>
    /// Streams the SELECT into Parquet (zstd): one file, or a Hive-partitioned folder tree when the spec says
    /// <c>partitionBy</c> (partition columns are kept in the files too, so their types survive exactly).
    /// </summary>
    private string CopyStatement(ProductSpec spec, string select, string outputDirectory)
    {
        var options = $"FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE {runtime.Options.RowGroupSize}";
        if (spec.Output.PartitionBy.Count == 0)
        {
            return $"COPY (\n{select}\n) TO {Sql.Literal(Path.Combine(outputDirectory, PartFileName))} ({options})";
        }

        var columns = string.Join(", ", spec.Output.PartitionBy.Select(Sql.Identifier));
        return $"COPY (\n{select}\n) TO {Sql.Literal(outputDirectory)} ({options}, PARTITION_BY ({columns}), WRITE_PARTITION_COLUMNS true, FILENAME_PATTERN 'part-{{i}}', OVERWRITE_OR_IGNORE true)";
    }
}
