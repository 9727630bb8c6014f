using DataMesh.Consumption;
using Microsoft.Azure.Functions.Worker.Http;
using Microsoft.Extensions.Configuration;

namespace DataMesh.Functions.Configuration;

/// <summary>
/// Who calls an HTTP function, as App Service authentication (Easy Auth, configured by the Bicep's authsettingsV2)
/// tells it: the platform validates the caller's Entra token for the mesh API and passes the caller, app roles
/// included, in <c>X-MS-CLIENT-PRINCIPAL</c>, stripping any copy the client sent. That header is trusted only when the
/// platform says the authentication is on (<c>WEBSITE_AUTH_ENABLED=true</c>, set by App Service itself): otherwise a
/// client could forge it, so every caller is anonymous (public products only). With <see cref="Tokens"/> configured
/// (<c>DataMesh__Authentication__*</c>), the app also validates the bearer token itself and takes the caller from it
/// alone: the header then proves nothing, and a missing token makes the caller anonymous, an invalid one a 401.
/// </summary>
public sealed class AppServiceAuthentication
{
    /// <summary>The app setting App Service sets when its authentication is on.</summary>
    public const string EnabledSetting = "WEBSITE_AUTH_ENABLED";

    /// <summary>The header App Service authentication passes the validated caller in (Base64 JSON).</summary>
    public const string ClientPrincipalHeader = "X-MS-CLIENT-PRINCIPAL";

    public AppServiceAuthentication(bool enabled, BearerTokenValidator? tokens = null)
    {
        Enabled = enabled;
        Tokens = tokens;
    }

    /// <summary>The app's own bearer token validation; null when it is not configured (the header alone decides).</summary>
    public BearerTokenValidator? Tokens { get; }

    /// <summary>True when App Service authentication fronts the app, so <see cref="ClientPrincipalHeader"/> can be trusted.</summary>
    public bool Enabled { get; }

    /// <summary>
    /// True when callers can be told apart (the app validates tokens, or App Service authentication fronts it): the
    /// catalog routes then answer signed-in callers only. False only where nothing could sign anyone in (<c>func start</c>
    /// without <c>DataMesh__Authentication__*</c>), where they stay open like <c>datamesh up</c>'s.
    /// </summary>
    public bool SignInRequired => Enabled || Tokens is not null;

    /// <summary>Reads <see cref="EnabledSetting"/> from the app's configuration (environment variables included).</summary>
    public static AppServiceAuthentication FromConfiguration(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return new AppServiceAuthentication(
            string.Equals(configuration[EnabledSetting], "true", StringComparison.OrdinalIgnoreCase),
            BearerTokenValidator.FromConfiguration(configuration));
    }

    /// <summary>
    /// The caller of <paramref name="request"/>, or why its bearer token is refused (answer 401). With
    /// <see cref="Tokens"/>: the validated token's caller, anonymous without a token. Without: <see cref="CallerOf"/>.
    /// </summary>
    public async Task<(DataReader? Caller, string? Refusal)> IdentifyAsync(HttpRequestData request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (Tokens is null)
        {
            return (CallerOf(request), null);
        }

        var authorization = request.Headers.TryGetValues("Authorization", out var values) ? values.FirstOrDefault() : null;
        if (string.IsNullOrWhiteSpace(authorization))
        {
            return (DataReader.Anonymous, null);
        }

        const string scheme = "Bearer ";
        if (!authorization.StartsWith(scheme, StringComparison.OrdinalIgnoreCase) || authorization.Length == scheme.Length)
        {
            return (null, "the Authorization header is not 'Bearer <token>'");
        }

        return await Tokens.ValidateAsync(authorization[scheme.Length..].Trim(), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The caller <c>X-MS-CLIENT-PRINCIPAL</c> names: its app roles when App Service authentication is on, else anonymous.
    /// Hosts call <see cref="IdentifyAsync"/>, which validates the bearer token too where configured.
    /// </summary>
    public DataReader CallerOf(HttpRequestData request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var principal = Enabled && request.Headers.TryGetValues(ClientPrincipalHeader, out var values) ? values.FirstOrDefault() : null;
        return DataReader.FromClientPrincipal(principal);
    }
}
