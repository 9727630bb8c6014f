namespace DataMesh.Governance;

/// <summary>
/// What a new contract of a product does to the consumers of the mesh: per change, who reads the changed column and
/// through which range, which consumers it breaks (with their SQL location), and which a major bump leaves pinned.
/// </summary>
public sealed record ConsumerImpactReport
{
    /// <summary>The upstream product's id.</summary>
    public required string ProductId { get; init; }

    /// <summary>The contract changes, old version to new.</summary>
    public required ContractDiff Diff { get; init; }

    /// <summary>Each change with the consumers reading what it changes, in <see cref="Diff"/>'s order.</summary>
    public required IReadOnlyList<ChangeImpact> Changes { get; init; }

    /// <summary>Every input of the mesh that reads the product.</summary>
    public required IReadOnlyList<ConsumerInput> Consumers { get; init; }

    /// <summary>Consumers whose range accepts the old version but not the new one: they stay on the old major.</summary>
    public required IReadOnlyList<ConsumerInput> Pinned { get; init; }

    /// <summary>Consumers within the new range that no longer bind over the new contract for a reason no single column change explains.</summary>
    public required IReadOnlyList<ColumnRead> OtherBreaks { get; init; }

    /// <summary>Consumers that could not be bound (even over the old contract), with why: whether the change affects them is unknown.</summary>
    public required IReadOnlyList<(ConsumerInput Consumer, string Reason)> NotJudged { get; init; }

    /// <summary>Every consumer the change breaks: a removed, narrowed or changed column it reads, or a bind that fails.</summary>
    public IReadOnlyList<(ContractChange? Change, ColumnRead Read)> Breaks =>
        [.. Changes.SelectMany(c => c.Readers.Where(r => r.Breaks).Select(r => ((ContractChange?)c.Change, r))), .. OtherBreaks.Select(r => ((ContractChange?)null, r))];

    /// <summary>The report as the CLI prints it: a line per change, its readers indented, then the pinned consumers.</summary>
    public IReadOnlyList<string> ToLines()
    {
        var lines = new List<string>
        {
            $"{ProductId} {Diff.OldVersion} -> {Diff.NewVersion}: {Diff.Changes.Count} change(s); {Consumers.Count} consumer input(s) read it"
                + (Consumers.Count == 0 ? "" : $": {string.Join(", ", Consumers)}"),
        };
        foreach (var impact in Changes.OrderByDescending(c => c.Change.Bump))
        {
            lines.Add($"  {impact.Change}");
            if (impact.ReadByNone)
            {
                lines.Add("         no consumer reads it");
            }

            foreach (var read in impact.Readers)
            {
                var verdict = read.Breaks ? "BREAKS" : read.InNewRange ? "read by" : "read (stays on the old version) by";
                lines.Add($"         {verdict} {read.Consumer} at {read.Location}: {read.Detail}");
            }
        }

        foreach (var read in OtherBreaks)
        {
            lines.Add($"  BREAKS {read.Consumer} at {read.Location}: {read.Detail}");
        }

        foreach (var pinned in Pinned)
        {
            lines.Add($"  pinned: {pinned} stays on {Major(Diff.OldVersion)}.x, behind {Diff.NewVersion}");
        }

        foreach (var (consumer, reason) in NotJudged)
        {
            lines.Add($"  not judged: {consumer}: {reason}");
        }

        var breaks = Breaks.Count;
        lines.Add(breaks == 0
            ? "No consumer within the new version's range is broken."
            : $"{breaks} consumer read(s) broken: update those consumers first, or publish the change as a new major version they do not accept.");
        return lines;
    }

    internal static string Major(string version) => version.Split('.')[0];
}
