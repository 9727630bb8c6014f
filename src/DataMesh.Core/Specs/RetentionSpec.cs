namespace DataMesh.Specs;

/// <summary>
/// <c>output.retention</c>: how many releases, or for how long, a product's releases stay listed and readable. A
/// release outside it leaves the catalog's list and its files no retained release references are deleted after a grace
/// period. Either bound may be set; with both, a release is kept while either keeps it.
/// </summary>
public sealed record RetentionSpec
{
    /// <summary>The newest N releases are kept (<c>releases: N</c>).</summary>
    public int? Releases { get; init; }

    /// <summary>Releases younger than this are kept (<c>age: P90D</c>).</summary>
    public TimeSpan? Age { get; init; }
}
