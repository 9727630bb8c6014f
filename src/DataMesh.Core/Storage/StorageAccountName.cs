using System.Net;
using Azure.Storage.Blobs;

namespace DataMesh.Storage;

/// <summary>
/// The storage account a blob service URL addresses, which identifies the account whatever endpoint reaches it
/// (host and port are not part of it: Azurite takes a new port at each start of the local mesh).
/// </summary>
public static class StorageAccountName
{
    /// <summary>The local mesh's hub account: the catalog's tables and the mesh's queues (never a domain's containers).</summary>
    public const string Hub = "dmhub";

    /// <summary>
    /// The local mesh's storage account of a domain: <c>dm</c>, the domain's letters and digits (at most 16), and six hex
    /// digits of the domain's SHA-256, so two domains never share an account and the name is always a valid one
    /// (3-24 lowercase letters and digits) that never equals <see cref="Hub"/>.
    /// </summary>
    public static string ForDomain(string domain)
    {
        ArgumentException.ThrowIfNullOrEmpty(domain);
        var letters = new string([.. domain.ToLowerInvariant().Where(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c)).Take(16)]);
        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(domain)))[..6];
        return $"dm{letters}{hash}";
    }

    /// <summary>
    /// The account name, lowercase: the first label of an account endpoint's host (<c>stfinance.blob.core.windows.net</c>),
    /// or the first path segment of a path-style URL (Azurite and other emulators, on an IP address or a single-label
    /// host such as <c>localhost</c>: <c>http://127.0.0.1:10000/devstoreaccount1/...</c>).
    /// </summary>
    /// <exception cref="FormatException">The URL names no account.</exception>
    public static string Of(Uri blobUrl)
    {
        ArgumentNullException.ThrowIfNull(blobUrl);
        var pathStyle = IPAddress.TryParse(blobUrl.Host, out _) || !blobUrl.Host.Contains('.', StringComparison.Ordinal);
        var account = pathStyle
            ? blobUrl.AbsolutePath.TrimStart('/').Split('/')[0]
            : new BlobUriBuilder(blobUrl).AccountName;
        return string.IsNullOrEmpty(account)
            ? throw new FormatException($"Blob URL '{blobUrl}' names no storage account (expected https://<account>.blob.<suffix>/... or a path-style http://<host>:<port>/<account>/...).")
            : account.ToLowerInvariant();
    }
}
