namespace DataMesh.Catalog;

/// <summary>
/// An event the catalog will never be able to apply (unknown type, foreign source, invalid data): retrying cannot
/// help, so the queue consumer moves it to the poison queue at once. Storage failures are not wrapped in this.
/// </summary>
public sealed class CatalogEventRejectedException : Exception
{
    public CatalogEventRejectedException()
    {
    }

    public CatalogEventRejectedException(string message)
        : base(message)
    {
    }

    public CatalogEventRejectedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
