using System.Text.RegularExpressions;
using DataMesh.Contracts;
using DataMesh.Specs;
using Semver;

namespace DataMesh.Governance;

/// <summary>
/// Which consumers of the mesh a new contract of a product affects, decided by binding (<see cref="TransformBindCheck"/>):
/// a consumer reads a column when its transform, its <c>sql</c> rules or its output contract stop binding once that column
/// is taken from the upstream's contract; a change breaks it when the consumer's range accepts the new version and the
/// column it reads is removed, renamed, narrowed or retyped, or when it no longer binds over the new contract.
/// No data is read; each probe binds the consumer's SQL on empty typed tables.
/// </summary>
public static class ConsumerImpact
{
    /// <summary>Change kinds that break a consumer reading the column whatever its SQL does with it.</summary>
    internal static readonly HashSet<ContractChangeKind> BreakingWhenRead =
    [
        ContractChangeKind.ColumnRemoved, ContractChangeKind.ColumnRenamed, ContractChangeKind.TypeNarrowed, ContractChangeKind.TypeChanged,
    ];

    /// <summary>The impact of replacing <paramref name="before"/> with <paramref name="after"/> as <paramref name="upstream"/>'s contract.</summary>
    /// <param name="upstream">The product whose contract changes (its id and spec; its contract is replaced in each probe).</param>
    /// <param name="before">The contract consumers read today (the last release, or the contract at a git ref).</param>
    /// <param name="after">The new contract; its version is <see cref="DataContract.Version"/> unless <paramref name="afterVersion"/> says otherwise.</param>
    /// <param name="mesh">Every product of the mesh (the consumers are found among them).</param>
    /// <param name="afterVersion">The new version, when it is not the contract's (a product's version).</param>
    public static ConsumerImpactReport Analyze(ProductSpec upstream, DataContract before, DataContract after, IReadOnlyCollection<ProductSpec> mesh, string? afterVersion = null)
    {
        ArgumentNullException.ThrowIfNull(upstream);
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        ArgumentNullException.ThrowIfNull(mesh);
        var newVersion = afterVersion ?? after.Version;
        var diff = ContractComparer.Compare(before, after) with { NewVersion = newVersion };
        var oldVersion = diff.OldVersion;
        var others = mesh.Where(p => p.Id != upstream.Id).ToList();
        var consumers = others
            .SelectMany(p => p.Inputs.Where(i => i.Product == upstream.Id).Take(1).Select(i => (Spec: p, Input: new ConsumerInput(p.Id, i.Name, i.Versions ?? "*"))))
            .OrderBy(c => c.Input.Consumer, StringComparer.Ordinal)
            .ToList();

        var readers = diff.Changes.ToDictionary(c => c, _ => new List<ColumnRead>());
        var pinned = new List<ConsumerInput>();
        var otherBreaks = new List<ColumnRead>();
        var notJudged = new List<(ConsumerInput, string)>();
        foreach (var (consumer, input) in consumers)
        {
            var inNew = InRange(newVersion, input.Range);
            var inOld = InRange(oldVersion, input.Range);
            if (!inNew && !inOld)
            {
                continue; // it reads another line of versions altogether
            }

            if (!inNew)
            {
                pinned.Add(input);
            }

            // Each probe binds the consumer with the upstream's contract replaced, at a version its range accepts.
            var version = inNew ? newVersion : oldVersion;
            IReadOnlyList<SpecDiagnostic> Probe(DataContract contract, out string? skipped)
            {
                var unbound = new Dictionary<string, string>(StringComparer.Ordinal);
                var substituted = upstream with { Contract = contract, Version = version };
                var errors = TransformBindCheck.Check([consumer], [substituted, .. others], unbound).Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
                skipped = unbound.GetValueOrDefault(consumer.Id);
                return errors;
            }

            var baseline = Probe(before, out var why);
            if (why is not null || baseline.Count > 0)
            {
                notJudged.Add((input, why ?? $"it does not bind over {oldVersion}'s contract ({baseline[0]})"));
                continue;
            }

            var attributed = false;
            var reads = new Dictionary<string, SpecDiagnostic?>(StringComparer.OrdinalIgnoreCase);
            Lineage.ColumnLineageInput? lineage = null;
            var lineageDerived = false;
            foreach (var change in diff.Changes.Where(c => c.Property is not null && c.Kind != ContractChangeKind.ColumnAdded))
            {
                var column = change.Property!;
                if (!reads.TryGetValue(column, out var read))
                {
                    read = Probe(Without(before, change.Object, column), out _).FirstOrDefault();
                    reads[column] = read;
                }

                if (read is null)
                {
                    continue;
                }

                // The change alone: a masked column becomes text, a retyped one another type; what fails then is the better location.
                var alone = change.Kind is ContractChangeKind.ColumnRemoved or ContractChangeKind.ColumnRenamed
                    ? null
                    : Probe(With(before, after, change.Object, column), out _).FirstOrDefault();
                var breaks = inNew && (BreakingWhenRead.Contains(change.Kind) || alone is not null);
                var shown = alone ?? read;
                attributed |= breaks;
                if (shown.Code == SpecDiagnosticCodes.OutputDoesNotMatchContract)
                {
                    // The SQL binds and the consumer's output contract fails (a SELECT * passing the column on): the SQL
                    // reads it where its lineage says (the '*' itself), the place to change; the contract is in the detail.
                    if (!lineageDerived)
                    {
                        lineageDerived = true;
                        lineage = Lineage.ColumnLineageAnalyzer.TryAnalyze(consumer, [upstream with { Contract = before, Version = version }, .. others])?
                            .Reads.FirstOrDefault(r => string.Equals(r.Input, input.Input, StringComparison.OrdinalIgnoreCase));
                    }

                    if (lineage?.At?.GetValueOrDefault(column) is { } at && at.Split(':') is [var l, var c]
                        && int.TryParse(l, System.Globalization.CultureInfo.InvariantCulture, out var atLine) && int.TryParse(c, System.Globalization.CultureInfo.InvariantCulture, out var atColumn))
                    {
                        readers[change].Add(new ColumnRead(input, Path.Combine(consumer.Directory, consumer.TransformSqlPath), atLine, atColumn, $"{shown.Message} ({shown.File}:{shown.Line}:{shown.Column})", inNew, breaks));
                        continue;
                    }
                }

                var (line, col) = Where(consumer, shown, column);
                readers[change].Add(new ColumnRead(input, shown.File, line, col, shown.Message, inNew, breaks));
            }

            if (inNew && !attributed && Probe(after, out _).FirstOrDefault() is { } failure)
            {
                otherBreaks.Add(new ColumnRead(input, failure.File, failure.Line, failure.Column, failure.Message, InNewRange: true, Breaks: true));
            }
        }

        return new ConsumerImpactReport
        {
            ProductId = upstream.Id,
            Diff = diff,
            Changes = diff.Changes.Select(c => new ChangeImpact(c, readers[c])).ToList(),
            Consumers = consumers.Select(c => c.Input).ToList(),
            Pinned = pinned,
            OtherBreaks = otherBreaks,
            NotJudged = notJudged,
        };
    }

