using DataMesh.Pipeline;
using DataMesh.Quarantine;

namespace DataMesh.Events;

/// <summary>
/// One input a failed run moved to its domain's quarantine, as the domain announces it: where it went and whether it
/// can be replayed as it is, so a catalog that reads no domain's storage (the hub) can say so. The reason names the
/// kind of problem only (<see cref="QuarantineClient.NotReplayableReason"/>), never a value of the data.
/// </summary>
/// <param name="Blob">
/// Its name in landing, as in <see cref="RunFailureData.Quarantined"/>; for a refused landing name, its safe quarantine
/// name (<see cref="LandingBlobNames.QuarantineName"/>): the original is announced nowhere, only the domain's
/// <c>.error.json</c> holds it.
/// </param>
/// <param name="File">Its name in the quarantine container (a refused landing name is quarantined under a safe one).</param>
/// <param name="Replayable">Whether <c>quarantine replay</c> can put it back in landing under its name.</param>
/// <param name="NotReplayable">Why not, when it cannot; null when it can.</param>
/// <param name="KeptInLanding">
/// True when the file itself stayed in landing and only its <c>.error.json</c> is in quarantine, under
/// <paramref name="File"/> (a name with <c>.</c>/<c>..</c> segments, which no storage client can move): not in
/// <see cref="RunFailureData.Quarantined"/>, never replayable.
/// </param>
public sealed record QuarantinedInput(string Blob, string File, bool Replayable, string? NotReplayable, bool KeptInLanding = false)
{
    /// <summary>The landing blob <paramref name="blob"/> as the quarantine holds it once moved there.</summary>
    public static QuarantinedInput Moved(string blob)
    {
        ArgumentNullException.ThrowIfNull(blob);
        var notReplayable = QuarantineClient.NotReplayableReason(blob, fileHere: true);
        var file = LandingBlobNames.QuarantineName(blob);
        return new QuarantinedInput(file, file, notReplayable is null, notReplayable);
    }

    /// <summary>The landing blob <paramref name="blob"/> left in landing, its record in quarantine (<see cref="PipelineResult.KeptInLanding"/>).</summary>
    public static QuarantinedInput Kept(string blob)
    {
        ArgumentNullException.ThrowIfNull(blob);
        var file = LandingBlobNames.QuarantineName(blob);
        return new QuarantinedInput(file, file, Replayable: false, QuarantineClient.NotReplayableReason(blob, fileHere: false), KeptInLanding: true);
    }

    /// <summary>Every input the failed run <paramref name="result"/> quarantined: the ones moved, then the ones left in landing.</summary>
    public static IReadOnlyList<QuarantinedInput> Of(PipelineResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return [.. result.Quarantined.Select(Moved), .. result.KeptInLanding.Select(Kept)];
    }
}
