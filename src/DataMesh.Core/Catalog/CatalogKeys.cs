using System.Globalization;
using System.Text;

namespace DataMesh.Catalog;

/// <summary>Table keys from ids: Azure Tables forbids <c>/ \ # ?</c> and control characters in keys.</summary>
internal static class CatalogKeys
{
    /// <summary>
    /// Partition of <see cref="CatalogTables.RunsByTime"/> holding a copy of every product's runs, newest first: the
    /// mesh-wide history a page at a time. No product's key: a product id always holds a '.'.
    /// </summary>
    internal const string MeshRunsPartition = "~mesh";

    /// <summary>Percent-encodes the characters a key may not hold (and <c>%</c> itself, so the mapping is one to one).</summary>
    internal static string Encode(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (!value.Any(NeedsEscape))
        {
            return value;
        }

        var builder = new StringBuilder(value.Length + 8);
        foreach (var c in value)
        {
            if (NeedsEscape(c))
            {
                builder.Append('%').Append(((int)c).ToString("X2", CultureInfo.InvariantCulture));
            }
            else
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }

    private static bool NeedsEscape(char c) => c is '/' or '\\' or '#' or '?' or '%' || char.IsControl(c);
}
