using DataMesh.Contracts;
using DataMesh.Engine;
using DataMesh.Pipeline;
using DataMesh.Specs;

namespace DataMesh.Publishing;

/// <summary>
/// The quality gate's table-level rules judged on a release's whole snapshot (outside replace mode, where the run's
/// output is the snapshot): <c>rowCount</c> from the snapshot's row count (base rows plus the change, no data read);
/// <c>unique</c> columns, <c>duplicateValues</c> and <c>sql</c> rules over every file of the snapshot (they re-read
/// history), except the merge key, unique by construction (each run's keys are checked unique, and a merge drops the
/// base rows of those keys). Row-level rules were judged on the run's output by the quality stage and stand.
/// </summary>
public static class SnapshotQuality
{
    /// <summary>True for a rule result the quality stage leaves to the snapshot (its failure on the run's output alone does not block).</summary>
    public static bool IsTableLevel(QualityRuleResult rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        return rule.Metric is "rowCount" or "sql";
    }

    /// <summary>
    /// <paramref name="delta"/> (the quality stage's summary of the run's output) with its table-level rules judged again
    /// on the snapshot of <paramref name="plan"/>; <paramref name="readSnapshot"/> gives the local files of the whole
    /// snapshot, called only when a rule must read data.
    /// </summary>
    public static async Task<QualitySummary> JudgeAsync(
        ProductSpec spec, IReadOnlyList<OutputColumn> schema, QualitySummary delta, SnapshotPlan plan, Func<Task<List<string>>> readSnapshot, DuckDbSessionOptions session)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(delta);
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(readSnapshot);
        if (spec.Output.Mode == OutputMode.Replace)
        {
            return delta;
        }

        var contract = TableLevel(spec);
        var target = contract.Schema[0];
        var columns = schema.Select(c => c.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var present = target.Properties.Where(p => columns.Contains(p.Name)).ToList();
        var reads = present.Any(p => p.Unique || p.Quality.Any(r => r.Metric != QualityMetrics.RowCount))
            || target.Quality.Any(r => r.Metric != QualityMetrics.RowCount);
        var measures = present.Sum(p => p.Quality.Count) + target.Quality.Count;
        if (measures == 0 && !present.Any(p => p.Unique))
        {
            return Recount(delta);
        }

        QualitySummary judged;
        if (!reads)
        {
            // Every measure left is a row count: the snapshot's is known from its files' footers.
            judged = QualityGate.Judge(contract, schema, new QualityMeasurement("", plan.Rows, Enumerable.Repeat((decimal)plan.Rows, measures).ToList()));
        }
        else
        {
            var files = await readSnapshot().ConfigureAwait(false);
            using var db = DuckDbSession.OpenLocked(session, $"CREATE VIEW {QualityGate.OutputView} AS SELECT * FROM read_parquet({Sql.List(files)})");
            judged = QualityGate.Evaluate(db, contract, schema);
        }

        var rules = delta.Rules.ToList();
        foreach (var rule in judged.Rules.Where(r => r.Metric != "schema"))
        {
            var at = rules.FindIndex(r => r.Name == rule.Name && r.Property == rule.Property && r.Metric == rule.Metric);
            if (at >= 0)
            {
                rules[at] = rule;
            }
            else
            {
                rules.Add(rule);
            }
        }

        return Recount(delta with { Rules = rules });
    }

    private static QualitySummary Recount(QualitySummary summary) =>
        summary with { Passed = !summary.Rules.Any(r => !r.Passed && r.Severity == "error") };

    /// <summary>The contract reduced to its table-level rules (the merge key's uniqueness left out: it holds by construction).</summary>
    private static DataContract TableLevel(ProductSpec spec)
    {
        var target = spec.Contract.Schema[0];
        bool IsKey(ContractProperty p) =>
            spec.Output.Mode == OutputMode.Merge && spec.Output.Key.Count == 1 && string.Equals(spec.Output.Key[0], p.Name, StringComparison.OrdinalIgnoreCase);
        var properties = target.Properties.Select(p => p with
        {
            Required = false,
            Unique = (p.Unique || p.PrimaryKey) && !IsKey(p),
            PrimaryKey = false,
            Quality = p.Quality.Where(r => r.Metric == QualityMetrics.RowCount || (r.Metric == QualityMetrics.DuplicateValues && !IsKey(p))).ToList(),
        }).ToList();
        var quality = target.Quality.Where(r => r.Type == QualityRuleType.Sql || r.Metric is QualityMetrics.RowCount or QualityMetrics.DuplicateValues).ToList();
        return spec.Contract with { Schema = [target with { Properties = properties, Quality = quality }] };
    }
}
