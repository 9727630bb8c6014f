namespace DataMesh.Publishing;

/// <summary>
/// A landing file a product published, by content: the run and release that published those bytes first (an entry of
/// <see cref="PublishedInputIndex"/>).
/// </summary>
/// <param name="Sha256">SHA-256 of the file's bytes, lowercase hex (computed at ingest).</param>
/// <param name="ProductId">The product that published it.</param>
/// <param name="Version">The product version of the release.</param>
/// <param name="Release">The release it became part of.</param>
/// <param name="RunId">The run that published it.</param>
/// <param name="Blob">Its landing blob name then.</param>
/// <param name="ETag">Its landing blob version then.</param>
public sealed record PublishedInput(string Sha256, string ProductId, string Version, int Release, string RunId, string Blob, string ETag);
