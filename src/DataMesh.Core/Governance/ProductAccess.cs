using DataMesh.Specs;

namespace DataMesh.Governance;

/// <summary>Who may read a product, from its <c>access</c> block (the rule itself is <see cref="Consumption.DataReader.CanRead"/>, shared with the catalog API and <c>datamesh query</c>).</summary>
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
        return Consumption.DataReader.ForDomain(readerDomain).CanRead(product.Domain, product.Access.Visibility, product.Access.Readers);
    }
}
