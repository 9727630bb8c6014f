using DataMesh.Pipeline;
using DataMesh.Specs;

namespace DataMesh.Functions.Configuration;

/// <summary>
/// The masking key rule at start-up (<c>DataMesh__Pipeline__MaskingKey</c>, a Key Vault reference in Azure): a domain
/// app whose products declare <c>hash</c> masking refuses to start without a masking key, rather than fail every publish; and
/// no app starts with a Key Vault reference that App Service could not resolve, which it leaves in the setting as
/// text - hashing with that public text as the key would make every hash guessable.
/// </summary>
internal static class MaskingKeyCheck
{
    /// <summary>The setting that carries the masking key.</summary>
    public const string Setting = "DataMesh__Pipeline__MaskingKey";

    private const string KeyVaultReferencePrefix = "@Microsoft.KeyVault(";

    /// <summary>Why the app must not start with this masking key, or null when it may.</summary>
    public static string? Problem(DataMeshAppOptions options, IProductRegistry products)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(products);
        // A setting present without a value binds as null; a per-domain entry (MaskingKeys) wins over the app's key.
        var salt = options.IsHub ? options.Pipeline.MaskingKey ?? "" : options.Pipeline.MaskingKeyOf(options.Domain);
        if (salt.TrimStart().StartsWith(KeyVaultReferencePrefix, StringComparison.OrdinalIgnoreCase))
        {
            return $"{Setting} is an unresolved Key Vault reference ({salt}): App Service could not read the secret. Check that the app's identity "
                + "has 'Key Vault Secrets User' on the vault, that the site's keyVaultReferenceIdentity names that identity, and that the secret exists.";
        }

        if (options.IsHub || salt.Length > 0)
        {
            return null;
        }

        var hashed = products.All.Where(p => p.Domain == options.Domain).SelectMany(HashedColumns).ToList();
        return hashed.Count == 0
            ? null
            : $"{Setting} is not set, but {string.Join(", ", hashed)} declare{(hashed.Count == 1 ? "s" : "")} hash masking: set it "
                + "(in Azure, a Key Vault reference to the domain vault's masking-key secret; infra/domain.bicep does this).";
    }

    private static IEnumerable<string> HashedColumns(ProductSpec product) =>
        product.Contract.Schema
            .SelectMany(s => s.Properties)
            .Where(p => string.Equals(p.Masking, "hash", StringComparison.OrdinalIgnoreCase))
            .Select(p => $"{product.Id} column '{p.Name}'");
}
