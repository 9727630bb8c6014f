using System.Buffers;
using System.Security.Cryptography;
using System.Text;

namespace DataMesh.Engine;

/// <summary>
/// The <c>hash</c> masking function: HMAC-SHA256 of the value under a key derived from the owning domain's secret and a
/// hash scope (the product by default). Only the domain holds its secret, so no other team can hash guessed values to
/// the same result, and two scopes never hash a value alike. The key lives in a delegate registered on the DuckDB
/// connection, never in SQL text (an error quoting the statement cannot quote the key).
/// </summary>
public static class KeyedHash
{
    private const string Purpose = "datamesh/hash-masking/v1";

    /// <summary>
    /// The key of one hash scope: HMAC-SHA256 of <c>purpose / domain / scope</c> under the domain's secret. Scopes are
    /// names within the domain, so the same scope name in two domains still gives two keys.
    /// </summary>
    public static byte[] ScopeKey(string domainSecret, string domain, string scope)
    {
        ArgumentException.ThrowIfNullOrEmpty(domainSecret);
        ArgumentException.ThrowIfNullOrEmpty(domain);
        ArgumentException.ThrowIfNullOrEmpty(scope);
        return HMACSHA256.HashData(Encoding.UTF8.GetBytes(domainSecret), Encoding.UTF8.GetBytes($"{Purpose}/{domain}/{scope}"));
    }

    /// <summary>The masked value: lowercase hex of HMAC-SHA256(<paramref name="scopeKey"/>, UTF-8 of <paramref name="value"/>).</summary>
    public static string Hash(byte[] scopeKey, string value)
    {
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, scopeKey);
        return Hash(hmac, value);
    }

    // One keyed HMAC reused row after row: GetHashAndReset returns it to its keyed state, which spares the key setup a
    // one-shot HMAC pays per value.
    private static string Hash(IncrementalHash hmac, string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var length = Encoding.UTF8.GetMaxByteCount(value.Length);
        var rented = length <= 512 ? null : ArrayPool<byte>.Shared.Rent(length);
        var buffer = rented ?? stackalloc byte[512];
        try
        {
            var written = Encoding.UTF8.GetBytes(value, buffer);
            hmac.AppendData(buffer[..written]);
            Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
            hmac.GetHashAndReset(mac);
            return Convert.ToHexStringLower(mac);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>
    /// Registers <paramref name="functionName"/>(VARCHAR) → VARCHAR on <paramref name="session"/>: <see cref="Hash(byte[], string)"/> under
    /// <paramref name="scopeKey"/>, NULL for NULL. DuckDB calls it chunk by chunk, from several threads at once.
    /// </summary>
    public static void Register(DuckDbSession session, string functionName, byte[] scopeKey)
    {
        ArgumentNullException.ThrowIfNull(session);
        ArgumentNullException.ThrowIfNull(scopeKey);
        var key = (byte[])scopeKey.Clone();
        // DuckDB calls the function from its worker threads at once: one HMAC per thread. They hold no unmanaged memory
        // beyond their safe handles, released when the session and its function are collected.
        var perThread = new ThreadLocal<IncrementalHash>(() => IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key));
        session.RegisterScalarFunction<string, string>(functionName, (readers, writer, rows) =>
        {
            var hmac = perThread.Value!;
            var input = readers[0];
            for (ulong row = 0; row < rows; row++)
            {
                if (input.IsValid(row))
                {
                    writer.WriteValue(Hash(hmac, input.GetValue<string>(row)), row);
                }
                else
                {
                    writer.WriteNull(row);
                }
            }
        });
    }
}
