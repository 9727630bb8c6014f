namespace DataMesh.Catalog;

/// <summary>What <see cref="CatalogHttpApi"/> answers: an HTTP status, a content type and a JSON body, for any host to send.</summary>
public sealed record CatalogApiResponse(int StatusCode, string ContentType, string Body)
{
    /// <summary>A binary body (a release's Parquet file) sent instead of <see cref="Body"/> when set.</summary>
    public byte[]? Content { get; init; }
}
