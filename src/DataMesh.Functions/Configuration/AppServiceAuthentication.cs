using DataMesh.Consumption;
using Microsoft.Azure.Functions.Worker.Http;
using Microsoft.Extensions.Configuration;

namespace DataMesh.Functions.Configuration;

/// <summary>
/// Who calls an HTTP function, as App Service authentication (Easy Auth, configured by the Bicep's authsettingsV2)
/// tells it: the platform validates the caller's Entra token for the mesh API and passes the caller, app roles
/// included, in <c>X-MS-CLIENT-PRINCIPAL</c>, stripping any copy the client sent. That header is trusted only when the
/// platform says the authentication is on (<c>WEBSITE_AUTH_ENABLED=true</c>, set by App Service itself): otherwise a
/// client could forge it, so every caller is anonymous (public products only).
/// </summary>
public sealed class AppServiceAuthentication
{
    /// <summary>The app setting App Service sets when its authentication is on.</summary>
    public const string EnabledSetting = "WEBSITE_AUTH_ENABLED";

    /// <summary>The header App Service authentication passes the validated caller in (Base64 JSON).</summary>
    public const string ClientPrincipalHeader = "X-MS-CLIENT-PRINCIPAL";

    public AppServiceAuthentication(bool enabled) => Enabled = enabled;

    /// <summary>True when App Service authentication fronts the app, so <see cref="ClientPrincipalHeader"/> can be trusted.</summary>
    public bool Enabled { get; }

    /// <summary>Reads <see cref="EnabledSetting"/> from the app's configuration (environment variables included).</summary>
    public static AppServiceAuthentication FromConfiguration(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return new AppServiceAuthentication(string.Equals(configuration[EnabledSetting], "true", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>The caller of <paramref name="request"/>: its app roles when authentication is on, else anonymous.</summary>
    public DataReader CallerOf(HttpRequestData request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var principal = Enabled && request.Headers.TryGetValues(ClientPrincipalHeader, out var values) ? values.FirstOrDefault() : null;
        return DataReader.FromClientPrincipal(principal);
    }
}