    /// <summary>
    /// The consumer diagnostics (<see cref="ToDiagnostics"/>) of <paramref name="product"/>'s change since
    /// <paramref name="previous"/> (a git ref's or the catalog's contract); nothing when no consumer in the mesh reads
    /// the product or the contract did not change, so nothing is bound then.
    /// </summary>
    public static IReadOnlyList<SpecDiagnostic> Check(ProductSpec product, DataContract previous, IReadOnlyCollection<ProductSpec> mesh)
    {
        ArgumentNullException.ThrowIfNull(product);
        ArgumentNullException.ThrowIfNull(previous);
        ArgumentNullException.ThrowIfNull(mesh);
        if (!mesh.Any(p => p.Id != product.Id && p.Inputs.Any(i => i.Product == product.Id)) || ContractComparer.Compare(previous, product.Contract).Changes.Count == 0)
        {
            return [];
        }

        return ToDiagnostics(Analyze(product, previous, product.Contract, mesh, product.Version), product);
    }

    /// <summary>
    /// Who reads each column of <paramref name="upstream"/>'s contract today: the impact of removing every column at the
    /// current version, so each <see cref="ChangeImpact"/> is one column with its readers (or none).
    /// </summary>
    public static ConsumerImpactReport Readers(ProductSpec upstream, IReadOnlyCollection<ProductSpec> mesh)
    {
        ArgumentNullException.ThrowIfNull(upstream);
        var bare = upstream.Contract with { Schema = upstream.Contract.Schema.Select(o => o with { Properties = [] }).ToList() };
        var report = Analyze(upstream, upstream.Contract, bare, mesh, upstream.Version);
        return report with { Changes = report.Changes.Where(c => c.Change.Kind == ContractChangeKind.ColumnRemoved).ToList() };
    }

