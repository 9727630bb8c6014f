namespace DataMesh.Catalog;

/// <summary>A product search: every given filter must match (text in id, name, description, tags or owner; the others exactly, ignoring case).</summary>
public sealed record CatalogSearch
{
    /// <summary>Default number of products per page.</summary>
    public const int DefaultPageSize = 20;

    /// <summary>Most products per page.</summary>
    public const int MaxPageSize = 100;

    /// <summary>Text contained (ignoring case) in the product id, description, a tag, or the owner's team or email.</summary>
    public string? Text { get; init; }

    /// <summary>The product's domain (read server-side: it is the Products table's partition key).</summary>
    public string? Domain { get; init; }

    public string? Tag { get; init; }

    /// <summary>The owner's team or email.</summary>
    public string? Owner { get; init; }

    /// <summary>A classification of at least one contract column (e.g. <c>pii</c>).</summary>
    public string? Classification { get; init; }

    public int PageSize { get; init; } = DefaultPageSize;

    /// <summary>The <see cref="CatalogPage{T}.ContinuationToken"/> of the previous page of the same search.</summary>
    public string? ContinuationToken { get; init; }
}
