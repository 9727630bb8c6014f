namespace DataMesh.Catalog;

/// <summary>A product in the catalog: what its spec declares and its latest release (null fields: not known yet).</summary>
public sealed record CatalogProduct
{
    public required string ProductId { get; init; }

    public required string Domain { get; init; }

    public required string Name { get; init; }

    /// <summary>Version in the registered <c>product.yaml</c>; may be ahead of <see cref="LatestVersion"/>.</summary>
    public string? DeclaredVersion { get; init; }

    public string? Description { get; init; }

    public string? OwnerTeam { get; init; }

    public string? OwnerEmail { get; init; }

    public IReadOnlyList<string> Tags { get; init; } = [];

    public string? Visibility { get; init; }

    public DateTimeOffset? RegisteredAt { get; init; }

    /// <summary>Version of the newest release (highest semver, then highest release number).</summary>
    public string? LatestVersion { get; init; }

    public int? LatestRelease { get; init; }

    public string? LatestRunId { get; init; }

    public long? Rows { get; init; }

    public string? Location { get; init; }

    public string? SchemaHash { get; init; }

    public DateTimeOffset? PublishedAt { get; init; }

    public DateTimeOffset? UpdatedAt { get; init; }
}
