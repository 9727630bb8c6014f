using DataMesh.Engine;
using DataMesh.Publishing;
using DataMesh.Specs;
using DataMesh.Telemetry;
using DuckDB.NET.Data;
using Microsoft.DurableTask;

namespace DataMesh.Pipeline;

/// <summary>
/// Stage 3: the quality gate. Judges the contract's rules (and the checks its schema implies) on the measures the
/// transform took over the output (one DuckDB pass), and queries the staged output itself only for samples of failing
/// rows — or for everything when the transform could not measure. Pure read: idempotent.
/// </summary>
public sealed class QualityCheckActivity(PipelineRuntime runtime) : TaskActivity<QualityCheckInput, QualitySummary>
{
    public override Task<QualitySummary> RunAsync(TaskActivityContext context, QualityCheckInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return StageTracing.RunAsync(runtime, "quality", input.RunId, input.ProductId, input.Attempt, () => StageTimeLimit.RunAsync(runtime.ProductsOf(input.RunId).Get(input.ProductId), "quality", token => CheckAsync(input, token), runtime.CancellationOf(input.RunId)),
            StageTracing.DescribeQuality);
    }

    private async Task<QualitySummary> CheckAsync(QualityCheckInput input, CancellationToken cancellationToken)
    {
        var spec = runtime.ProductsOf(input.RunId).Get(input.ProductId);
        await CleanUpActivity.ThrowIfTerminatedAsync(runtime, spec, input.RunId, "quality", cancellationToken).ConfigureAwait(false);
        var output = input.Output;

        // The transform measured the output where it wrote it: judging needs no data, only samples of failing rows do.
        var summary = output.Quality is { } measured && Gate(spec, () => QualityGate.Matches(measured, spec.Contract, output.Schema))
            ? Gate(spec, () => QualityGate.Judge(spec.Contract, output.Schema, measured))
            : null;
        if (summary is null || Gate(spec, () => QualityGate.NeedsSamples(spec.Contract, output.Schema, summary)))
        {
            using var session = await OpenOutputAsync(spec, input, cancellationToken).ConfigureAwait(false);
            var judged = summary;
            summary = Gate(spec, () => judged is null
                ? QualityGate.Evaluate(session, spec.Contract, output.Schema)
                : QualityGate.WithSamples(session, spec.Contract, output.Schema, judged));
        }

        if (spec.Output.Mode == OutputMode.Merge)
        {
            using var session = await OpenOutputAsync(spec, input, cancellationToken).ConfigureAwait(false);
            summary = summary with { Rules = [.. summary.Rules, Gate(spec, () => MergeKeyCheck(session, spec))] };
        }

        if (spec.Output.Mode != OutputMode.Replace)
        {
            // Table-level rules are judged again on the whole snapshot at publish (SnapshotQuality): the run's output alone
            // blocks only on row-level rules, on uniqueness (a duplicate in the output is one in the snapshot) and the key.
            summary = summary with { Passed = !summary.BlockingFailures.Any(r => !SnapshotQuality.IsTableLevel(r)) };
        }

        await runtime.Options.Faults.InjectAsync(PipelineFaults.AfterQuality, input.RunId).ConfigureAwait(false);

        // A verdict for a terminated run would let nothing follow; what it downloaded to judge goes with the run.
        await CleanUpActivity.ThrowIfTerminatedWhileRunningAsync(runtime, spec, input.RunId, "quality", "no verdict given").ConfigureAwait(false);
        return summary;
    }

    /// <summary>
    /// A merge's output must hold each key once (which row would win otherwise?): the rows beyond the first of each key,
    /// named by the key, with a few of the duplicated keys and how often each occurs.
    /// </summary>
    private static QualityRuleResult MergeKeyCheck(DuckDbSession session, Specs.ProductSpec spec)
    {
        var key = string.Join(", ", spec.Output.Key.Select(Sql.Identifier));
        var duplicates = Convert.ToInt64(
            session.Scalar($"SELECT CAST(coalesce(sum(n - 1), 0) AS BIGINT) FROM (SELECT count(*) AS n FROM {QualityGate.OutputView} GROUP BY {key} HAVING count(*) > 1)"),
            System.Globalization.CultureInfo.InvariantCulture);
        var samples = duplicates == 0 ? [] : session.Query(
            $"SELECT {string.Join(", ", spec.Output.Key.Select(k => $"CAST({Sql.Identifier(k)} AS VARCHAR) AS {Sql.Identifier(k)}"))}, CAST(count(*) AS VARCHAR) AS occurrences "
            + $"FROM {QualityGate.OutputView} GROUP BY {key} HAVING count(*) > 1 ORDER BY count(*) DESC, {key} LIMIT {QualityGate.SampleRows}",
            reader =>
            {
                var row = new Dictionary<string, string?>(StringComparer.Ordinal);
                for (var i = 0; i < reader.FieldCount; i++)
                {
                    row[reader.GetName(i)] = reader.IsDBNull(i) ? null : reader.GetString(i);
                }

                return (IReadOnlyDictionary<string, string?>)row;
            });
        return new QualityRuleResult(
            $"output.key({string.Join(",", spec.Output.Key)}).unique", string.Join(",", spec.Output.Key), "duplicateValues", "error", duplicates, "rows",
            "mustBe 0 (a merge's output holds each key of output.key in product.yaml once)", duplicates == 0, duplicates)
        {
            Samples = samples,
        };
    }

    /// <summary>Runs a step of the gate; a rule DuckDB cannot evaluate is the product's fault (not retried), named as such.</summary>
    private static T Gate<T>(Specs.ProductSpec spec, Func<T> step)
    {
        try
        {
            return step();
        }
        catch (Exception ex) when (ex is DuckDBException or InvalidOperationException)
        {
            throw new PipelineStageException("quality", $"{spec.Id}: a quality rule of {Path.GetFileName(spec.Contract.Path)} could not be evaluated: {ex.Message}", ex);
        }
    }

    /// <summary>A locked session over the staged output (downloaded when this instance does not have it) as the gate's view.</summary>
    private async Task<DuckDbSession> OpenOutputAsync(Specs.ProductSpec spec, QualityCheckInput input, CancellationToken cancellationToken)
    {
        var workspace = runtime.Workspace(input.RunId);
        var files = await StagedOutput.EnsureLocalAsync(runtime, spec.Domain, workspace, input.Output, cancellationToken).ConfigureAwait(false);
        return QualitySession.Open(runtime.EngineLimits, workspace, files, cancellationToken);
    }
}
