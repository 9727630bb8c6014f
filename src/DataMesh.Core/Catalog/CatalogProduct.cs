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

    /// <summary>Domains besides its own that may read a <c>restricted</c> product (<c>access.readers</c>).</summary>
    public IReadOnlyList<string> Readers { get; init; } = [];

    public DateTimeOffset? RegisteredAt { get; init; }

    /// <summary>
    /// True when its domain's newest complete registration (its app's start-up) no longer declares it: its releases stay
    /// listed, but it reads nothing (no column lineage, no declared inputs) and so is nobody's reader.
    /// </summary>
    public bool Withdrawn { get; init; }

    /// <summary>Version of the newest release (highest semver, then highest release number).</summary>
    public string? LatestVersion { get; init; }

    public int? LatestRelease { get; init; }

    public string? LatestRunId { get; init; }

    public long? Rows { get; init; }

    public string? Location { get; init; }

    public string? SchemaHash { get; init; }

    public DateTimeOffset? PublishedAt { get; init; }

    public DateTimeOffset? UpdatedAt { get; init; }

    /// <summary>The promised maximum age of the newest release (ISO 8601), when declared.</summary>
    public string? Freshness { get; init; }

    /// <summary>When a <c>DataMesh.FreshnessBreached</c> event last said the product went stale (its newest data's time).</summary>
    public DateTimeOffset? StaleSince { get; init; }

    /// <summary>The output contract's columns with their classifications (from the registered spec).</summary>
    public IReadOnlyList<CatalogColumn> Columns { get; init; } = [];

    /// <summary>Columns left out of <see cref="Columns"/> to fit the table's property limit.</summary>
    public int ColumnsOmitted { get; init; }

    /// <summary>The distinct classifications of the contract's columns, sorted.</summary>
    public IReadOnlyList<string> Classifications { get; init; } = [];

    /// <summary>Ids of the products the spec declares as inputs.</summary>
    public IReadOnlyList<string> Inputs { get; init; } = [];

    /// <summary><c>fresh</c>, <c>stale</c> (newest release older than the SLA, or none published within it) or <c>no-sla</c>.</summary>
    public string FreshnessStatusAt(DateTimeOffset now)
    {
        if (Freshness is null)
        {
            return "no-sla";
        }

        var since = PublishedAt ?? RegisteredAt;
        return since is { } reference && now - reference <= System.Xml.XmlConvert.ToTimeSpan(Freshness) ? "fresh" : "stale";
    }
}
