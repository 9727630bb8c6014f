namespace DataMesh.Catalog;

/// <summary>A continuation token that is not one this catalog issued for the same search: the caller must start over.</summary>
public sealed class CatalogContinuationException : Exception
{
    public CatalogContinuationException()
    {
    }

    public CatalogContinuationException(string message)
        : base(message)
    {
    }

    public CatalogContinuationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
