using DataMesh.Specs;

namespace DataMesh.Governance;

/// <summary>Who may read a product, from its <c>access</c> block: the one rule validation, publish and the catalog API share.</summary>
public static class ProductAccess
{
    /// <summary>
    /// Whether <paramref name="readerDomain"/> may read <paramref name="product"/>: <c>public</c> → every domain;
    /// <c>domain</c> → its own; <c>restricted</c> → its own and those in <c>readers</c>.
    /// </summary>
    public static bool CanRead(ProductSpec product, string readerDomain)
    {
        ArgumentNullException.ThrowIfNull(product);
        ArgumentNullException.ThrowIfNull(readerDomain);
        return string.Equals(product.Domain, readerDomain, StringComparison.Ordinal) || product.Access.Visibility switch
        {
            "public" => true,
            "restricted" => product.Access.Readers.Contains(readerDomain, StringComparer.Ordinal),
            _ => false,
        };
    }
}
