namespace DataMesh.Catalog;

/// <summary>
/// The request headers <see cref="CatalogHttpApi"/> reads (all others are the host's business): the byte range of a
/// release file download and its conditions, as received.
/// </summary>
public sealed record CatalogApiRequestHeaders
{
    /// <summary>No headers: a plain request.</summary>
    public static CatalogApiRequestHeaders None { get; } = new();

    /// <summary><c>Range</c>, e.g. <c>bytes=0-1023</c> or <c>bytes=-8</c> (the last 8 bytes: a Parquet footer).</summary>
    public string? Range { get; init; }

    /// <summary><c>If-Range</c>: the range applies only while the file's ETag is still this one.</summary>
    public string? IfRange { get; init; }

    /// <summary><c>If-None-Match</c>: answer 304 without a body when the file's ETag is among these.</summary>
    public string? IfNoneMatch { get; init; }

    /// <summary>Reads the headers through a host's lookup (name → value, or null when absent).</summary>
    public static CatalogApiRequestHeaders From(Func<string, string?> header)
    {
        ArgumentNullException.ThrowIfNull(header);
        return new CatalogApiRequestHeaders
        {
            Range = NullIfEmpty(header("Range")),
            IfRange = NullIfEmpty(header("If-Range")),
            IfNoneMatch = NullIfEmpty(header("If-None-Match")),
        };
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
