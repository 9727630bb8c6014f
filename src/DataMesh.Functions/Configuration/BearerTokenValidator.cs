using DataMesh.Consumption;
using Microsoft.Extensions.Configuration;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace DataMesh.Functions.Configuration;

/// <summary>
/// Validates the caller's Entra ID bearer token in the app itself, behind App Service authentication (defence in
/// depth): signature against the tenant's signing keys (its OpenID Connect metadata), issuer (the tenant), audience
/// (the mesh API's app id URI or client id), expiry; the caller's app roles are read from the validated token only.
/// Settings: <c>DataMesh__Authentication__TenantId</c>, <c>__Audience</c> (<c>api://&lt;MESH_API_CLIENT_ID&gt;</c>),
/// <c>__ClientId</c> (<c>MESH_API_CLIENT_ID</c>, the audience of v2.0 tokens) and <c>__Instance</c> (default
/// <c>https://login.microsoftonline.com/</c>).
/// </summary>
public sealed class BearerTokenValidator
{
    /// <summary>The configuration section of the settings.</summary>
    public const string Section = "DataMesh:Authentication";

    /// <summary>The sign-in authority of the public cloud.</summary>
    public const string DefaultInstance = "https://login.microsoftonline.com/";

    private readonly IConfigurationManager<OpenIdConnectConfiguration> _keys;
    private readonly TokenValidationParameters _parameters;
    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false };

    /// <param name="tenantId">The Entra tenant whose tokens are accepted (issuer v2.0 and v1).</param>
    /// <param name="audiences">The accepted audiences: the mesh API's app id URI and/or client id.</param>
    /// <param name="keys">
    /// Where the tenant's signing keys come from: a <see cref="ConfigurationManager{T}"/> on the tenant's OpenID Connect
    /// metadata in the app (cached and refreshed on key rotation); a static one in tests.
    /// </param>
    /// <param name="instance">The sign-in authority (<see cref="DefaultInstance"/>, or a national cloud's).</param>
    public BearerTokenValidator(string tenantId, IReadOnlyCollection<string> audiences, IConfigurationManager<OpenIdConnectConfiguration> keys, string instance = DefaultInstance)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(tenantId);
        ArgumentNullException.ThrowIfNull(audiences);
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentException.ThrowIfNullOrWhiteSpace(instance);
        if (audiences.Count == 0)
        {
            throw new ArgumentException("At least one audience (the mesh API's app id URI or client id) is needed.", nameof(audiences));
        }

        _keys = keys;
        var authority = instance.TrimEnd('/') + "/";
        _parameters = new TokenValidationParameters
        {
            // v2.0 tokens (the app registration asks for them) and v1 tokens of the same tenant.
            ValidIssuers = [$"{authority}{tenantId}/v2.0", $"https://sts.windows.net/{tenantId}/"],
            ValidAudiences = audiences,
            ValidateIssuer = true,
            ValidateAudience = true,
            ValidateLifetime = true,
            RequireExpirationTime = true,
            RequireSignedTokens = true,
            ValidateIssuerSigningKey = true,
            ValidAlgorithms = [SecurityAlgorithms.RsaSha256],
            RoleClaimType = "roles",
        };
    }

    /// <summary>The validator the settings under <see cref="Section"/> describe; null when <c>TenantId</c> is not set (validation off).</summary>
    public static BearerTokenValidator? FromConfiguration(IConfiguration configuration, IConfigurationManager<OpenIdConnectConfiguration>? keys = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(Section);
        if (string.IsNullOrWhiteSpace(section["TenantId"]))
        {
            return null;
        }

        var tenantId = section["TenantId"]!.Trim();
        var audiences = new[] { section["Audience"], section["ClientId"] }.Where(a => !string.IsNullOrWhiteSpace(a)).Select(a => a!.Trim()).ToList();
        if (audiences.Count == 0)
        {
            throw new InvalidOperationException(
                "DataMesh__Authentication__TenantId is set but no audience: set DataMesh__Authentication__Audience (api://<MESH_API_CLIENT_ID>) and/or DataMesh__Authentication__ClientId.");
        }

        var instance = string.IsNullOrWhiteSpace(section["Instance"]) ? DefaultInstance : section["Instance"]!.Trim();
        keys ??= new ConfigurationManager<OpenIdConnectConfiguration>(
            $"{instance.TrimEnd('/')}/{tenantId}/v2.0/.well-known/openid-configuration",
            new OpenIdConnectConfigurationRetriever(),
            new HttpDocumentRetriever { RequireHttps = true });
        return new BearerTokenValidator(tenantId, audiences, keys, instance);
    }

    /// <summary>
    /// The caller a bearer token proves (its app roles; <see cref="DataReader.Member"/> without one), or why the token is
    /// refused (forged signature, expired, another audience or tenant, malformed), for a 401.
    /// </summary>
    public async Task<(DataReader? Caller, string? Refusal)> ValidateAsync(string token, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(token);
        var result = await ValidateOnceAsync(token, cancellationToken).ConfigureAwait(false);
        if (!result.IsValid && result.Exception is SecurityTokenSignatureKeyNotFoundException)
        {
            // The tenant may have rotated its keys since they were cached: fetch them again once.
            _keys.RequestRefresh();
            result = await ValidateOnceAsync(token, cancellationToken).ConfigureAwait(false);
        }

        if (!result.IsValid)
        {
            return (null, Reason(result.Exception));
        }

        var roles = result.ClaimsIdentity.FindAll("roles").Select(c => c.Value);
        return (DataReader.FromAppRoles(roles), null);
    }

    private async Task<TokenValidationResult> ValidateOnceAsync(string token, CancellationToken cancellationToken)
    {
        var configuration = await _keys.GetConfigurationAsync(cancellationToken).ConfigureAwait(false);
        var parameters = _parameters.Clone();
        parameters.IssuerSigningKeys = configuration.SigningKeys;
        return await _handler.ValidateTokenAsync(token, parameters).ConfigureAwait(false);
    }

    // What the caller can act on, without echoing the token or the library's internals.
    private static string Reason(Exception? exception) => exception switch
    {
        SecurityTokenExpiredException => "the bearer token has expired: get a new one",
        SecurityTokenNotYetValidException => "the bearer token is not valid yet",
        SecurityTokenInvalidAudienceException => "the bearer token was issued for another audience: ask Entra ID for a token for the mesh API (api://<MESH_API_CLIENT_ID>)",
        SecurityTokenInvalidIssuerException => "the bearer token was issued by another tenant or authority than the mesh's",
        SecurityTokenSignatureKeyNotFoundException or SecurityTokenInvalidSignatureException => "the bearer token's signature does not verify against the tenant's signing keys",
        SecurityTokenInvalidAlgorithmException => "the bearer token is not signed with RS256",
        SecurityTokenNoExpirationException => "the bearer token has no expiry",
        _ => "the bearer token is not a valid token for the mesh API",
    };
}
