using DataMesh.Pipeline;
using DataMesh.Quarantine;

namespace DataMesh.Local;

/// <summary>Runs asked for on purpose over what the mesh already holds: a rerun of a product, a replay of a quarantined file.</summary>
public sealed partial class LocalMesh
{
    /// <summary>The quarantine of every domain of this mesh: list, read, move back (<see cref="QuarantineClient"/>).</summary>
    public QuarantineClient Quarantine => new(Storage, Products);

    /// <summary>
    /// Rebuilds <paramref name="productId"/> from its current upstream releases and the inputs of its newest release as
    /// archived (<see cref="RerunPlanner"/>): a new run, under its own run id, into a new release.
    /// </summary>
    public async Task<(PipelineRequest Request, string Reads, PipelineResult Result)> RerunAsync(string productId, TimeSpan? timeout = null, CancellationToken cancellationToken = default, IProgress<RunProgress>? progress = null)
    {
        var (request, reads) = await RerunPlanner.PlanAsync(Storage, Products.Get(productId), cancellationToken: cancellationToken).ConfigureAwait(false);
        return (request, reads, await RunAsync(request, timeout, cancellationToken, progress).ConfigureAwait(false));
    }

    /// <summary>
    /// Moves a quarantined file back to landing and runs it under a new run id; a run that fails again puts it back in
    /// quarantine with the new reason.
    /// </summary>
    public async Task<(QuarantineReplay Replay, PipelineResult Result)> ReplayAsync(QuarantinedFile file, TimeSpan? timeout = null, CancellationToken cancellationToken = default, IProgress<RunProgress>? progress = null)
    {
        var replay = await Quarantine.MoveToLandingAsync(file, cancellationToken).ConfigureAwait(false);
        return (replay, await RunAsync(replay.Request, timeout, cancellationToken, progress).ConfigureAwait(false));
    }
}
