using DataMesh.Consumption;

namespace DataMesh.Publishing;

/// <summary>How <see cref="ReleaseRetention"/> deletes what retention let go.</summary>
public sealed class ReleaseRetentionOptions
{
    /// <summary>The grace period used when none is configured: 24 hours.</summary>
    public static readonly TimeSpan DefaultGracePeriod = TimeSpan.FromHours(24);

    /// <summary>
    /// How long an expired release's files stay after it left the listings, so a reader that picked it just before
    /// (a query streaming it, a consumer's run, a download through the API) finishes. Default <see cref="DefaultGracePeriod"/>.
    /// </summary>
    public TimeSpan GracePeriod { get; set; } = DefaultGracePeriod;

    /// <summary>
    /// Release caches on this machine whose readers hold releases (<see cref="ReleaseCacheLease"/>): files an expired
    /// release lists are not deleted while a reader holds that release there. Default: the default cache folder.
    /// </summary>
    public IReadOnlyList<string> ReaderCacheDirectories { get; set; } = [new ReleaseCacheOptions().Directory];

    /// <summary>Called for each release that expires (and again when its files go): the host takes it out of the catalog.</summary>
    public Func<ReleaseExpiry, CancellationToken, Task>? OnExpired { get; set; }
}
