using System.Globalization;

namespace DataMesh.Core.Tests.Governance;

/// <summary>A clock stopped at one instant, so exemption expiry is decided by the test.</summary>
internal sealed class FixedClock : TimeProvider
{
    private readonly DateTimeOffset _now;

    public FixedClock(DateTimeOffset now)
    {
        _now = now;
    }

    public static FixedClock At(string utc) => new(DateTimeOffset.Parse(utc, CultureInfo.InvariantCulture));

    public override DateTimeOffset GetUtcNow() => _now;
}
