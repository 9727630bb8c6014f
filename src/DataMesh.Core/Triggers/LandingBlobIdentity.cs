using System.Security.Cryptography;
using System.Text;
using DataMesh.Storage;

namespace DataMesh.Triggers;

/// <summary>
/// What identifies one landing input (DESIGN §5): the storage account, container, blob name and version (ETag) of
/// the blob — never its URL, whose host and port change with the endpoint (Azurite takes a new port at each start of
/// the local mesh, an account may be reached through several endpoints). A run started by the blob is named after it,
/// so a redelivered event, a restarted host or a re-listing of the container names the same run.
/// </summary>
/// <param name="Account">Storage account name, lowercase.</param>
/// <param name="Container">Container name.</param>
/// <param name="Name">Blob name as written (not URL-encoded).</param>
/// <param name="ETag">The version of the blob, without quotes.</param>
public sealed record LandingBlobIdentity(string Account, string Container, string Name, string ETag)
{
    // Durable Functions refuses instance ids over 100 characters; leave room for the hash.
    private const int MaxProductIdLength = 60;
    private const int HashHexLength = 32;

    /// <summary>The identity of a blob version, its account read from <paramref name="blobUrl"/> (<see cref="StorageAccountName.Of"/>).</summary>
    /// <exception cref="FormatException">The URL names no account.</exception>
    public static LandingBlobIdentity From(Uri blobUrl, string container, string name, string eTag)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(container);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentException.ThrowIfNullOrWhiteSpace(eTag);
        return new LandingBlobIdentity(StorageAccountName.Of(blobUrl), container, name, eTag.Trim('"'));
    }

    /// <summary>
    /// The run (and orchestration instance) id of this blob version for <paramref name="productId"/>:
    /// <c>&lt;product id&gt;-&lt;hash of account, container, name and ETag&gt;</c>. Deterministic, at most 93 characters,
    /// and free of the characters instance ids may not hold.
    /// </summary>
    public string RunId(string productId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(productId);
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{Account}\n{Container}\n{Name}\n{ETag}"));
        var prefix = productId.Length <= MaxProductIdLength ? productId : productId[..MaxProductIdLength];
        return $"{prefix}-{Convert.ToHexStringLower(hash)[..HashHexLength]}";
    }
}