    /// <summary>
    /// The report as diagnostics: a broken consumer is an error (DM1080) at the changed column of the new contract (at its
    /// properties when the column is gone), naming the consumer, its range and its SQL location; a pinned consumer a
    /// warning (DM1081) at <c>version</c>; an unjudged consumer a warning (DM1082) when the change needs a major bump.
    /// </summary>
    /// <param name="report">The impact.</param>
    /// <param name="upstream">The upstream product as it is now (its spec and contract files are the locations).</param>
    public static IReadOnlyList<SpecDiagnostic> ToDiagnostics(ConsumerImpactReport report, ProductSpec upstream)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(upstream);
        var diagnostics = new List<SpecDiagnostic>();
        var contract = YamlSourceMap.Read(upstream.Contract.Path);
        var spec = YamlSourceMap.Read(upstream.SpecPath);
        foreach (var (change, read) in report.Breaks)
        {
            var column = change?.Property;
            var present = column is not null && upstream.Contract.Schema.FirstOrDefault()?.Properties.Any(p => string.Equals(p.Name, column, StringComparison.OrdinalIgnoreCase)) == true;
            var where = contract.Locate(present ? $"schema[0].properties[name={column}]" : "schema[0].properties");
            var what = change is null
                ? $"{read.Consumer.Consumer} no longer binds over {report.ProductId} {report.Diff.NewVersion}'s contract"
                : $"{change.Description}, but {read.Consumer.Consumer} reads '{column}'";
            diagnostics.Add(new SpecDiagnostic(where.File, where.Line, where.Column, ImpactDiagnosticCodes.ConsumerBroken,
                $"{what} through input '{read.Consumer.Input}' (versions {read.Consumer.Range}, which accepts {report.Diff.NewVersion}) at {read.Location} ({read.Detail}). "
                + $"Keep the column, change {read.Consumer.Consumer} first, or publish a new major version its range does not accept (datamesh impact {report.ProductId} shows every consumer)."));
        }

        var version = spec.Locate("version");
        foreach (var pinned in report.Pinned)
        {
            diagnostics.Add(new SpecDiagnostic(version.File, version.Line, version.Column, ImpactDiagnosticCodes.ConsumerPinned,
                $"version: {report.Diff.NewVersion} leaves {pinned} on {ConsumerImpactReport.Major(report.Diff.OldVersion)}.x, behind its upstream; it moves when its team widens the range.",
                DiagnosticSeverity.Warning));
        }

        if (report.Diff.Required == VersionBump.Major)
        {
            foreach (var (consumer, reason) in report.NotJudged)
            {
                diagnostics.Add(new SpecDiagnostic(version.File, version.Line, version.Column, ImpactDiagnosticCodes.ConsumerNotJudged,
                    $"whether {report.ProductId} {report.Diff.NewVersion} breaks {consumer} is unknown: {reason}.", DiagnosticSeverity.Warning));
            }
        }

        return diagnostics;
    }

    /// <summary>
    /// Where the consumer's SQL reads <paramref name="column"/>: the bind error's position, or, when DuckDB gives none
    /// (a <c>USING (col)</c> join, for one), the first place the SQL names the column.
    /// </summary>
    private static (int Line, int Column) Where(ProductSpec consumer, SpecDiagnostic diagnostic, string column)
    {
        if ((diagnostic.Line, diagnostic.Column) != (1, 1) || diagnostic.Code != SpecDiagnosticCodes.TransformDoesNotBind)
        {
            return (diagnostic.Line, diagnostic.Column);
        }

        var lines = consumer.TransformSql.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var match = Regex.Match(lines[i], $@"(?<![\w""]){Regex.Escape(column)}(?![\w""])", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
            if (match.Success)
            {
                return (i + 1, match.Index + 1);
            }
        }

        return (diagnostic.Line, diagnostic.Column);
    }

    internal static bool InRange(string version, string range) =>
        range is "*" || (SemVersionRange.TryParseNpm(range, out var parsed) && SemVersion.TryParse(version, SemVersionStyles.Strict, out var v) && parsed.Contains(v));

    /// <summary><paramref name="contract"/> without <paramref name="column"/> in object <paramref name="objectName"/>.</summary>
    private static DataContract Without(DataContract contract, string objectName, string column) =>
        contract with
        {
            Schema = contract.Schema.Select(o => !string.Equals(o.Name, objectName, StringComparison.OrdinalIgnoreCase) ? o : o with
            {
                Properties = o.Properties.Where(p => !string.Equals(p.Name, column, StringComparison.OrdinalIgnoreCase)).ToList(),
            }).ToList(),
        };

    /// <summary><paramref name="before"/> with <paramref name="column"/> as <paramref name="after"/> has it, and nothing else changed.</summary>
    private static DataContract With(DataContract before, DataContract after, string objectName, string column)
    {
        var next = after.Schema.FirstOrDefault(o => string.Equals(o.Name, objectName, StringComparison.OrdinalIgnoreCase))?.Properties.FirstOrDefault(p => string.Equals(p.Name, column, StringComparison.OrdinalIgnoreCase));
        if (next is null)
        {
            return Without(before, objectName, column);
        }

        return before with
        {
            Schema = before.Schema.Select(o => !string.Equals(o.Name, objectName, StringComparison.OrdinalIgnoreCase) ? o : o with
            {
                Properties = o.Properties.Select(p => string.Equals(p.Name, column, StringComparison.OrdinalIgnoreCase) ? next : p).ToList(),
            }).ToList(),
        };
    }
}
