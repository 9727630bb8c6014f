namespace DataMesh.Catalog;

/// <summary>What <see cref="CatalogHttpApi"/> answers: an HTTP status, a content type and a JSON body, for any host to send.</summary>
public sealed record CatalogApiResponse(int StatusCode, string ContentType, string Body)
{
    /// <summary>A binary body (a release's Parquet file) sent instead of <see cref="Body"/> when set.</summary>
    public byte[]? Content { get; init; }

    /// <summary>The <c>Location</c> header of a redirect (307: the release's data is served by another host).</summary>
    public string? Location { get; init; }
}
