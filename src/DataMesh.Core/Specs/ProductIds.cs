namespace DataMesh.Specs;

/// <summary>Product ids, <c>&lt;domain&gt;.&lt;name&gt;</c> (the first dot separates them).</summary>
public static class ProductIds
{
    /// <summary>Splits <paramref name="productId"/> into domain and name; false when it is not of that form.</summary>
    public static bool TrySplit(string? productId, out string domain, out string name)
    {
        var dot = productId?.IndexOf('.', StringComparison.Ordinal) ?? -1;
        if (productId is null || dot <= 0 || dot == productId.Length - 1)
        {
            (domain, name) = ("", "");
            return false;
        }

        (domain, name) = (productId[..dot], productId[(dot + 1)..]);
        return true;
    }

    /// <summary>The domain and name of <paramref name="productId"/>; an <see cref="ArgumentException"/> (of <paramref name="paramName"/>) when it is not of that form.</summary>
    public static (string Domain, string Name) Split(string productId, string? paramName = null) =>
        TrySplit(productId, out var domain, out var name) ? (domain, name) : throw new ArgumentException($"'{productId}' is not a product id (domain.name).", paramName);

    /// <summary>
    /// The domain of <paramref name="productId"/>: what stands before its first dot (a domain name holds none), or all of
    /// it when it has no dot, as an id a user mistyped may.
    /// </summary>
    public static string DomainOf(string productId)
    {
        ArgumentNullException.ThrowIfNull(productId);
        var dot = productId.IndexOf('.', StringComparison.Ordinal);
        return dot < 0 ? productId : productId[..dot];
    }
}
