using System.Security.Cryptography;
using DataMesh.Functions.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace DataMesh.Functions.Tests.Configuration;

/// <summary>
/// A stand-in for the Entra tenant the apps trust: a local RSA key signs tokens as the tenant's would, and the validators
/// built here get that key's public half the way the real ones get the tenant's published keys (a configuration manager).
/// </summary>
internal sealed class TestTenant
{
    public const string Id = "11111111-1111-1111-1111-111111111111";

    private readonly RsaSecurityKey _key = new(RSA.Create(2048)) { KeyId = "tenant-key" };

    public static string IssuerOf(string tenant) => $"https://login.microsoftonline.com/{tenant}/v2.0";

    /// <summary>A key that is not the tenant's but claims its key id: what a forger signs with.</summary>
    public static RsaSecurityKey ForgedKey() => new(RSA.Create(2048)) { KeyId = "tenant-key" };

    /// <summary>The app's own token validation for <paramref name="settings"/>, trusting this tenant's key.</summary>
    public BearerTokenValidator? Validator(IReadOnlyDictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var metadata = new OpenIdConnectConfiguration();
        metadata.SigningKeys.Add(_key);
        return BearerTokenValidator.FromConfiguration(configuration, new StaticConfigurationManager<OpenIdConnectConfiguration>(metadata));
    }

    /// <summary>
    /// An access token for <paramref name="audience"/> carrying <paramref name="role"/> (none when null), valid for an hour
    /// unless <paramref name="expires"/> says otherwise, signed with the tenant's key or <paramref name="key"/>.
    /// </summary>
    public string Token(
        string audience,
        string? role,
        SecurityKey? key = null,
        DateTime? expires = null,
        string? issuer = null,
        IReadOnlyDictionary<string, object>? claims = null)
    {
        var expiry = expires ?? DateTime.UtcNow.AddHours(1);
        var all = new Dictionary<string, object> { ["tid"] = Id };
        foreach (var (name, value) in claims ?? new Dictionary<string, object>())
        {
            all[name] = value;
        }

        if (role is not null)
        {
            all["roles"] = new[] { role };
        }

        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer ?? IssuerOf(Id),
            Audience = audience,
            IssuedAt = expiry.AddHours(-2),
            NotBefore = expiry.AddHours(-2),
            Expires = expiry,
            Claims = all,
            SigningCredentials = new SigningCredentials(key ?? _key, SecurityAlgorithms.RsaSha256),
        });
    }
}
