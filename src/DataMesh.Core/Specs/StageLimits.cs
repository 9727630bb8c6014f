namespace DataMesh.Specs;

/// <summary>
/// How long one attempt of each stage of a product's run may take before it is stopped (<c>limits</c> in
/// <c>product.yaml</c>, ISO 8601 durations). A stage past its limit is interrupted (DuckDB included) and the run fails
/// with that reason; the input is quarantined so that no restart runs it again, to be replayed once the SQL is fixed or
/// the limit raised.
/// </summary>
public sealed record StageLimits
{
    /// <summary>The platform's defaults: ingest 30 min, transform 30 min, quality 15 min, publish 30 min.</summary>
    public static readonly StageLimits Default = new();

    /// <summary>The stage names a spec may set, as written in <c>limits</c>.</summary>
    public static readonly IReadOnlyList<string> Stages = ["ingest", "transform", "quality", "publish"];

    /// <summary>Resolving the run's files, then each file's download, checksum and inspection (one limit per attempt).</summary>
    public TimeSpan Ingest { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>The product's SQL to Parquet, with the gate's measures, and the staging upload.</summary>
    public TimeSpan Transform { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>The quality gate.</summary>
    public TimeSpan Quality { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>Masking, writing the release and its manifest.</summary>
    public TimeSpan Publish { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>The platform stages with a bound but no spec key: they move a few blobs and send one event.</summary>
    public static readonly IReadOnlyList<string> PlatformStages = ["quarantine", "announce", "cleanup"];

    /// <summary>Moving the input to quarantine with its reason (platform bound, not a spec key).</summary>
    public TimeSpan Quarantine { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Writing the announcement to the outbox and sending it (platform bound, not a spec key).</summary>
    public TimeSpan Announce { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Deleting the run's staged output (platform bound, not a spec key).</summary>
    public TimeSpan CleanUp { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>The limit of <paramref name="stage"/> (one of <see cref="Stages"/> or <see cref="PlatformStages"/>).</summary>
    public TimeSpan For(string stage) => stage switch
    {
        "ingest" => Ingest,
        "transform" => Transform,
        "quality" => Quality,
        "publish" => Publish,
        "quarantine" => Quarantine,
        "announce" => Announce,
        "cleanup" => CleanUp,
        _ => throw new ArgumentOutOfRangeException(nameof(stage), stage, "not a stage with a time limit"),
    };

    /// <summary>These limits with <paramref name="stage"/> set to <paramref name="limit"/>.</summary>
    public StageLimits With(string stage, TimeSpan limit) => stage switch
    {
        "ingest" => this with { Ingest = limit },
        "transform" => this with { Transform = limit },
        "quality" => this with { Quality = limit },
        "publish" => this with { Publish = limit },
        _ => throw new ArgumentOutOfRangeException(nameof(stage), stage, "not a stage with a time limit"),
    };
}
