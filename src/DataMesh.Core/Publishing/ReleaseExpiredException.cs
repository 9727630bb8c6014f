namespace DataMesh.Publishing;

/// <summary>
/// A read named a release that fell outside its product's retention (<see cref="ReleaseExpiry"/>): callers answer it
/// apart from "no such release" (the CLI exits 1 naming the rule, the API answers 410 Gone).
/// </summary>
public sealed class ReleaseExpiredException(ReleaseExpiry expiry) : InvalidOperationException(expiry?.Message)
{
    /// <summary>The release's expiry marker: its rule and when it expired.</summary>
    public ReleaseExpiry Expiry { get; } = expiry ?? throw new ArgumentNullException(nameof(expiry));
}
