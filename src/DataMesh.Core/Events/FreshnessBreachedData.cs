namespace DataMesh.Events;

/// <summary>The <c>data</c> of a <c>DataMesh.FreshnessBreached</c> event: a product's newest release is older than its SLA.</summary>
public sealed record FreshnessBreachedData
{
    public required string ProductId { get; init; }

    public required string Domain { get; init; }

    public required string Name { get; init; }

    /// <summary>The promised maximum age (<c>sla.freshness</c>), ISO 8601.</summary>
    public required string Freshness { get; init; }

    /// <summary>The newest release's version and number; null when the product never published.</summary>
    public string? LatestVersion { get; init; }

    public int? LatestRelease { get; init; }

    /// <summary>When the newest release was published (or the product declared, when it never published).</summary>
    public required DateTimeOffset Since { get; init; }

    public required DateTimeOffset DetectedAt { get; init; }
}
