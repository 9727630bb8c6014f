namespace DataMesh.Catalog;

/// <summary>
/// What <see cref="CatalogHttpApi"/> answers: an HTTP status, a content type and a JSON body, or a streamed binary
/// body with its headers, for any host to send.
/// </summary>
public sealed record CatalogApiResponse(int StatusCode, string ContentType, string Body)
{
    private static readonly IReadOnlyDictionary<string, string> NoHeaders = new Dictionary<string, string>();

    /// <summary>
    /// A binary body (a release's Parquet file, or the requested range of it) sent instead of <see cref="Body"/> when
    /// set. It reads from storage as it is read, so the host copies it to the response (never into memory) and
    /// disposes it, also when the copy fails; reading it may throw when the data does not match the manifest.
    /// </summary>
    public Stream? Content { get; init; }

    /// <summary>
    /// The body's length in bytes (the <c>Content-Length</c> header), when it is a file or a range of it; also set on
    /// an answer to <c>HEAD</c>, which carries no <see cref="Content"/>.
    /// </summary>
    public long? ContentLength { get; init; }

    /// <summary>Further response headers to send as they are (<c>ETag</c>, <c>Accept-Ranges</c>, <c>Content-Range</c>, <c>Content-Disposition</c>).</summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; } = NoHeaders;

    /// <summary>The <c>Location</c> header of a redirect (307: the release's data is served by another host).</summary>
    public string? Location { get; init; }
}
