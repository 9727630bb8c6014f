namespace DataMesh.Testing;

/// <summary>A data file a hand-written release writes (<see cref="SnapshotChain"/>): its path, its rows as (id, label), and whether it is a merge's rewrite.</summary>
public sealed record OwnFile(string Path, IReadOnlyList<(int Id, string Label)> Rows, bool Rewritten = false);
