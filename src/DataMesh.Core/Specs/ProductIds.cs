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
}
