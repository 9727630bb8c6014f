using DataMesh.Engine;
using DataMesh.Publishing;
using DataMesh.Specs;
using DuckDB.NET.Data;
using Microsoft.DurableTask;

namespace DataMesh.Pipeline;

/// <summary>
/// Stage 2: runs the product's SQL on DuckDB in a sandbox (DESIGN §2) over its inputs as views, streams the result
/// to Parquet (zstd) and stages it for the next stages. Idempotent: a retry rewrites the same staged blob.
/// </summary>
public sealed class TransformActivity(PipelineRuntime runtime) : TaskActivity<TransformInput, TransformResult>
{
    /// <summary>Name of the (single) data file of a staged output and of a release.</summary>
    public const string PartFileName = "part-00000.parquet";

    public override async Task<TransformResult> RunAsync(TaskActivityContext context, TransformInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var spec = runtime.Products.Get(input.ProductId);
        var workspace = runtime.Workspace(input.RunId);
        var localFiles = new List<(IngestedFile File, string Path)>();
        foreach (var file in input.Files)
        {
            localFiles.Add((file, await LandingFiles.EnsureLocalAsync(runtime, spec, workspace, file, CancellationToken.None).ConfigureAwait(false)));
        }

        Directory.CreateDirectory(workspace.OutputDirectory);
        var outputPath = Path.Combine(workspace.OutputDirectory, PartFileName);
        var (rows, schema) = Run(spec, workspace, localFiles, outputPath);

        var staged = StagedOutput.BlobName(spec.Name, input.RunId);
        await using (var stream = File.OpenRead(outputPath))
        {
            await runtime.Storage.Staging(spec.Domain).GetBlobClient(staged).UploadAsync(stream, overwrite: true).ConfigureAwait(false);
        }

        var schemaHash = FileHash.Sha256(string.Join('\n', schema.Select(c => $"{c.Name}:{c.Type}")));
        return new TransformResult(staged, rows, schema, schemaHash);
    }

    private (long Rows, List<OutputColumn> Schema) Run(ProductSpec spec, RunWorkspace workspace, List<(IngestedFile File, string Path)> files, string outputPath)
    {
        var sqlFile = Path.GetRelativePath(spec.Directory, Path.Combine(spec.Directory, spec.TransformSqlPath));
        using var session = DuckDbSession.Open(new DuckDbSessionOptions
        {
            AllowedDirectories = [workspace.InputsDirectory, workspace.OutputDirectory],
            TempDirectory = workspace.TempDirectory,
            MemoryLimit = runtime.Options.MemoryLimit,
            Threads = runtime.Options.Threads,
        });

        foreach (var port in spec.Inputs)
        {
            if (!port.IsLanding)
            {
                throw new PipelineStageException("transform", $"Input '{port.Name}' of {spec.Id} reads product '{port.Product}': upstream product inputs are not supported by this engine version yet.");
            }

            var paths = files.Where(f => f.File.InputName == port.Name).Select(f => f.Path).ToList();
            try
            {
                session.Execute(InputViewSql.CreateView(port, paths));
            }
            catch (Exception ex) when (ex is DuckDBException or InvalidOperationException)
            {
                throw new PipelineStageException("ingest", $"Input '{port.Name}' of {spec.Id} could not be read as {port.Landing!.Format}: {ex.Message}", ex);
            }
        }

        session.Lock();
        string select;
        try
        {
            select = session.RequireSingleSelect(spec.TransformSql, $"{spec.Id}: transform {sqlFile}");
        }
        catch (Exception ex) when (ex is DuckDBException or InvalidOperationException)
        {
            throw new PipelineStageException("transform", ex.Message, ex);
        }

        try
        {
            session.Execute($"COPY (\n{select}\n) TO {Sql.Literal(outputPath)} (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE {runtime.Options.RowGroupSize})");
        }
        catch (DuckDBException ex)
        {
            throw new PipelineStageException("transform", $"{spec.Id}: transform {sqlFile} failed: {ex.Message}", ex);
        }

        var schema = session.Query(
            $"SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet({Sql.Literal(outputPath)}))",
            r => new OutputColumn(r.GetString(0), r.GetString(1)));
        // The Parquet footer holds the row count: no scan of the data.
        var rows = Convert.ToInt64(session.Scalar($"SELECT CAST(coalesce(sum(num_rows), 0) AS BIGINT) FROM parquet_file_metadata({Sql.Literal(outputPath)})"), System.Globalization.CultureInfo.InvariantCulture);
        return (rows, schema);
    }
}
