namespace DataMesh.Pipeline;

/// <summary>
/// What a backfill replays: the archived inputs that first arrived in landing between <see cref="From"/> (inclusive)
/// and <see cref="To"/> (exclusive) — their original arrival time, recorded by <see cref="ArchiveActivity"/> — and,
/// for a <c>partitions</c>-mode product, the partitions it may change.
/// </summary>
public sealed record BackfillRange
{
    /// <summary>Earliest arrival replayed (inclusive); null: from the first archived input.</summary>
    public DateTimeOffset? From { get; init; }

    /// <summary>Arrivals before this instant are replayed (exclusive); null: up to the newest archived input.</summary>
    public DateTimeOffset? To { get; init; }

    /// <summary>Partition selection as <c>column=value</c> pairs (<c>--partitions</c>); each column must be one of the product's <c>output.partitionBy</c>.</summary>
    public IReadOnlyList<string> Partitions { get; init; } = [];

    /// <summary>The range as a user typed it, for messages.</summary>
    public string Describe() => (From, To) switch
    {
        (null, null) => "at any time",
        ({ } from, null) => $"from {from:O}",
        (null, { } to) => $"before {to:O}",
        ({ } from, { } to) => $"from {from:O} to before {to:O}",
    };
}
