using DataMesh.Pipeline;

namespace DataMesh.Quarantine;

/// <summary>A quarantined file moved back to landing: the file as it was, and the run that replays it (a new run id).</summary>
/// <param name="File">The file as it was in quarantine, with its reason.</param>
/// <param name="Request">The run to start over its landing name.</param>
public sealed record QuarantineReplay(QuarantinedFile File, PipelineRequest Request);
