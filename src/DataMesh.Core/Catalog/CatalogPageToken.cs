using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace DataMesh.Catalog;

/// <summary>
/// The opaque continuation token of a product search: Base64url JSON of the last key returned and a hash of the
/// search it belongs to. Clients never build it; a token altered, truncated or reused for another search is refused.
/// </summary>
internal static class CatalogPageToken
{
    internal const int MaxLength = 1024;

    private const int FormatVersion = 1;

    internal static string Create(CatalogSearch search, string partitionKey, string rowKey) =>
        Base64Url(JsonSerializer.SerializeToUtf8Bytes(new Token(FormatVersion, partitionKey, rowKey, SearchHash(search))));

    /// <summary>The key after which the next page starts.</summary>
    /// <exception cref="CatalogContinuationException">The token is malformed or belongs to another search.</exception>
    internal static (string PartitionKey, string RowKey) Read(CatalogSearch search, string token)
    {
        if (token.Length > MaxLength)
        {
            throw new CatalogContinuationException($"The continuation token is longer than {MaxLength} characters: pass the token of the previous page unchanged.");
        }

        Token? parsed;
        try
        {
            parsed = JsonSerializer.Deserialize<Token>(FromBase64Url(token));
        }
        catch (Exception ex) when (ex is FormatException or JsonException)
        {
            throw new CatalogContinuationException("The continuation token is not one the catalog issued: pass the token of the previous page unchanged.", ex);
        }

        if (parsed is not { V: FormatVersion, Pk: { Length: > 0 } pk, Rk: { Length: > 0 } rk, S: { } hash } || hash != SearchHash(search))
        {
            throw new CatalogContinuationException("The continuation token belongs to another search or is damaged: repeat the search with the same filters, or start again without a token.");
        }

        return (pk, rk);
    }

    private static string SearchHash(CatalogSearch search)
    {
        var text = string.Join('\u001f', search.Text ?? "", search.Domain ?? "", search.Tag ?? "", search.Owner ?? "", search.Classification ?? "");
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToUpperInvariant())))[..16];
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[] FromBase64Url(string text)
    {
        var base64 = text.Replace('-', '+').Replace('_', '/');
        base64 = base64.PadRight(base64.Length + ((4 - (base64.Length % 4)) % 4), '=');
        return Convert.FromBase64String(base64);
    }

    private sealed record Token(
        [property: JsonPropertyName("v")] int V,
        [property: JsonPropertyName("pk")] string Pk,
        [property: JsonPropertyName("rk")] string Rk,
        [property: JsonPropertyName("s")] string S);
}
