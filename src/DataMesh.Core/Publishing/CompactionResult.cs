namespace DataMesh.Publishing;

/// <summary>The outcome of one compaction of a product version's newest snapshot.</summary>
/// <param name="Status">What happened.</param>
/// <param name="ProductId">The product.</param>
/// <param name="Version">The product version.</param>
/// <param name="BasedOn">The release compacted (the newest when compaction began); null when there was none.</param>
/// <param name="Release">The release compaction wrote; null unless <see cref="CompactionStatus.Compacted"/>.</param>
/// <param name="FilesBefore">Data files of the snapshot compacted.</param>
/// <param name="FilesAfter">Data files of the new snapshot (equal to <paramref name="FilesBefore"/> unless compacted).</param>
public sealed record CompactionResult(CompactionStatus Status, string ProductId, string Version, int? BasedOn, int? Release, int FilesBefore, int FilesAfter);
