using System.Net;
using Azure.Storage.Blobs;

namespace DataMesh.Storage;

/// <summary>
/// The storage account a blob service URL addresses, which identifies the account whatever endpoint reaches it
/// (host and port are not part of it: Azurite takes a new port at each start of the local mesh).
/// </summary>
public static class StorageAccountName
{
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
