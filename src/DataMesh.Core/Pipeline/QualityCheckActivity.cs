using DataMesh.Engine;
using DataMesh.Telemetry;
using DuckDB.NET.Data;
using Microsoft.DurableTask;

namespace DataMesh.Pipeline;

/// <summary>
/// Stage 3: the quality gate. Evaluates the contract's rules (and the checks its schema implies) over the staged
/// output in one DuckDB pass. Pure read: idempotent.
/// </summary>
public sealed class QualityCheckActivity(PipelineRuntime runtime) : TaskActivity<QualityCheckInput, QualitySummary>
{
    public override Task<QualitySummary> RunAsync(TaskActivityContext context, QualityCheckInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return StageTracing.RunAsync(runtime.Products, "quality", input.RunId, input.ProductId, input.Attempt, () => CheckAsync(input),
            StageTracing.DescribeQuality);
    }

    private async Task<QualitySummary> CheckAsync(QualityCheckInput input)
    {
        var spec = runtime.Products.Get(input.ProductId);
        var workspace = runtime.Workspace(input.RunId);
        var files = await StagedOutput.EnsureLocalAsync(runtime, spec.Domain, workspace, input.Output, CancellationToken.None).ConfigureAwait(false);

        using var session = DuckDbSession.Open(new DuckDbSessionOptions
        {
            AllowedDirectories = [workspace.OutputDirectory],
            TempDirectory = workspace.TempDirectory,
            MemoryLimit = runtime.Options.MemoryLimit,
            Threads = runtime.Options.Threads,
        });
        session.Execute($"CREATE VIEW {QualityGate.OutputView} AS SELECT * FROM read_parquet({Sql.List(files)})");
        session.Lock();
        QualitySummary summary;
        try
        {
            summary = QualityGate.Evaluate(session, spec.Contract, input.Output.Schema);
        }
        catch (Exception ex) when (ex is DuckDBException or InvalidOperationException)
        {
            throw new PipelineStageException("quality", $"{spec.Id}: a quality rule of {Path.GetFileName(spec.Contract.Path)} could not be evaluated: {ex.Message}", ex);
        }

        await runtime.Options.Faults.InjectAsync(PipelineFaults.AfterQuality, input.RunId).ConfigureAwait(false);
        return summary;
    }
}
