using DataMesh.Pipeline;
using DataMesh.Quarantine;

namespace DataMesh.Events;

/// <summary>
/// One input a failed run moved to its domain's quarantine, as the domain announces it: where it went and whether it
/// can be replayed as it is, so a catalog that reads no domain's storage (the hub) can say so. The reason names the
/// kind of problem only (<see cref="QuarantineClient.NotReplayableReason"/>), never a value of the data.
/// </summary>
/// <param name="Blob">Its name in landing, as in <see cref="RunFailureData.Quarantined"/>.</param>
/// <param name="File">Its name in the quarantine container (a refused landing name is quarantined under a safe one).</param>
/// <param name="Replayable">Whether <c>quarantine replay</c> can put it back in landing under its name.</param>
/// <param name="NotReplayable">Why not, when it cannot; null when it can.</param>
public sealed record QuarantinedInput(string Blob, string File, bool Replayable, string? NotReplayable)
{
    /// <summary>The landing blob <paramref name="blob"/> as the quarantine holds it once moved there.</summary>
    public static QuarantinedInput Moved(string blob)
    {
        ArgumentNullException.ThrowIfNull(blob);
        var notReplayable = QuarantineClient.NotReplayableReason(blob, fileHere: true);
        return new QuarantinedInput(blob, LandingBlobNames.QuarantineName(blob), notReplayable is null, notReplayable);
    }
}
