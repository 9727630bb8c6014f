namespace DataMesh.Events;

/// <summary>
/// The <c>data</c> of a <c>DataMesh.ReleaseExpired</c> event: a release fell outside its product's <c>output.retention</c>
/// and left the release listings (<see cref="Publishing.ReleaseExpiry"/>); the catalog removes it from its list.
/// </summary>
public sealed record ReleaseExpiredData
{
    public required string ProductId { get; init; }

    public required string Domain { get; init; }

    public required string Name { get; init; }

    public required string Version { get; init; }

    public required int Release { get; init; }

    /// <summary>The retention the release fell outside, as written in <c>product.yaml</c> (e.g. <c>output.retention.releases: 3</c>).</summary>
    public required string Rule { get; init; }

    public required DateTimeOffset ExpiredAt { get; init; }
}
